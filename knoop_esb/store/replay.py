"""The replay cache: has this WS-Addressing MessageID been accepted before?

Kept in the database so that every node process behind a load balancer sees the same history.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import ReplayCache


def remember(session: Session, message_id: str, expires_at: datetime, *, now: datetime | None = None) -> bool:
    """Record ``message_id``; True the first time, False for a replay (an expired entry is renewed)."""
    return remember_on(session.connection(), message_id, expires_at, now=now)


@lru_cache(maxsize=4)
def _statements(dialect: str):
    # Built once per dialect with bind parameters: every signed message records its MessageID, and
    # building the ORM statement per message cost more than the INSERT itself.
    table = ReplayCache.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = dict(message_id=bindparam("b_id"), seen_at=bindparam("b_now"), expires_at=bindparam("b_until"))
    first = (insert(table).values(**values).on_conflict_do_nothing(index_elements=["message_id"])
             .returning(table.c.message_id))
    renew = (update(table).where(table.c.message_id == bindparam("b_id"), table.c.expires_at <= bindparam("b_now"))
             .values(seen_at=bindparam("b_now"), expires_at=bindparam("b_until")))
    return first, renew


def remember_on(connection: Connection, message_id: str, expires_at: datetime, *, now: datetime | None = None) -> bool:
    """Record ``message_id`` on a Core connection (one statement, or two for a replayed id); True
    the first time, False for a replay (an expired entry is renewed)."""
    first, renew = _statements(connection.dialect.name)
    params = dict(b_id=message_id, b_now=now or utcnow(), b_until=expires_at)
    if connection.execute(first, params).first() is not None:
        return True
    return connection.execute(renew, params).rowcount == 1


def purge(session: Session, *, now: datetime | None = None) -> int:
    """Forget expired MessageIDs; returns how many."""
    return session.execute(delete(ReplayCache).where(ReplayCache.expires_at <= (now or utcnow()))).rowcount
