"""Storing what a processor fetched, through the one save path of the store.

Why here and not in the processors: a fetched company is split into its objects exactly as a
vraag's KVK answer is (``vraag.opslag.te_bewaren``: MAC, NNP and the full vestigingen), and goes
through ``store.bulk.save_many`` / ``store.handelsregister.save`` / ``.end`` — the functions that
record the change the kennisgevingen are made from. An object KVK reports as ended (a datum
einde) is saved with that end, so storing it again never reopens it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from knoop_esb.store import handelsregister as hr
from knoop_esb.store.bulk import save_many
from knoop_esb.store.models import VesVersie
from knoop_esb.store.versie import SLEUTELS
from knoop_esb.transform.model import to_dict
from knoop_esb.vraag.opslag import te_bewaren


@dataclass
class Telling:
    inserts: int = 0
    updates: int = 0
    ongewijzigd: int = 0
    beeindigd: int = 0

    def __add__(self, other: "Telling") -> "Telling":
        return Telling(self.inserts + other.inserts, self.updates + other.updates,
                       self.ongewijzigd + other.ongewijzigd, self.beeindigd + other.beeindigd)


def datum(tekst: str | None) -> date | None:
    """KVK's ``JJJJMMDD`` (``00`` for an unknown month or day) as a date."""
    if not tekst:
        return None
    digits = tekst.replace("-", "")
    if len(digits) != 8 or not digits.isdigit() or digits == "00000000":
        return None
    return date(int(digits[:4]), max(1, int(digits[4:6])), max(1, int(digits[6:8])))


def bewaar(session: Session, objecten, *, bron: str, fetched_at: datetime) -> Telling:
    """Store every object (and the objects inside it) of a fetched answer."""
    telling = Telling()
    lopend, beeindigd = [], []
    for obj in objecten:
        for zoek, model in te_bewaren(obj):
            (beeindigd if datum(getattr(model, "datum_einde", None)) else lopend).append((zoek, model))
    if lopend:
        r = save_many(session, [(z, to_dict(m)) for z, m in lopend], bron=bron, fetched_at=fetched_at)
        telling += Telling(r.nieuw, r.gewijzigd, r.ongewijzigd)
    for zoek, model in beeindigd:
        telling += _bewaar_beeindigd(session, zoek, model, bron=bron, fetched_at=fetched_at)
    return telling


def _bewaar_beeindigd(session: Session, zoek, model, *, bron: str, fetched_at: datetime) -> Telling:
    einde = datum(model.datum_einde)
    et, sleutel, data = zoek.entiteittype, getattr(zoek, SLEUTELS[zoek.entiteittype]), to_dict(model)
    huidig = hr.actueel(session, et, sleutel)
    if huidig is None:
        aanvang = datum(getattr(model, "datum_aanvang", None))
        begin = aanvang if aanvang and aanvang <= einde else None
        hr.save(session, zoek, data, begin_geldigheid=begin, eind_geldigheid=einde, bron=bron, fetched_at=fetched_at)
        return Telling(inserts=1)
    if huidig.eind_geldigheid == einde:
        r = hr.save(session, zoek, data, eind_geldigheid=einde, bron=bron, fetched_at=fetched_at)
        return Telling(updates=int(r.changed), ongewijzigd=int(not r.changed))
    r = hr.save(session, zoek, data, bron=bron, fetched_at=fetched_at)
    return Telling(updates=int(r.changed), ongewijzigd=int(not r.changed)) + beeindig(session, et, sleutel, einde)


def beeindig(session: Session, entiteittype: str, sleutel: str, einde: date) -> Telling:
    r = hr.end(session, entiteittype, sleutel, einde)
    return Telling(beeindigd=1) if r is not None and r.changed else Telling()


def lopende_vestigingen(session: Session, kvk_nummer: str) -> list[str]:
    """Vestigingsnummers the store holds as actual, not ended, for ``kvk_nummer``."""
    stmt = select(VesVersie.vestigingsnummer).where(VesVersie.kvk_nummer == kvk_nummer, VesVersie.actueel.is_(True),
                                                    VesVersie.eind_geldigheid.is_(None))
    return list(session.scalars(stmt))


def bekend(session: Session, entiteittype: str, sleutel: str) -> bool:
    return hr.actueel(session, entiteittype, sleutel) is not None
