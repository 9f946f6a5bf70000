"""The replay cache: has this WS-Addressing MessageID been accepted before?

Kept in the database so that every node process behind a load balancer sees the same history.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import ReplayCache
from knoop_esb.store.upsert import insert_ignore


def remember(session: Session, message_id: str, expires_at: datetime, *, now: datetime | None = None) -> bool:
    """Record ``message_id``; True the first time, False for a replay (an expired entry is renewed)."""
    now = now or utcnow()
    if insert_ignore(session, ReplayCache, dict(message_id=message_id, seen_at=now, expires_at=expires_at), ["message_id"]):
        return True
    renewed = session.execute(
        update(ReplayCache)
        .where(ReplayCache.message_id == message_id, ReplayCache.expires_at <= now)
        .values(seen_at=now, expires_at=expires_at)
    )
    return renewed.rowcount == 1


def purge(session: Session, *, now: datetime | None = None) -> int:
    """Forget expired MessageIDs; returns how many."""
    return session.execute(delete(ReplayCache).where(ReplayCache.expires_at <= (now or utcnow()))).rowcount
