"""Subscriptions: who follows which companies.

Two kinds, both listed and removed by operators (``knoop-esb abonnementen``):

- *object* — an ``afnemerindicatie`` row (``store.afnemerindicaties``), whatever placed it: a vraag
  with ``indicatorAfnemerindicatie``, an inbound kennisgeving with indicatorOvername "I", an
  operator. A MAC subscription covers the whole registration: the MAC, its NNP eigenaar and every
  vestiging. An NNP or VES subscription covers that object only.
- *area* — a ``gebied_abonnement`` row: every company with a vestiging in a woonplaats, a postcode
  range or a gemeente (through the woonplaats → gemeente table the operator loads from CSV).

Why an in-memory index for areas: every stored change asks "which areas contain these
vestigingen?"; with every municipality subscribed that is 342 gemeenten resolved to their
woonplaatsen. The index is rebuilt only when the two tables changed (a version counter every change
here raises, one primary-key read), so another process's ``abonnementen add`` is seen by the next
change.
"""
from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import AbonnementVersie, GebiedAbonnement, WoonplaatsGemeente
from knoop_esb.store.normalise import normalise
from knoop_esb.store.upsert import insert_ignore
from knoop_esb.store.versie import postcode_norm

SOORTEN = ("woonplaats", "postcode", "gemeente")
_POSTCODE = re.compile(r"^\d{4}([A-Z]{2})?$")
_GEMEENTECODE = re.compile(r"^\d{1,4}$")


class AbonnementFout(ValueError):
    """A subscription that cannot be placed or removed; ``str()`` is the CLI's one line."""


@dataclass(frozen=True)
class Gebied:
    """One area: ``soort`` woonplaats | postcode | gemeente; ``sleutel`` normalised (woonplaats
    name casefolded, postcode upper-case without spaces, gemeentecode 4 digits); ``tot`` the end
    of a postcode range."""

    soort: str
    waarde: str
    sleutel: str
    tot: str = ""

    def __str__(self) -> str:
        return f"{self.soort} {self.waarde}" + (f"-{self.tot}" if self.tot else "")


def gebied(soort: str, waarde: str) -> Gebied:
    """Parse an operator's area: ``woonplaats Utrecht``, ``postcode 3500-3599`` (or ``3511AB``,
    ``3500AA-3599ZZ``), ``gemeente 0344`` (or ``344``)."""
    waarde = (waarde or "").strip()
    if soort not in SOORTEN:
        raise AbonnementFout(f"unknown area kind {soort!r}; use one of {', '.join(SOORTEN)}")
    if not waarde:
        raise AbonnementFout(f"{soort}: empty value")
    if soort == "woonplaats":
        return Gebied(soort, waarde, normalise(waarde) or "")
    if soort == "gemeente":
        if not _GEMEENTECODE.match(waarde):
            raise AbonnementFout(f"gemeentecode must be up to 4 digits (CBS code, e.g. 0344), got {waarde!r}")
        return Gebied(soort, waarde.zfill(4), waarde.zfill(4))
    van, _, tot = waarde.partition("-")
    van, tot = postcode_norm(van.strip()) or "", postcode_norm(tot.strip()) or ""
    for deel in (van, tot) if tot else (van,):
        if not _POSTCODE.match(deel):
            raise AbonnementFout(f"postcode range must be 1234, 1234AB or VAN-TOT of those, got {waarde!r}")
    tot = tot or van
    if tot[:len(van)] < van[:len(tot)]:
        raise AbonnementFout(f"postcode range {waarde!r} ends before it begins")
    return Gebied(soort, van if tot == van else f"{van}-{tot}", van, tot)


def gebied_van(rij: GebiedAbonnement) -> Gebied:
    return Gebied(rij.soort, rij.waarde, rij.sleutel, rij.tot)


# --- area subscriptions: the repository -------------------------------------------------------


def gebied_plaatsen(session: Session, afnemer_oin: str, g: Gebied, *, bron: str = "operator",
                    now: datetime | None = None) -> bool:
    """Place an area subscription; False when the afnemer already followed that area."""
    values = dict(afnemer_oin=afnemer_oin, soort=g.soort, waarde=g.waarde, sleutel=g.sleutel, tot=g.tot,
                  sinds=now or utcnow(), bron=bron)
    geplaatst = insert_ignore(session, GebiedAbonnement, values, ["afnemer_oin", "soort", "sleutel", "tot"])
    if geplaatst:
        verhoog_versie(session)
    return geplaatst


