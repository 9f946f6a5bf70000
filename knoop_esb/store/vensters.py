"""Polled Mutatieservice windows: a window is recorded once every page of it is stored, so the
latest ``tot`` is a high-water mark that survives restarts (a poll killed mid-window polls that
window again; its signals are deduplicated by ``signaal_id``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import KvkPollVenster


def hoogwater(session: Session, abonnement_id: str) -> datetime | None:
    return session.scalar(select(func.max(KvkPollVenster.tot)).where(KvkPollVenster.abonnement_id == abonnement_id))


def record(session: Session, abonnement_id: str, vanaf: datetime, tot: datetime, *, signalen: int, nieuw: int,
           now: datetime | None = None) -> None:
    session.add(KvkPollVenster(abonnement_id=abonnement_id, vanaf=vanaf, tot=tot, signalen=signalen, nieuw=nieuw,
                               gepolld_at=now or utcnow()))
    session.flush()


def recent(session: Session, *, limit: int = 10) -> list[KvkPollVenster]:
    stmt = select(KvkPollVenster).order_by(KvkPollVenster.tot.desc(), KvkPollVenster.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def totalen(session: Session) -> tuple[int, int, int]:
    """(windows polled, signals listed, signals new) over all time."""
    n, s, nieuw = session.execute(select(func.count(), func.coalesce(func.sum(KvkPollVenster.signalen), 0),
                                         func.coalesce(func.sum(KvkPollVenster.nieuw), 0))).one()
    return int(n), int(s), int(nieuw)
