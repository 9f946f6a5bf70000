"""Repository of received kennisgevingen: the StUF016 / StUF019 checks and the record of each
accepted message, inside the transaction that stores its data.

Why the zender row: its lock (``FOR UPDATE`` on PostgreSQL; SQLite's single writer, taken by the
first statement, a write) makes two kennisgevingen of one zender wait for each other, so "not
after the previous one" is decided on committed data, never on a race.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from knoop_esb.store.base import on_postgresql, utcnow
from knoop_esb.store.models import OntvangenKennisgeving, OntvangstZender
from knoop_esb.store.upsert import insert_ignore

TIJDSTIP_LENGTE = 17


class AlOntvangen(Exception):
    """This zender already sent a kennisgeving with this referentienummer (StUF016)."""


class NietNaVorige(Exception):
    """The tijdstipBericht is not after the zender's previous one (StUF019); ``laatste`` is that one."""

    def __init__(self, laatste: str, referentienummer: str | None):
        self.laatste = laatste
        self.referentienummer = referentienummer
        super().__init__(f"tijdstipBericht niet na {laatste} ({referentienummer})")


@dataclass(frozen=True)
class Zender:
    organisatie: str
    applicatie: str
    administratie: str = ""


def genormaliseerd(tijdstip_bericht: str) -> str:
    """A StUF:Tijdstip of 8 to 17 digits as 17 digits: comparable as text at any precision."""
    return tijdstip_bericht.ljust(TIJDSTIP_LENGTE, "0")


def vastleggen(session: Session, zender: Zender, *, referentienummer: str, tijdstip_bericht: str, afnemer_oin: str,
               berichtcode: str, entiteittype: str, mutatiesoort: str, indicator_overname: str, object_sleutel: str,
               now: datetime | None = None) -> OntvangenKennisgeving:
    """Record an accepted kennisgeving; raises :class:`AlOntvangen` or :class:`NietNaVorige`
    (in that order, as StUF 03.01 Tabel 4.1 lists them) without writing anything of its own."""
    now = now or utcnow()
    sleutel = dict(organisatie=zender.organisatie, applicatie=zender.applicatie, administratie=zender.administratie)
    insert_ignore(session, OntvangstZender, {**sleutel, "bijgewerkt": now}, list(sleutel))
    stmt = select(OntvangstZender).filter_by(**sleutel)
    if on_postgresql(session):
        stmt = stmt.with_for_update()
    rij = session.scalars(stmt).one()
    session.refresh(rij)  # what the lock holder committed, not what this session saw before
    if bekend(session, zender, referentienummer):
        raise AlOntvangen(referentienummer)
    tijdstip = genormaliseerd(tijdstip_bericht)
    if rij.laatste_tijdstip is not None and tijdstip <= rij.laatste_tijdstip:
        raise NietNaVorige(rij.laatste_tijdstip, rij.laatste_referentienummer)
    ontvangen = OntvangenKennisgeving(
        zender_organisatie=zender.organisatie, zender_applicatie=zender.applicatie,
        zender_administratie=zender.administratie, referentienummer=referentienummer, tijdstip_bericht=tijdstip,
        afnemer_oin=afnemer_oin, berichtcode=berichtcode, entiteittype=entiteittype, mutatiesoort=mutatiesoort,
        indicator_overname=indicator_overname, object_sleutel=object_sleutel, ontvangen_op=now)
    session.add(ontvangen)
    rij.laatste_tijdstip, rij.laatste_referentienummer, rij.bijgewerkt = tijdstip, referentienummer, now
    # The unique constraint stands behind the check above; the zender row lock makes it unreachable
    # by a race, so a constraint error here is the store refusing the write, not a duplicate.
    session.flush()
    return ontvangen


def bekend(session: Session, zender: Zender, referentienummer: str) -> bool:
    stmt = select(OntvangenKennisgeving.id).filter_by(
        zender_organisatie=zender.organisatie, zender_applicatie=zender.applicatie,
        zender_administratie=zender.administratie, referentienummer=referentienummer)
    return session.scalars(stmt).first() is not None


def van_object(session: Session, entiteittype: str, object_sleutel: str) -> list[OntvangenKennisgeving]:
    """The kennisgevingen received about one object, oldest first."""
    stmt = (select(OntvangenKennisgeving)
            .where(OntvangenKennisgeving.entiteittype == entiteittype,
                   OntvangenKennisgeving.object_sleutel == object_sleutel)
            .order_by(OntvangenKennisgeving.id))
    return list(session.scalars(stmt))