def gebied_verwijderen(session: Session, afnemer_oin: str, g: Gebied) -> bool:
    result = session.execute(delete(GebiedAbonnement).where(
        GebiedAbonnement.afnemer_oin == afnemer_oin, GebiedAbonnement.soort == g.soort,
        GebiedAbonnement.sleutel == g.sleutel, GebiedAbonnement.tot == g.tot))
    if result.rowcount:
        verhoog_versie(session)
    return result.rowcount == 1


def verhoog_versie(session: Session) -> None:
    """Tell every process's area index that the area tables changed (in this transaction)."""
    if not session.execute(update(AbonnementVersie).where(AbonnementVersie.id == 1)
                           .values(versie=AbonnementVersie.versie + 1)).rowcount:
        if not insert_ignore(session, AbonnementVersie, {"id": 1, "versie": 1}, ["id"]):
            session.execute(update(AbonnementVersie).where(AbonnementVersie.id == 1)
                            .values(versie=AbonnementVersie.versie + 1))


def gebieden_van(session: Session, afnemer_oin: str | None = None) -> list[GebiedAbonnement]:
    stmt = select(GebiedAbonnement).order_by(GebiedAbonnement.afnemer_oin, GebiedAbonnement.id)
    if afnemer_oin is not None:
        stmt = stmt.where(GebiedAbonnement.afnemer_oin == afnemer_oin)
    return list(session.scalars(stmt))


# --- the woonplaats → gemeente table ------------------------------------------------------------


def gemeenten_laden(session: Session, tekst: str) -> int:
    """Replace the woonplaats → gemeente table with a CSV's rows; returns how many were loaded.

    Columns by header name (case-insensitive, ``,`` or ``;``): ``woonplaats`` (or
    ``woonplaatsnaam``), ``gemeentecode`` (or ``gemeente_code``/``code``), optional
    ``gemeentenaam``. A bad row is refused with its line number; nothing is replaced then."""
    regels = tekst.lstrip("\ufeff").splitlines()
    if not regels:
        raise AbonnementFout("empty CSV")
    dialect = ";" if regels[0].count(";") > regels[0].count(",") else ","
    lezer = csv.DictReader(io.StringIO("\n".join(regels)), delimiter=dialect)
    kolommen = {(k or "").strip().lower(): k for k in lezer.fieldnames or ()}
    wpl = next((kolommen[k] for k in ("woonplaats", "woonplaatsnaam") if k in kolommen), None)
    code = next((kolommen[k] for k in ("gemeentecode", "gemeente_code", "code") if k in kolommen), None)
    naam = next((kolommen[k] for k in ("gemeentenaam", "gemeente_naam", "gemeente") if k in kolommen), None)
    if wpl is None or code is None:
        raise AbonnementFout("CSV needs the columns woonplaats and gemeentecode (and optionally gemeentenaam)")
    rijen: dict[tuple[str, str], dict] = {}
    for nummer, rij in enumerate(lezer, start=2):
        woonplaats, gemeentecode = (rij.get(wpl) or "").strip(), (rij.get(code) or "").strip()
        if not woonplaats and not gemeentecode:
            continue
        if not woonplaats or not _GEMEENTECODE.match(gemeentecode.removeprefix("GM")):
            raise AbonnementFout(f"line {nummer}: needs a woonplaats and a gemeentecode of up to 4 digits, "
                                 f"got {woonplaats!r}, {gemeentecode!r}")
        gemeentecode = gemeentecode.removeprefix("GM").zfill(4)
        sleutel = (normalise(woonplaats) or "", gemeentecode)
        rijen[sleutel] = dict(woonplaats=woonplaats[:100], woonplaats_norm=sleutel[0][:100], gemeentecode=gemeentecode,
                              gemeentenaam=((rij.get(naam) or "").strip() if naam else "")[:100])
    session.execute(delete(WoonplaatsGemeente))
    if rijen:
        session.execute(WoonplaatsGemeente.__table__.insert(), list(rijen.values()))
    verhoog_versie(session)
    return len(rijen)


