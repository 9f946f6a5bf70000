"""Repository of Handelsregister objects with materiële and formele historie.

Why: every path that learns a new state of a company (KVK API, Mutatieservice, StUF-HR,
kennisgeving in) stores it the same way, and every reader asks the same questions: the actual
state, the state as registered at a moment (formeel), the state valid on a date (materieel).

Saving a new state at moment T with begin_geldigheid D (see docs/store.md, "Historie"):
the actual row is closed formally (tijdstip_einde_registratie = T); a copy of it with
eind_geldigheid = D is registered at T, and the new state is registered at T from D. A D at or
before the actual row's begin is a correction of that row. An unchanged state (same data, same
search fields) writes no version; it only refreshes ``fetched_at``.

Objects are named by their StUF entiteittype: MAC (kvk_nummer), NNP (rsin), VES (vestigingsnummer).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knoop_esb.store.base import on_postgresql, utcnow
from knoop_esb.store.kalender import NL
from knoop_esb.store.models import VesHandelsnaam
from knoop_esb.store.normalise import normalise
from knoop_esb.store.versie import MODELS, SLEUTELS, HistorieFout, Versie, postcode_norm, versie_van
from knoop_esb.store.wijzigingen import Wijziging, noteer
from knoop_esb.store.zoeken import zoek_mac, zoek_nnp, zoek_vestigingen

__all__ = [
    "Adres", "MacZoek", "NnpZoek", "VesZoek", "Versie", "SaveResult", "HistorieFout",
    "save", "end", "actueel", "op_tijdstip", "op_datum", "materiele_historie", "formele_historie",
    "zoek_mac", "zoek_nnp", "zoek_vestigingen",
]


@dataclass(frozen=True)
class Adres:
    """The searchable part of an address (the bezoekadres, else the correspondentieadres)."""

    postcode: str | None = None
    huisnummer: int | None = None
    huisletter: str | None = None
    huisnummertoevoeging: str | None = None
    woonplaats: str | None = None
    straatnaam: str | None = None


@dataclass(frozen=True)
class MacZoek:
    kvk_nummer: str
    rsin: str | None = None
    naam: str | None = None

    entiteittype = "MAC"


@dataclass(frozen=True)
class NnpZoek:
    rsin: str
    kvk_nummer: str | None = None
    statutaire_naam: str | None = None
    rechtsvorm: str | None = None

    entiteittype = "NNP"


@dataclass(frozen=True)
class VesZoek:
    vestigingsnummer: str
    kvk_nummer: str | None = None
    handelsnamen: tuple[str, ...] = ()
    adres: Adres | None = None
    is_hoofdvestiging: bool = False
    is_commercieel: bool = True

    entiteittype = "VES"


Zoekvelden = MacZoek | NnpZoek | VesZoek


@dataclass(frozen=True)
class SaveResult:
    changed: bool
    versie: Versie
    vorige: Versie | None = None


def _aware(tijdstip: datetime) -> datetime:
    if tijdstip.tzinfo is None:
        raise HistorieFout(f"tijdstip {tijdstip.isoformat()} has no time zone")
    return tijdstip


def datum_nl(tijdstip: datetime) -> date:
    """The Dutch calendar date of a moment (materiële geldigheid is in dates)."""
    return tijdstip.astimezone(NL).date()


def save(
    session: Session,
    zoek: Zoekvelden,
    data: dict[str, Any],
    *,
    begin_geldigheid: date | None = None,
    eind_geldigheid: date | None = None,
    bron: str = "kvk",
    tijdstip: datetime | None = None,
    fetched_at: datetime | None = None,
) -> SaveResult:
    """Store ``data`` as the new state of the object ``zoek`` names (see module docstring)."""
    et = zoek.entiteittype
    sleutel = getattr(zoek, SLEUTELS[et])
    if not sleutel:
        raise HistorieFout(f"{et}: empty {SLEUTELS[et]}")
    tijdstip = _aware(tijdstip or utcnow())
    fetched_at = _aware(fetched_at or tijdstip)
    begin = begin_geldigheid or datum_nl(tijdstip)
    digest = _digest(zoek, data)
    current = _actueel_row(session, et, sleutel, for_update=True)
    if current is not None and current.data_hash == digest and current.eind_geldigheid == eind_geldigheid:
        current.fetched_at = max(current.fetched_at, fetched_at)
        return SaveResult(False, versie_van(et, current))
    vorige = versie_van(et, current) if current is not None else None
    if current is not None:
        begin = _close(session, et, current, begin, tijdstip, same_data=current.data_hash == digest)
    row = MODELS[et](**versie_waarden(zoek, data, digest=digest, bron=bron, tijdstip=tijdstip, fetched_at=fetched_at,
                                      begin_geldigheid=begin, eind_geldigheid=eind_geldigheid))
    if et == "VES":
        row.handelsnamen = [VesHandelsnaam(**w) for w in handelsnamen_waarden(zoek.handelsnamen)]
    session.add(row)
    session.flush()
    versie = versie_van(et, row)
    _noteer(session, vorige, versie)
    return SaveResult(True, versie, vorige)


def _noteer(session: Session, vorige: Versie | None, versie: Versie) -> None:
    noteer(session, Wijziging(
        entiteittype=versie.entiteittype, sleutel=versie.sleutel, oud=vorige.data if vorige else None,
        nieuw=versie.data, tijdstip=versie.tijdstip_registratie, bron=versie.bron,
        eind_geldigheid_oud=vorige.eind_geldigheid if vorige else None, eind_geldigheid=versie.eind_geldigheid,
        versie_id=versie.id))


def _close(session: Session, et: str, current, begin: date, tijdstip: datetime, *, same_data: bool) -> date:
    """End the actual row before a new one is written; returns the new row's begin_geldigheid."""
    current.actueel = False
    if current.eind_geldigheid is not None and current.eind_geldigheid <= begin and not same_data:
        # The object had ended before the new state begins: that knowledge stays valid as it is.
        session.flush()
        return begin
    current.tijdstip_einde_registratie = tijdstip
    if same_data or begin <= current.begin_geldigheid:
        session.flush()
        return current.begin_geldigheid
    session.add(_copy(et, current, eind_geldigheid=begin, tijdstip_registratie=tijdstip))
    session.flush()
    return begin


