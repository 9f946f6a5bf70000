"""Which stored companies and vestigingen the periodic refresh fetches next (seed 002 §2, §4).

Priority 1: companies with a label matching ``[prioriteit] p1_labels`` (the seed's public
innovation labels ``im_public_*``), active, not refreshed for ``p1_cyclus_dagen``; at most
``p1_batch`` per run. Priority 2, only while fewer than ``p2_drempel`` Priority 1 companies are
due: active companies with an active vestiging address, not of an excluded rechtsvorm, founded
recently OR with ``p2_werkzame_personen_min..max`` employees OR economisch actief OR an Industrie
SBI code, not refreshed for ``p2_cyclus_dagen``. Both in the seed's order: oldest update first →
newest founding → fewest employees → KVK-nummer descending. "Last update" is the store's
``fetched_at``: when KVK (or Handelsdata) last confirmed the company.

The rules (cut-off moments, the P2 rule, the order) are pure functions; the queries only apply
them to the MAC's search columns that ``transform.kenmerken`` fills at every save.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session

from knoop_esb.store import labels
from knoop_esb.store.kalender import NL
from knoop_esb.store.models import MacVersie, VesVersie


@dataclass(frozen=True)
class Peilmomenten:
    """What "not refreshed for N days" and "founded in the last N years" mean at one moment."""

    p1_voor: datetime          # P1 due when fetched_at is before this
    p2_voor: datetime
    handelsdata_voor: datetime
    opgericht_vanaf: str       # JJJJMMDD: founded on or after this date


@dataclass(frozen=True)
class Plan:
    p1: tuple[str, ...]
    p2: tuple[str, ...]

    @property
    def kvk_nummers(self) -> tuple[str, ...]:
        return self.p1 + self.p2


def jaren_terug(dag: date, jaren: int) -> date:
    try:
        return dag.replace(year=dag.year - jaren)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year - jaren, day=28)


def peilmomenten(cfg, nu: datetime) -> Peilmomenten:
    vandaag = nu.astimezone(NL).date()
    return Peilmomenten(
        p1_voor=nu - timedelta(days=cfg.p1_cyclus_dagen),
        p2_voor=nu - timedelta(days=cfg.p2_cyclus_dagen),
        handelsdata_voor=nu - timedelta(days=cfg.handelsdata_cyclus_dagen),
        opgericht_vanaf=jaren_terug(vandaag, cfg.p2_opgericht_jaren).strftime("%Y%m%d"),
    )


def p2_nodig(aantal_p1: int, cfg) -> bool:
    """The seed: Priority 2 "if Priority 1 batch < 200"."""
    return aantal_p1 < cfg.p2_drempel


def sorteersleutel(fetched_at: datetime, oprichting: str | None, werkzame_personen: int | None, kvk_nummer: str):
    """The seed's order as a Python key (the queries order the same way; unknown values last)."""
    return (fetched_at, oprichting is None, _omgekeerd(oprichting or ""), werkzame_personen is None,
            werkzame_personen or 0, _omgekeerd(kvk_nummer))


def _omgekeerd(tekst: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in tekst) + (1,)


def volgorde():
    return (MacVersie.fetched_at.asc(), MacVersie.oprichting.desc().nulls_last(),
            MacVersie.werkzame_personen.asc().nulls_last(), MacVersie.kvk_nummer.desc())


def _actief():
    return and_(MacVersie.actueel.is_(True), MacVersie.eind_geldigheid.is_(None),
                or_(MacVersie.actief.is_(True), MacVersie.actief.is_(None)))


def p1_query(cfg, peil: Peilmomenten) -> Select:
    return (select(MacVersie.kvk_nummer)
            .where(_actief(), MacVersie.fetched_at < peil.p1_voor, labels.met_label(cfg.p1_labels))
            .order_by(*volgorde()).limit(cfg.p1_batch))


def p2_criteria(cfg, peil: Peilmomenten):
    """The seed's "must meet ONE of" as one OR clause over the MAC's search columns."""
    een_van = [MacVersie.oprichting >= peil.opgericht_vanaf,
               MacVersie.werkzame_personen.between(cfg.p2_werkzame_personen_min, cfg.p2_werkzame_personen_max)]
    if cfg.p2_economisch_actief:
        een_van.append(MacVersie.economisch_actief.is_(True))
    een_van += [MacVersie.sbi_codes.like(f"% {prefix}%") for prefix in cfg.p2_sbi_prefixen]
    return or_(*een_van)


def _actief_adres():
    return exists().where(VesVersie.kvk_nummer == MacVersie.kvk_nummer, VesVersie.actueel.is_(True),
                          VesVersie.eind_geldigheid.is_(None),
                          or_(VesVersie.postcode.is_not(None), VesVersie.woonplaats.is_not(None)))


def _toegestane_rechtsvorm(cfg):
    uitgesloten = [r.lower() for r in cfg.p2_uitgesloten_rechtsvormen]
    if not uitgesloten:
        return true()
    return or_(MacVersie.rechtsvorm.is_(None), func.lower(MacVersie.rechtsvorm).not_in(uitgesloten))


def p2_query(cfg, peil: Peilmomenten, limit: int, zonder: tuple[str, ...] = ()) -> Select:
    stmt = (select(MacVersie.kvk_nummer)
            .where(_actief(), MacVersie.fetched_at < peil.p2_voor, _toegestane_rechtsvorm(cfg),
                   p2_criteria(cfg, peil), _actief_adres())
            .order_by(*volgorde()).limit(limit))
    if zonder:
        stmt = stmt.where(MacVersie.kvk_nummer.not_in(zonder))
    return stmt


def plan(session: Session, cfg, nu: datetime) -> Plan:
    """The companies ``sync update-kvk`` refreshes in this run, Priority 1 first."""
    peil = peilmomenten(cfg, nu)
    p1 = tuple(session.scalars(p1_query(cfg, peil)))
    p2: tuple[str, ...] = ()
    if p2_nodig(len(p1), cfg):
        p2 = tuple(session.scalars(p2_query(cfg, peil, cfg.p2_batch, zonder=p1)))
    return Plan(p1, p2)


def vestigingen_query(cfg, peil: Peilmomenten, limit: int) -> Select:
    """``update-handelsdata --from-db``: actual, not ended vestigingen of active companies not
    refreshed for ``handelsdata_cyclus_dagen`` (seed §4: a yearly Handelsdata refresh), oldest first."""
    return (select(VesVersie.vestigingsnummer)
            .where(VesVersie.actueel.is_(True), VesVersie.eind_geldigheid.is_(None),
                   VesVersie.fetched_at < peil.handelsdata_voor)
            .order_by(VesVersie.fetched_at.asc(), VesVersie.vestigingsnummer.desc()).limit(limit))


def vestigingen(session: Session, cfg, nu: datetime, limit: int) -> tuple[str, ...]:
    return tuple(session.scalars(vestigingen_query(cfg, peilmomenten(cfg, nu), limit)))
