"""KVK Mutatieservice signals as received (the seed's ``kvk_mutatieservice`` table).

Every signal is stored exactly once, whatever its type, before anything acts on it; polling the
same window twice is harmless because ``signaal_id`` is unique.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import KvkSignaal
from knoop_esb.store.upsert import insert_ignore

STATUSES = ("nieuw", "verwerkt", "genegeerd", "fout")


def save(
    session: Session,
    *,
    signaal_id: str,
    signaal_type: str,
    kvk_nummer: str | None,
    tijdstip: datetime | None,
    raw: dict[str, Any],
    now: datetime | None = None,
) -> bool:
    """Store a signal; False when it was stored before."""
    values = dict(
        signaal_id=signaal_id, signaal_type=signaal_type, kvk_nummer=kvk_nummer, tijdstip=tijdstip, raw=raw,
        received_at=now or utcnow(), status="nieuw",
    )
    return insert_ignore(session, KvkSignaal, values, ["signaal_id"])


def nieuwe(session: Session, *, limit: int = 500) -> list[KvkSignaal]:
    """Signals not yet handled, oldest first."""
    stmt = select(KvkSignaal).where(KvkSignaal.status == "nieuw").order_by(KvkSignaal.tijdstip, KvkSignaal.id).limit(limit)
    return list(session.scalars(stmt))


def mark(session: Session, signaal_id: str, status: str, *, now: datetime | None = None) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown signal status {status!r}; use one of {', '.join(STATUSES)}")
    session.execute(
        update(KvkSignaal).where(KvkSignaal.signaal_id == signaal_id).values(status=status, processed_at=now or utcnow())
    )


def open_voor(session: Session, kvk_nummer: str) -> list[KvkSignaal]:
    """The signals about ``kvk_nummer`` waiting to be acted on, oldest first."""
    stmt = (select(KvkSignaal).where(KvkSignaal.kvk_nummer == kvk_nummer, KvkSignaal.status == "nieuw")
            .order_by(KvkSignaal.tijdstip, KvkSignaal.id))
    return list(session.scalars(stmt))


def counts(session: Session) -> dict[str, int]:
    """Signals per status."""
    from sqlalchemy import func

    return {s: n for s, n in session.execute(select(KvkSignaal.status, func.count()).group_by(KvkSignaal.status))}


def set_detail(session: Session, signaal_id: str, detail: dict[str, Any]) -> None:
    """Keep a signal's details (``GET …/signalen/{id}``) so they are fetched once."""
    session.execute(update(KvkSignaal).where(KvkSignaal.signaal_id == signaal_id).values(detail=detail))


def save_many(session: Session, rows: list[dict[str, Any]], *, now: datetime | None = None) -> set[str]:
    """Store a page of signals in one statement (``signaal_id``, ``signaal_type``, ``kvk_nummer``,
    ``tijdstip``, ``raw`` each); returns the ids stored for the first time."""
    if not rows:
        return set()
    from sqlalchemy.dialects import postgresql, sqlite

    now = now or utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = [dict(r, received_at=now, status="nieuw") for r in rows]
    stmt = (insert(KvkSignaal).values(values).on_conflict_do_nothing(index_elements=["signaal_id"])
            .returning(KvkSignaal.signaal_id))
    return set(session.scalars(stmt))


def mark_many(session: Session, signaal_ids: list[str], status: str, *, now: datetime | None = None) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown signal status {status!r}; use one of {', '.join(STATUSES)}")
    if signaal_ids:
        session.execute(update(KvkSignaal).where(KvkSignaal.signaal_id.in_(signaal_ids))
                        .values(status=status, processed_at=now or utcnow()))