def end(session: Session, entiteittype: str, sleutel: str, eind_geldigheid: date, *, tijdstip: datetime | None = None) -> SaveResult | None:
    """Record that the object ended on ``eind_geldigheid`` (keeps its last data). None if unknown."""
    current = _actueel_row(session, entiteittype, sleutel, for_update=True)
    if current is None:
        return None
    if current.eind_geldigheid == eind_geldigheid:
        return SaveResult(False, versie_van(entiteittype, current))
    tijdstip = _aware(tijdstip or utcnow())
    vorige = versie_van(entiteittype, current)
    current.actueel = False
    current.tijdstip_einde_registratie = tijdstip
    session.flush()
    row = _copy(entiteittype, current, eind_geldigheid=eind_geldigheid, tijdstip_registratie=tijdstip)
    row.actueel = True
    session.add(row)
    session.flush()
    versie = versie_van(entiteittype, row)
    _noteer(session, vorige, versie)
    return SaveResult(True, versie, vorige)


def actueel(session: Session, entiteittype: str, sleutel: str) -> Versie | None:
    """The actual state (it may carry an eind_geldigheid when the object has ended)."""
    row = _actueel_row(session, entiteittype, sleutel)
    return versie_van(entiteittype, row) if row is not None else None


def op_tijdstip(session: Session, entiteittype: str, sleutel: str, tijdstip: datetime) -> Versie | None:
    """Formeel: the state the node registered as actual at ``tijdstip``."""
    rows = _formeel_geldig(session, entiteittype, sleutel, _aware(tijdstip))
    dag = datum_nl(tijdstip)
    candidates = [r for r in rows if r.begin_geldigheid <= dag] or rows
    return versie_van(entiteittype, candidates[-1]) if candidates else None


def op_datum(session: Session, entiteittype: str, sleutel: str, datum: date, *, bekend_op: datetime | None = None) -> Versie | None:
    """Materieel: the state valid on ``datum``, as known at ``bekend_op`` (default: now)."""
    for row in reversed(_formeel_geldig(session, entiteittype, sleutel, bekend_op or utcnow())):
        if row.begin_geldigheid <= datum and (row.eind_geldigheid is None or datum < row.eind_geldigheid):
            return versie_van(entiteittype, row)
    return None


def materiele_historie(session: Session, entiteittype: str, sleutel: str, *, bekend_op: datetime | None = None) -> list[Versie]:
    """All versions through time as known at ``bekend_op`` (default: now), oldest first."""
    return [versie_van(entiteittype, r) for r in _formeel_geldig(session, entiteittype, sleutel, bekend_op or utcnow())]


def formele_historie(session: Session, entiteittype: str, sleutel: str) -> list[Versie]:
    """Every row ever registered for the object, in order of registration."""
    model = _model(entiteittype)
    key = getattr(model, SLEUTELS[entiteittype])
    rows = session.scalars(select(model).where(key == sleutel).order_by(model.tijdstip_registratie, model.id))
    return [versie_van(entiteittype, r) for r in rows]


