"""What operators see and do with the outbox (``knoop-esb outbox …``): lists, one row in full,
counts per state and per afnemer, requeue of dead rows, purge of old delivered rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from knoop_esb.store import outbox
from knoop_esb.store.base import utcnow
from knoop_esb.store.models import Outbox

STATUSSEN = ("pending", "delivering", "delivered", "dead")


def lijst(session: Session, *, status: str | None = None, afnemer_oin: str | None = None,
          limit: int = 100) -> list[Outbox]:
    stmt = select(Outbox).order_by(Outbox.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Outbox.status == status)
    if afnemer_oin:
        stmt = stmt.where(Outbox.afnemer_oin == afnemer_oin)
    return list(session.scalars(stmt))


def tellingen(session: Session) -> dict[tuple[str, str], int]:
    """(afnemer_oin, status) → count."""
    rows = session.execute(select(Outbox.afnemer_oin, Outbox.status, func.count()).group_by(Outbox.afnemer_oin, Outbox.status))
    return {(oin, status): n for oin, status, n in rows}


def opnieuw(session: Session, *, message_id: int | None = None, dood: bool = False,
            afnemer_oin: str | None = None, now: datetime | None = None) -> int:
    """Requeue one row (any state but delivering) or every dead row (of one afnemer): a fresh set
    of attempts, due now. Returns how many rows were requeued."""
    now = now or utcnow()
    if message_id is not None:
        rij = session.get(Outbox, message_id)
        if rij is None:
            raise outbox.OutboxFout(f"no outbox message {message_id}")
        if rij.status == "delivering":
            raise outbox.OutboxFout(f"outbox message {message_id} is being delivered now; requeue it when it is not")
        outbox.requeue(session, message_id, now=now)
        return 1
    if not dood:
        raise outbox.OutboxFout("say which: an ID or --dead")
    stmt = update(Outbox).where(Outbox.status == "dead").values(status="pending", attempts=0, next_attempt_at=now,
                                                                 updated_at=now)
    if afnemer_oin:
        stmt = stmt.where(Outbox.afnemer_oin == afnemer_oin)
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def opruimen(session: Session, *, ouder_dan: datetime, dood: bool = False) -> int:
    """Delete delivered rows (and with ``dood`` dead rows) last changed before ``ouder_dan``. The
    protocol log keeps what was delivered; the outbox is only the queue."""
    statussen = ["delivered", "dead"] if dood else ["delivered"]
    return session.execute(delete(Outbox).where(Outbox.status.in_(statussen), Outbox.updated_at < ouder_dan)
                           .execution_options(synchronize_session=False)).rowcount
