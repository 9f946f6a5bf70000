"""The ``bedrijf_nieuw`` queue (seed 002 §3): companies and branches waiting to be fetched.

One open entry per (bron, kvk_nummer, vestigingsnummer): enqueueing a key that is already
waiting only raises its priority. Workers claim entries with a lease (see ``claim``), then call
:func:`done` or :func:`failed`; failures retry with back-off until ``max_attempts``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.claim import claim as _claim
from knoop_esb.store.claim import fail as _fail
from knoop_esb.store.models import BedrijfNieuw
from knoop_esb.store.upsert import insert_ignore

BRONNEN = ("kvk", "handelsdata")
OPEN = ("pending", "claimed")


class QueueFout(ValueError):
    """An entry the queue cannot take (unknown bron, empty kvk_nummer)."""


def open_sleutel(bron: str, kvk_nummer: str, vestigingsnummer: str | None) -> str:
    return f"{bron}:{kvk_nummer}:{vestigingsnummer or ''}"


def enqueue(
    session: Session,
    kvk_nummer: str,
    *,
    bron: str = "kvk",
    vestigingsnummer: str | None = None,
    reden: str = "handmatig",
    signaal_id: str | None = None,
    prioriteit: int = 5,
    now: datetime | None = None,
) -> bool:
    """Queue a key; False when it was already waiting (its priority is raised if lower)."""
    if bron not in BRONNEN:
        raise QueueFout(f"unknown bron {bron!r}; use one of {', '.join(BRONNEN)}")
    if not kvk_nummer:
        raise QueueFout("kvk_nummer is empty")
    now = now or utcnow()
    sleutel = open_sleutel(bron, kvk_nummer, vestigingsnummer)
    values = dict(
        bron=bron, kvk_nummer=kvk_nummer, vestigingsnummer=vestigingsnummer, reden=reden, signaal_id=signaal_id,
        prioriteit=prioriteit, status="pending", attempts=0, next_attempt_at=now, created_at=now, updated_at=now,
        open_sleutel=sleutel,
    )
    if insert_ignore(session, BedrijfNieuw, values, ["open_sleutel"]):
        return True
    session.execute(
        update(BedrijfNieuw)
        .where(BedrijfNieuw.open_sleutel == sleutel, BedrijfNieuw.prioriteit > prioriteit)
        .values(prioriteit=prioriteit, updated_at=now)
    )
    return False


def claim(
    session: Session,
    *,
    bron: str | None = None,
    met_vestigingsnummer: bool | None = None,
    limit: int = 10,
    lease: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
) -> list[BedrijfNieuw]:
    """Claim due entries, highest priority (lowest number) first, oldest first within it.
    ``met_vestigingsnummer`` splits the work as the seed's processors do."""
    where = []
    if bron is not None:
        where.append(BedrijfNieuw.bron == bron)
    if met_vestigingsnummer is True:
        where.append(BedrijfNieuw.vestigingsnummer.is_not(None))
    elif met_vestigingsnummer is False:
        where.append(BedrijfNieuw.vestigingsnummer.is_(None))
    order = (BedrijfNieuw.prioriteit, BedrijfNieuw.next_attempt_at, BedrijfNieuw.id)
    return _claim(session, BedrijfNieuw, where=where, order_by=order, limit=limit, lease=lease,
                  claimed_status="claimed", now=now)


def done(session: Session, entry_id: int) -> None:
    session.execute(
        update(BedrijfNieuw).where(BedrijfNieuw.id == entry_id)
        .values(status="done", open_sleutel=None, last_error=None, updated_at=utcnow())
    )


def failed(
    session: Session,
    entry_id: int,
    error: str,
    *,
    retry_after: timedelta = timedelta(minutes=5),
    max_attempts: int = 5,
    now: datetime | None = None,
) -> str:
    """Record a failed attempt; returns the new status (``pending`` to retry, else ``failed``)."""
    entry = session.get(BedrijfNieuw, entry_id)
    if entry is None:
        raise QueueFout(f"no bedrijf_nieuw entry {entry_id}")
    status = _fail(entry, error, retry_after=retry_after, max_attempts=max_attempts, given_up_status="failed", now=now)
    if status == "failed":
        entry.open_sleutel = None      # a new entry for the same company may be queued again
    session.flush()
    return status


def counts(session: Session, *, bron: str | None = None) -> dict[str, int]:
    """Number of entries per status (for the CLI, health and the Handelsdata "new first" rule)."""
    stmt = select(BedrijfNieuw.status, func.count()).group_by(BedrijfNieuw.status)
    if bron is not None:
        stmt = stmt.where(BedrijfNieuw.bron == bron)
    return {status: n for status, n in session.execute(stmt)}


def release(session: Session, entry_ids: list[int], *, now: datetime | None = None) -> None:
    """Give claimed entries back untried (a run that stops early: paid calls refused, KVK down):
    pending again at once, and the attempt their claim counted is taken back."""
    if not entry_ids:
        return
    now = now or utcnow()
    session.execute(
        update(BedrijfNieuw).where(BedrijfNieuw.id.in_(entry_ids), BedrijfNieuw.status == "claimed")
        .values(status="pending", next_attempt_at=now, attempts=BedrijfNieuw.attempts - 1,
                updated_at=now)
    )
