"""The replay cache: has this WS-Addressing MessageID been accepted before?

Kept in the database so that every node process behind a load balancer sees the same history.
"""
from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Statement:
    """A Core statement compiled once for a dialect, run on the DBAPI cursor: every signed message
    records its MessageID, and SQLAlchemy's per-execution work cost more than the INSERT itself."""

    sql: str
    names: tuple[str, ...] | None  # bind names in order (qmark/format), None for named parameters

    @classmethod
    def of(cls, statement, dialect) -> "_Statement":
        compiled = statement.compile(dialect=dialect)
        return cls(compiled.string, tuple(compiled.positiontup) if compiled.positional else None)

    def execute(self, cursor, values: dict):
        cursor.execute(self.sql, tuple(values[name] for name in self.names) if self.names is not None else values)
        return cursor


@lru_cache(maxsize=4)
def _statements(dialect):
    table = ReplayCache.__table__
    insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    values = dict(message_id=bindparam("b_id"), seen_at=bindparam("b_now"), expires_at=bindparam("b_until"))
    # No RETURNING: an INSERT … RETURNING stops at its first row and the autocommit transaction
    # (SQLite's write lock, for every process) stays open until fetchone() runs, i.e. until the
    # thread has the GIL back. The row count says whether the id was new.
    first = insert(table).values(**values).on_conflict_do_nothing(index_elements=["message_id"])
    renew = (update(table).where(table.c.message_id == bindparam("b_id"), table.c.expires_at <= bindparam("b_now"))
             .values(seen_at=bindparam("b_now"), expires_at=bindparam("b_until")))
    # The column type's own conversion (UtcDateTime, then the dialect's DATETIME text on SQLite),
    # so these rows read and compare exactly like rows written through SQLAlchemy.
    tijd = table.c.expires_at.type.bind_processor(dialect) or (lambda value: value)
    return _Statement.of(first, dialect), _Statement.of(renew, dialect), tijd


def remember_on(connection: Connection, message_id: str, expires_at: datetime, *, now: datetime | None = None) -> bool:
    """Record ``message_id`` on a Core connection (one statement, or two for a replayed id); True
    the first time, False for a replay (an expired entry is renewed)."""
    return remember_dbapi(connection.connection.dbapi_connection, connection.dialect, message_id, expires_at, now=now)


def remember_dbapi(dbapi_connection, dialect, message_id: str, expires_at: datetime, *,
                   now: datetime | None = None) -> bool:
    """:func:`remember_on` on a DBAPI connection in autocommit (``Database.vaste_verbinding``)."""
    first, renew, tijd = _statements(dialect)
    values = dict(b_id=message_id, b_now=tijd(now or utcnow()), b_until=tijd(expires_at))
    cursor = dbapi_connection.cursor()
    try:
        if first.execute(cursor, values).rowcount == 1:
            return True
        return renew.execute(cursor, values).rowcount == 1
    finally:
        cursor.close()


def purge(session: Session | Connection, *, now: datetime | None = None) -> int:
    """Forget expired MessageIDs (on a session or an autocommit connection); returns how many."""
    return session.execute(delete(ReplayCache).where(ReplayCache.expires_at <= (now or utcnow()))).rowcount
