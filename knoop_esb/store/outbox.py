"""The outbox: kennisgevingen waiting for delivery to an afnemer.

Why: a kennisgeving is written in the same transaction as the state change that caused it, so
nothing is lost on a restart; delivery workers claim messages with a lease. Per afnemer and
object, messages go out in ``volgnummer`` order: a message is only handed out when every earlier
one for that object is delivered or dead. A referentienummer is stored once — a second add with
the same referentienummer is no second message.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session, aliased

from knoop_esb.store.base import utcnow
from knoop_esb.store.claim import claim as _claim
from knoop_esb.store.claim import fail as _fail
from knoop_esb.store.models import Outbox
from knoop_esb.store.upsert import insert_ignore


class OutboxFout(ValueError):
    """An operation on an outbox message that does not exist."""


def add(
    session: Session,
    *,
    referentienummer: str,
    afnemer_oin: str,
    berichtcode: str,
    entiteittype: str,
    object_sleutel: str,
    payload: str,
    endpoint: str = "",
    now: datetime | None = None,
) -> bool:
    """Queue one kennisgeving for one afnemer endpoint; False when this referentienummer is
    already in the outbox."""
    now = now or utcnow()
    volgnummer = (
        session.scalar(
            select(func.max(Outbox.volgnummer)).where(
                Outbox.afnemer_oin == afnemer_oin, Outbox.endpoint == endpoint, Outbox.entiteittype == entiteittype,
                Outbox.object_sleutel == object_sleutel,
            )
        )
        or 0
    ) + 1
    values = dict(
        referentienummer=referentienummer, afnemer_oin=afnemer_oin, endpoint=endpoint, berichtcode=berichtcode,
        entiteittype=entiteittype,
        object_sleutel=object_sleutel, volgnummer=volgnummer, payload=payload, status="pending", attempts=0,
        next_attempt_at=now, created_at=now, updated_at=now,
    )
    return insert_ignore(session, Outbox, values, ["referentienummer"])


def claim(
    session: Session,
    *,
    afnemer_oin: str | None = None,
    limit: int = 10,
    lease: timedelta = timedelta(minutes=5),
    now: datetime | None = None,
) -> list[Outbox]:
    """Claim due messages whose predecessors for the same object (same afnemer endpoint) are all
    delivered or dead."""
    earlier = aliased(Outbox)
    blocked = (
        select(earlier.id)
        .where(
            earlier.afnemer_oin == Outbox.afnemer_oin,
            earlier.endpoint == Outbox.endpoint,
            earlier.entiteittype == Outbox.entiteittype,
            earlier.object_sleutel == Outbox.object_sleutel,
            earlier.volgnummer < Outbox.volgnummer,
            earlier.status.in_(("pending", "delivering")),
        )
        .exists()
    )
    where = [~blocked]
    if afnemer_oin is not None:
        where.append(Outbox.afnemer_oin == afnemer_oin)
    return _claim(session, Outbox, where=where, order_by=(Outbox.next_attempt_at, Outbox.id), limit=limit,
                  lease=lease, claimed_status="delivering", now=now)


def delivered(session: Session, message_id: int, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    _set(session, message_id, status="delivered", delivered_at=now, last_error=None, updated_at=now)


def failed(
    session: Session,
    message_id: int,
    error: str,
    *,
    retry_after: timedelta = timedelta(minutes=1),
    max_attempts: int = 8,
    now: datetime | None = None,
) -> str:
    """Record a failed delivery; returns ``pending`` (retry with back-off) or ``dead``."""
    message = session.get(Outbox, message_id)
    if message is None:
        raise OutboxFout(f"no outbox message {message_id}")
    status = _fail(message, error, retry_after=retry_after, max_attempts=max_attempts, given_up_status="dead", now=now)
    session.flush()
    return status


def requeue(session: Session, message_id: int, *, now: datetime | None = None) -> None:
    """Operator action: give a dead message a fresh set of attempts."""
    now = now or utcnow()
    _set(session, message_id, status="pending", attempts=0, next_attempt_at=now, updated_at=now)


def dead_letters(session: Session, *, afnemer_oin: str | None = None) -> list[Outbox]:
    stmt = select(Outbox).where(Outbox.status == "dead").order_by(Outbox.id)
    if afnemer_oin is not None:
        stmt = stmt.where(Outbox.afnemer_oin == afnemer_oin)
    return list(session.scalars(stmt))


def counts(session: Session) -> dict[str, int]:
    return {s: n for s, n in session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))}


def _set(session: Session, message_id: int, **values) -> None:
    result = session.execute(update(Outbox).where(and_(Outbox.id == message_id)).values(**values))
    if result.rowcount != 1:
        raise OutboxFout(f"no outbox message {message_id}")
