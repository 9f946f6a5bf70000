"""Every call to a KVK API, for the weekly counters (seed 002 §6) and the monthly cost.

Why counted from a log and not kept in counters: the log cannot drift, "resetting" a week is just
asking about the next week, and the operator can see which endpoint and token spent what.
Weeks start Monday 00:00 and months on the 1st, both in Dutch time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import KvkRequest

NL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Teller:
    endpoint: str
    token_id: str
    betaald: bool
    aantal: int
    kosten_cent: int


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


def week_start(day: date) -> datetime:
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0), NL)


def weekly_counts(session: Session, day: date | None = None) -> list[Teller]:
    """Calls per endpoint, token and paid/free in the week (Mon–Sun, Dutch time) containing ``day``."""
    start = week_start(day or utcnow().astimezone(NL).date())
    return _tellers(session, start, week_start(start.date() + timedelta(days=7)))


def monthly_counts(session: Session, year: int, month: int) -> list[Teller]:
    start = datetime(year, month, 1, tzinfo=NL)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=NL)
    return _tellers(session, start, end)


def monthly_cost(session: Session, year: int, month: int) -> int:
    """Total cost in eurocents of the calls in that month."""
    return sum(t.kosten_cent for t in monthly_counts(session, year, month))


def _tellers(session: Session, start: datetime, end: datetime) -> list[Teller]:
    stmt = (
        select(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald, func.count(), func.sum(KvkRequest.kosten_cent))
        .where(KvkRequest.at >= start, KvkRequest.at < end)
        .group_by(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald)
        .order_by(KvkRequest.endpoint, KvkRequest.token_id, KvkRequest.betaald)
    )
    return [Teller(e, t, bool(b), n, int(k or 0)) for e, t, b, n, k in session.execute(stmt)]
