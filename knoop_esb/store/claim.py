"""Hand out work rows (queue entries, outbox messages) to exactly one worker each.

Why: several node processes may share one PostgreSQL store; ``SELECT … FOR UPDATE SKIP LOCKED``
lets each take different rows without waiting. Each claim is also a lease: the row's status
becomes the claimed status with ``next_attempt_at`` = now + lease, so a worker that dies mid-job
gives its rows back when the lease runs out — a restart loses nothing. On SQLite (one process)
the same guarded UPDATE makes a double claim impossible, without SKIP LOCKED.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import on_postgresql, utcnow


def claim(
    session: Session,
    model: type,
    *,
    where: Sequence[Any] = (),
    order_by: Sequence[Any] = (),
    limit: int = 10,
    lease: timedelta = timedelta(minutes=10),
    claimed_status: str,
    now: datetime | None = None,
) -> list[Any]:
    """Claim up to ``limit`` rows that are pending (and due) or whose lease has run out."""
    now = now or utcnow()
    due = model.next_attempt_at <= now
    eligible = or_(and_(model.status == "pending", due), and_(model.status == claimed_status, due))
    stmt = select(model.id, model.status, model.next_attempt_at).where(eligible, *where).order_by(*order_by).limit(limit)
    if on_postgresql(session):
        stmt = stmt.with_for_update(skip_locked=True, of=model)
    candidates = [row_id for row_id, _status, _next in session.execute(stmt).all()]
    if not candidates:
        return []
    # One guarded UPDATE for all candidates: a row another worker claimed (or finished) since the
    # SELECT no longer matches ``eligible`` (its lease lies in the future, or its status moved on),
    # so it is not taken twice — the SQLite case; on PostgreSQL the rows are locked anyway. One
    # statement instead of one per row: a claim of 32 rows cost ~32 statement round trips before.
    guarded = (
        update(model)
        .where(model.id.in_(candidates), eligible)
        .values(status=claimed_status, next_attempt_at=now + lease, attempts=model.attempts + 1, updated_at=now)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    claimed_ids = list(session.scalars(guarded))
    if not claimed_ids:
        return []
    rows = session.scalars(
        select(model).where(model.id.in_(claimed_ids)).order_by(*order_by).execution_options(populate_existing=True)
    )
    return list(rows)


def fail(
    row: Any,
    error: str,
    *,
    retry_after: timedelta,
    max_attempts: int,
    given_up_status: str,
    now: datetime | None = None,
) -> str:
    """Record a failed attempt on a claimed row: back to ``pending`` with a back-off doubling per
    attempt (``retry_after``, 2×, 4×, …), or ``given_up_status`` once ``max_attempts`` were made.
    Returns the new status; the caller flushes (it may clear more on giving up)."""
    now = now or utcnow()
    row.last_error = error[:2000]
    row.updated_at = now
    if row.attempts >= max_attempts:
        row.status = given_up_status
    else:
        row.status = "pending"
        row.next_attempt_at = now + retry_after * (2 ** max(row.attempts - 1, 0))
    return row.status