def _formeel_geldig(session: Session, entiteittype: str, sleutel: str, tijdstip: datetime) -> list:
    model = _model(entiteittype)
    key = getattr(model, SLEUTELS[entiteittype])
    stmt = (
        select(model)
        .where(key == sleutel, model.tijdstip_registratie <= tijdstip)
        .where((model.tijdstip_einde_registratie.is_(None)) | (model.tijdstip_einde_registratie > tijdstip))
        .order_by(model.begin_geldigheid, model.tijdstip_registratie, model.id)
    )
    return list(session.scalars(stmt))


def _actueel_row(session: Session, entiteittype: str, sleutel: str, *, for_update: bool = False):
    model = _model(entiteittype)
    stmt = select(model).where(getattr(model, SLEUTELS[entiteittype]) == sleutel, model.actueel.is_(True))
    if for_update and on_postgresql(session):
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def _model(entiteittype: str) -> type:
    try:
        return MODELS[entiteittype]
    except KeyError:
        raise HistorieFout(f"unknown entiteittype {entiteittype!r}; known: {', '.join(MODELS)}") from None


def _zoek_kolommen(zoek: Zoekvelden) -> dict[str, Any]:
    if isinstance(zoek, MacZoek):
        return {"kvk_nummer": zoek.kvk_nummer, "rsin": zoek.rsin, "naam": zoek.naam, "naam_norm": normalise(zoek.naam)}
    if isinstance(zoek, NnpZoek):
        return {
            "rsin": zoek.rsin,
            "kvk_nummer": zoek.kvk_nummer,
            "statutaire_naam": zoek.statutaire_naam,
            "statutaire_naam_norm": normalise(zoek.statutaire_naam),
            "rechtsvorm": zoek.rechtsvorm,
        }
    adres = zoek.adres or Adres()
    return {
        "vestigingsnummer": zoek.vestigingsnummer,
        "kvk_nummer": zoek.kvk_nummer,
        "is_hoofdvestiging": zoek.is_hoofdvestiging,
        "is_commercieel": zoek.is_commercieel,
        "postcode": postcode_norm(adres.postcode),
        "huisnummer": adres.huisnummer,
        "huisletter": adres.huisletter or None,
        "huisnummertoevoeging": adres.huisnummertoevoeging or None,
        "woonplaats": adres.woonplaats,
        "woonplaats_norm": normalise(adres.woonplaats),
        "straatnaam": adres.straatnaam,
        "straatnaam_norm": normalise(adres.straatnaam),
    }


def versie_waarden(zoek: Zoekvelden, data: dict[str, Any], *, digest: str, bron: str, tijdstip: datetime,
                   fetched_at: datetime, begin_geldigheid: date, eind_geldigheid: date | None = None) -> dict[str, Any]:
    """The column values of a new actual version row: ``save`` builds its row from them and
    ``store.bulk`` inserts them in batches, so both write the same row."""
    return dict(begin_geldigheid=begin_geldigheid, eind_geldigheid=eind_geldigheid, tijdstip_registratie=tijdstip,
                tijdstip_einde_registratie=None, actueel=True, fetched_at=fetched_at, bron=bron, data_hash=digest,
                data=data, **_zoek_kolommen(zoek))


def handelsnamen_waarden(namen: tuple[str, ...]) -> list[dict[str, Any]]:
    """The ``ves_handelsnaam`` values of a version (without its ``versie_id``), in KVK's order."""
    return [dict(volgorde=i, naam=n, naam_norm=normalise(n)) for i, n in enumerate(namen, start=1)]


def _copy(entiteittype: str, row, *, eind_geldigheid: date, tijdstip_registratie: datetime):
    model = MODELS[entiteittype]
    skip = {"id", "tijdstip_registratie", "tijdstip_einde_registratie", "actueel", "eind_geldigheid"}
    values = {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key not in skip}
    copy = model(**values, eind_geldigheid=eind_geldigheid, tijdstip_registratie=tijdstip_registratie, actueel=False)
    if entiteittype == "VES":
        copy.handelsnamen = [VesHandelsnaam(volgorde=h.volgorde, naam=h.naam, naam_norm=h.naam_norm) for h in row.handelsnamen]
    return copy


def _digest(zoek: Zoekvelden, data: dict[str, Any]) -> str:
    text = json.dumps({"data": data, "zoek": dataclasses.asdict(zoek)}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
