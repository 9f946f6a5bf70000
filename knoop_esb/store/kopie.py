"""New version rows by PostgreSQL ``COPY`` (what ``bulk.save_many`` inserts on PostgreSQL).

Why: an INSERT … VALUES … RETURNING of 500 rows costs the client about 0.25 ms of CPU per row
(SQLAlchemy renders and psycopg re-parses a statement with 10 000 parameters), which made the
initial load of the country take about three times the issue's target. COPY sends the rows as
data: ≈ 0.03 ms per row. The ids ``RETURNING`` gave come from the table's own sequence first, so
the rows and their change records (``store.wijzigingen``) get the same ids they would have got.
Values pass the columns' own bind processing (UTC times, JSONB), so COPY stores what INSERT stores.
"""
from __future__ import annotations

from typing import Any, Sequence

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Table, func, select
from sqlalchemy.orm import Session


def _dbapi(session: Session):
    """The DBAPI connection of the session's transaction (COPY runs inside it)."""
    return session.connection().connection.dbapi_connection


def _processors(table: Table, kolommen: Sequence[str], dialect) -> list:
    procs = []
    for k in kolommen:
        type_ = table.c[k].type.dialect_impl(dialect)
        if isinstance(type_, JSON):
            procs.append(Jsonb)  # what the dialect sends for a JSONB parameter
        else:
            procs.append(table.c[k].type.bind_processor(dialect))
    return procs


def _schrijf(session: Session, table: Table, kolommen: list[str], rows: Sequence[dict[str, Any]]) -> None:
    procs = _processors(table, kolommen, session.get_bind().dialect)
    with _dbapi(session).cursor() as cur:
        with cur.copy(f"COPY {table.name} ({', '.join(kolommen)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([v if p is None or v is None else p(v)
                                for p, v in zip(procs, (row[k] for k in kolommen))])


def insert_with_ids(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (all with the same keys) and return their new ids, in order."""
    if not rows:
        return []
    seq = select(func.nextval(func.pg_get_serial_sequence(table.name, "id"))).select_from(
        func.generate_series(1, len(rows)))
    ids = list(session.scalars(seq))
    kolommen = ["id", *rows[0].keys()]
    _schrijf(session, table, kolommen, [{"id": i, **row} for i, row in zip(ids, rows)])
    return ids


def insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys); their ids come from the column default."""
    if rows:
        _schrijf(session, table, list(rows[0].keys()), rows)
