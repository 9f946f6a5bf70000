"""Every call to a KVK API, for the weekly counters (seed 002 §6), the monthly paid-call limit and
the monthly cost — the one place they are counted.

Why counted from a log and not kept in counters: the log cannot drift, "resetting" a week is just
asking about the next week, and the operator can see which endpoint and token spent what.
Weeks start Monday 00:00 and months on the 1st, both in Dutch time (``store.kalender``); each
period's bounds are computed here and the database only counts the rows between them.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.kalender import NL, month_label, month_start, next_month, week_label, week_start
from knoop_esb.store.models import KvkRequest

__all__ = ["Teller", "Gebruik", "record", "week_start", "month_start", "weekly_counts", "monthly_counts",
           "monthly_cost", "paid_count_since", "calls_since", "usage"]


@dataclass(frozen=True)
class Teller:
    endpoint: str
    token_id: str
    betaald: bool
    aantal: int
    kosten_cent: int
    fouten: int = 0             # no answer, or HTTP status >= 400


@dataclass(frozen=True)
class Gebruik:
    """One row of the usage report: a Dutch week (``2026-W47``) or month (``2026-11``) and a token."""

    periode: str
    token_id: str
    aantal: int
    betaald: int
    fouten: int


def record(
    session: Session,
    endpoint: str,
    *,
    token_id: str = "",
    betaald: bool = False,
    http_status: int | None = None,
    ipd_code: str | None = None,
    duration_ms: int = 0,
    kosten_cent: int = 0,
    at: datetime | None = None,
) -> None:
    session.add(KvkRequest(
        endpoint=endpoint, token_id=token_id, betaald=betaald, http_status=http_status, ipd_code=ipd_code,
        duration_ms=duration_ms, kosten_cent=kosten_cent, at=at or utcnow(),
    ))
    session.flush()


def weekly_counts(session: Session, day: date | None = None, *,
                  endpoints: Collection[str] | None = None) -> list[Teller]:
    """Calls per endpoint, token and paid/free in the week (Mon–Sun, Dutch time) containing ``day``."""
    start = week_start(day or utcnow().astimezone(NL).date())
    return _tellers(session, start, week_start(start.date() + timedelta(days=7)), endpoints)


def monthly_counts(session: Session, year: int, month: int, *,
                   endpoints: Collection[str] | None = None) -> list[Teller]:
    start = datetime(year, month, 1, tzinfo=NL)
    return _tellers(session, start, next_month(start), endpoints)


def monthly_cost(session: Session, year: int, month: int, *, price_per_call: float | None = None) -> int:
    """Total cost in eurocents of the calls in that month.

    With ``price_per_call`` (euros, ``kvk.price_per_call``) the paid calls are priced and rounded once.
    Without it the recorded ``kosten_cent`` are summed; those are whole cents per call, so a price
    of €0.019 is recorded as 2 cents and that sum runs about 5% high."""
    tellers = monthly_counts(session, year, month)
    if price_per_call is None:
        return sum(t.kosten_cent for t in tellers)
    return round(sum(t.aantal for t in tellers if t.betaald) * price_per_call * 100)


def paid_count_since(session: Session, since: datetime, *, token_id: str | None = None,
                     endpoints: Collection[str] | None = None) -> int:
    """Paid calls from ``since`` on (the monthly paid-call limit), optionally of one token."""
    stmt = select(func.count()).select_from(KvkRequest).where(KvkRequest.betaald.is_(True), KvkRequest.at >= since)
    if endpoints is not None:
        stmt = stmt.where(KvkRequest.endpoint.in_(endpoints))
    if token_id is not None:
        stmt = stmt.where(KvkRequest.token_id == token_id)
    return int(session.execute(stmt).scalar_one())


def calls_since(session: Session, since: datetime, *,
                endpoints: Collection[str] | None = None) -> list[KvkRequest]:
    """The logged calls from ``since`` on, oldest first."""
    stmt = select(KvkRequest).where(KvkRequest.at >= since).order_by(KvkRequest.at, KvkRequest.id)
    if endpoints is not None:
        stmt = stmt.where(KvkRequest.endpoint.in_(endpoints))
    return list(session.scalars(stmt))


def usage(session: Session, since: datetime, *, until: datetime | None = None,
          endpoints: Collection[str] | None = None) -> tuple[list[Gebruik], list[Gebruik]]:
    """Calls, paid calls and errors per token for every Dutch week and every Dutch month from the ones
    containing ``since`` up to ``until`` (now): ``(weeks, months)``, oldest first."""
    until = until or utcnow()
    weeks: list[Gebruik] = []
    start = week_start(since.astimezone(NL).date())
    while start <= until:
        end = week_start(start.date() + timedelta(days=7))
        weeks += _gebruik(session, week_label(start), start, end, endpoints)
        start = end
    months: list[Gebruik] = []
    start = month_start(since)
    while start <= until:
        end = next_month(start)
        months += _gebruik(session, month_label(start), start, end, endpoints)
        start = end
    return weeks, months


def _fout():
    return case((or_(KvkRequest.http_status.is_(None), KvkRequest.http_status >= 400), 1), else_=0)


def _tellers(session: Session, start: datetime, end: datetime, endpoints: Collection[str] | None) -> list[Teller]:
    stmt = (
        select(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald, func.count(),
               func.sum(KvkRequest.kosten_cent), func.sum(_fout()))
        .where(KvkRequest.at >= start, KvkRequest.at < end)
        .group_by(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald)
        .order_by(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald)
    )
    if endpoints is not None:
        stmt = stmt.where(KvkRequest.endpoint.in_(endpoints))
    return [Teller(e, t, bool(b), n, int(k or 0), int(f or 0)) for e, t, b, n, k, f in session.execute(stmt)]


def _gebruik(session: Session, periode: str, start: datetime, end: datetime,
             endpoints: Collection[str] | None) -> list[Gebruik]:
    stmt = (
        select(KvkRequest.token_id, func.count(), func.sum(case((KvkRequest.betaald.is_(True), 1), else_=0)),
               func.sum(_fout()))
        .where(KvkRequest.at >= start, KvkRequest.at < end)
        .group_by(KvkRequest.token_id)
        .order_by(KvkRequest.token_id)
    )
    if endpoints is not None:
        stmt = stmt.where(KvkRequest.endpoint.in_(endpoints))
    return [Gebruik(periode, t, n, int(p or 0), int(f or 0)) for t, n, p, f in session.execute(stmt)]
