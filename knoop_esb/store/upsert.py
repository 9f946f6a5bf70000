"""INSERT … ON CONFLICT DO NOTHING for both engines: "store it unless it is already there".

Why: signals, subscriptions, queue keys and replayed MessageIDs arrive more than once, also from
concurrent workers; the database's unique constraint decides, not a racy read-then-write.
"""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: type, values: dict[str, Any], conflict_on: Sequence[str]) -> bool:
    """Insert one row; False when a row with the same ``conflict_on`` columns already exists."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(conflict_on))
    # RETURNING, because rowcount is not reliable for INSERT … RETURNING through the ORM.
    stmt = stmt.returning(*model.__table__.primary_key.columns)
    return session.execute(stmt).first() is not None
