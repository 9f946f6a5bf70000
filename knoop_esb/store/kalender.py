"""The Dutch calendar the store counts and dates in: Handelsregister dates are Dutch dates, and
the KVK usage weeks (Monday 00:00) and months (the 1st) are Dutch weeks and months.

Kept free of SQLAlchemy so the KVK client can use it without loading the store."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NL = ZoneInfo("Europe/Amsterdam")


def week_start(day: date) -> datetime:
    """Monday 00:00 Dutch time of the week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0), NL)


def month_start(moment: datetime) -> datetime:
    """The 1st, 00:00 Dutch time, of the Dutch month containing ``moment`` (an aware datetime)."""
    local = moment.astimezone(NL)
    return datetime(local.year, local.month, 1, tzinfo=NL)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=NL)


def week_label(moment: datetime) -> str:
    """ISO week of ``moment`` in Dutch time, e.g. ``2026-W47``."""
    year, week, _ = moment.astimezone(NL).isocalendar()
    return f"{year}-W{week:02d}"


def month_label(moment: datetime) -> str:
    return moment.astimezone(NL).strftime("%Y-%m")
