"""Afnemerindicaties: which afnemer follows which object (and so receives its kennisgevingen)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import Afnemerindicatie
from knoop_esb.store.upsert import insert_ignore
from knoop_esb.store.wijzigingen import NieuweIndicatie, noteer


def plaats(session: Session, afnemer_oin: str, entiteittype: str, object_sleutel: str, *, bron: str = "vraag",
           now: datetime | None = None) -> bool:
    """Place a subscription; False when the afnemer already followed the object. A new one is noted
    on the session (``store.wijzigingen``): at commit the distributor sends its beginstand."""
    values = dict(afnemer_oin=afnemer_oin, entiteittype=entiteittype, object_sleutel=object_sleutel,
                  sinds=now or utcnow(), bron=bron)
    geplaatst = insert_ignore(session, Afnemerindicatie, values, ["afnemer_oin", "entiteittype", "object_sleutel"])
    if geplaatst:
        noteer(session, NieuweIndicatie(afnemer_oin, entiteittype, object_sleutel, bron))
    return geplaatst


def verwijder(session: Session, afnemer_oin: str, entiteittype: str, object_sleutel: str) -> bool:
    result = session.execute(
        delete(Afnemerindicatie).where(
            Afnemerindicatie.afnemer_oin == afnemer_oin,
            Afnemerindicatie.entiteittype == entiteittype,
            Afnemerindicatie.object_sleutel == object_sleutel,
        )
    )
    return result.rowcount == 1


def afnemers_van(session: Session, entiteittype: str, object_sleutel: str) -> list[str]:
    """The OINs following one object, in a stable order."""
    stmt = (
        select(Afnemerindicatie.afnemer_oin)
        .where(Afnemerindicatie.entiteittype == entiteittype, Afnemerindicatie.object_sleutel == object_sleutel)
        .order_by(Afnemerindicatie.afnemer_oin)
    )
    return list(session.scalars(stmt))


def van_afnemer(session: Session, afnemer_oin: str) -> list[Afnemerindicatie]:
    stmt = select(Afnemerindicatie).where(Afnemerindicatie.afnemer_oin == afnemer_oin).order_by(Afnemerindicatie.id)
    return list(session.scalars(stmt))