def gemeenten(session: Session) -> dict[str, tuple[str, list[str]]]:
    """gemeentecode → (gemeentenaam, woonplaatsen), for listing."""
    out: dict[str, tuple[str, list[str]]] = {}
    for rij in session.scalars(select(WoonplaatsGemeente).order_by(WoonplaatsGemeente.gemeentecode,
                                                                   WoonplaatsGemeente.woonplaats)):
        naam, plaatsen = out.setdefault(rij.gemeentecode, (rij.gemeentenaam, []))
        plaatsen.append(rij.woonplaats)
    return out


# --- the index the distributor asks ------------------------------------------------------------


@dataclass(frozen=True)
class Locatie:
    """Where a vestiging is, as far as areas are concerned."""

    postcode: str | None
    woonplaats: str | None  # normalised


@dataclass
class GebiedIndex:
    """Area subscriptions in memory: woonplaats → afnemers, and the postcode ranges."""

    per_woonplaats: dict[str, frozenset[str]] = field(default_factory=dict)
    postcodes: tuple[tuple[str, str, str], ...] = ()  # (van, tot, afnemer)
    afnemers: frozenset[str] = frozenset()

    @property
    def leeg(self) -> bool:
        return not self.afnemers

    def afnemers_bij(self, locatie: Locatie) -> set[str]:
        out = set(self.per_woonplaats.get(locatie.woonplaats or "", ()))
        pc = locatie.postcode
        if pc:
            for van, tot, oin in self.postcodes:
                if pc[:len(van)] >= van and pc[:len(tot)] <= tot:
                    out.add(oin)
        return out

    def gebied_bevat(self, g: Gebied, locatie: Locatie, woonplaatsen_van_gemeente: frozenset[str] = frozenset()) -> bool:
        if g.soort == "postcode":
            pc = locatie.postcode or ""
            return bool(pc) and pc[:len(g.sleutel)] >= g.sleutel and pc[:len(g.tot)] <= g.tot
        if g.soort == "woonplaats":
            return locatie.woonplaats == g.sleutel
        return (locatie.woonplaats or "") in woonplaatsen_van_gemeente


def bouw_index(session: Session) -> GebiedIndex:
    per_gemeente: dict[str, set[str]] = {}
    per_woonplaats: dict[str, set[str]] = {}
    postcodes = []
    rijen = list(session.execute(select(GebiedAbonnement.afnemer_oin, GebiedAbonnement.soort,
                                        GebiedAbonnement.sleutel, GebiedAbonnement.tot)))
    if any(soort == "gemeente" for _, soort, _, _ in rijen):
        for wpl, code in session.execute(select(WoonplaatsGemeente.woonplaats_norm, WoonplaatsGemeente.gemeentecode)):
            per_gemeente.setdefault(code, set()).add(wpl)
    for oin, soort, sleutel, tot in rijen:
        if soort == "postcode":
            postcodes.append((sleutel, tot, oin))
        elif soort == "woonplaats":
            per_woonplaats.setdefault(sleutel, set()).add(oin)
        else:
            for wpl in per_gemeente.get(sleutel, ()):
                per_woonplaats.setdefault(wpl, set()).add(oin)
    return GebiedIndex({k: frozenset(v) for k, v in per_woonplaats.items()}, tuple(postcodes),
                       frozenset(oin for oin, *_ in rijen))


def woonplaatsen_van(session: Session, gemeentecode: str) -> frozenset[str]:
    return frozenset(session.scalars(select(WoonplaatsGemeente.woonplaats_norm)
                                     .where(WoonplaatsGemeente.gemeentecode == gemeentecode)))


_VERSIE = select(AbonnementVersie.versie).where(AbonnementVersie.id == 1)


class GebiedCache:
    """The :class:`GebiedIndex`, rebuilt when ``gebied_abonnement`` or ``woonplaats_gemeente``
    changed: every change through this module raises ``abonnement_versie`` (one primary-key read
    per distributing transaction tells whether the index is current)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versie: int | None = None
        self._index = GebiedIndex()

    def index(self, session: Session) -> GebiedIndex:
        versie = session.scalar(_VERSIE) or 0
        with self._lock:
            if versie == self._versie:
                return self._index
        index = bouw_index(session)
        with self._lock:
            self._versie, self._index = versie, index
        return index
