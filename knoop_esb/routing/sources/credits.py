"""Monthly credit accounting per Handelsdata subscription.

A paid source must refuse a call *before* it would overspend, also when several threads or
node processes share the subscriptions. So a call first *reserves* its credits (atomic check and
add against the month's budget), gives them back when the call did not cost anything, and
corrects the reservation when the answer says it cost a different amount. Months are calendar
months in UTC (``JJJJ-MM``): a new month starts from zero without a reset job.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy import delete, func, insert, select

from knoop_esb.store.base import on_postgresql
from knoop_esb.store.models import KvkRequest


class CreditBoek(Protocol):
    def reserveer(self, abonnement: str, maand: str, credits: int, budget: int) -> bool:
        """Add ``credits`` to the month's usage unless that would exceed ``budget``; True when added."""
        ...

    def corrigeer(self, abonnement: str, maand: str, verschil: int) -> None:
        """Add ``verschil`` (may be negative) to the month's usage without a budget check."""
        ...

    def gebruikt(self, abonnement: str, maand: str) -> int:
        ...


class GeheugenBoek:
    """Credit accounting inside one process (thread-safe); usage is lost when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gebruikt: dict[tuple[str, str], int] = {}

    def reserveer(self, abonnement: str, maand: str, credits: int, budget: int) -> bool:
        with self._lock:
            nu = self._gebruikt.get((abonnement, maand), 0)
            if nu + credits > budget:
                return False
            self._gebruikt[(abonnement, maand)] = nu + credits
            return True

    def corrigeer(self, abonnement: str, maand: str, verschil: int) -> None:
        with self._lock:
            key = (abonnement, maand)
            self._gebruikt[key] = max(0, self._gebruikt.get(key, 0) + verschil)

    def gebruikt(self, abonnement: str, maand: str) -> int:
        with self._lock:
            return self._gebruikt.get((abonnement, maand), 0)


class StoreBoek:
    """Credit accounting in the store's ``kvk_request`` log: one row per credit spent, with
    endpoint ``handelsdata`` and ``token_id`` = the abonnement's naam (never the token).

    Counting from the log, as the KVK counters do, means no counter can drift and a month
    "resets" by being a new month. A reservation counts and inserts in one transaction; on
    PostgreSQL a transaction-level advisory lock per abonnement makes that atomic across node
    processes (SQLite has one writer at a time).
    """

    ENDPOINT = "handelsdata"

    def __init__(self, database):
        self.database = database

    def reserveer(self, abonnement: str, maand: str, credits: int, budget: int) -> bool:
        with self.database.session() as session:
            self._lock(session, abonnement)
            if self._count(session, abonnement, maand) + credits > budget:
                return False
            self._insert(session, abonnement, maand, credits)
            return True

    def corrigeer(self, abonnement: str, maand: str, verschil: int) -> None:
        with self.database.session() as session:
            self._lock(session, abonnement)
            if verschil > 0:
                self._insert(session, abonnement, maand, verschil)
            elif verschil < 0:
                ids = (select(KvkRequest.id).where(*self._where(abonnement, maand))
                       .order_by(KvkRequest.id.desc()).limit(-verschil))
                session.execute(delete(KvkRequest).where(KvkRequest.id.in_(ids.scalar_subquery())))

    def gebruikt(self, abonnement: str, maand: str) -> int:
        with self.database.session() as session:
            return self._count(session, abonnement, maand)

    def _lock(self, session, abonnement: str) -> None:
        if on_postgresql(session):
            session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"handelsdata:{abonnement}"))))

    def _where(self, abonnement: str, maand: str):
        start, eind = maand_bereik(maand)
        return (KvkRequest.endpoint == self.ENDPOINT, KvkRequest.token_id == abonnement,
                KvkRequest.at >= start, KvkRequest.at < eind)

    def _count(self, session, abonnement: str, maand: str) -> int:
        return session.scalar(select(func.count(KvkRequest.id)).where(*self._where(abonnement, maand))) or 0

    def _insert(self, session, abonnement: str, maand: str, credits: int) -> None:
        start, eind = maand_bereik(maand)
        # Booked inside the month it was reserved for, even when the clock has just moved on.
        at = min(max(datetime.now(timezone.utc), start), eind - timedelta(seconds=1))
        rows = [{"endpoint": self.ENDPOINT, "token_id": abonnement, "betaald": True, "at": at,
                 "duration_ms": 0, "kosten_cent": 0} for _ in range(credits)]
        session.execute(insert(KvkRequest), rows)


def maand_bereik(maand: str) -> tuple[datetime, datetime]:
    """``JJJJ-MM`` → [first moment, first moment of the next month) in UTC."""
    jaar, mnd = (int(x) for x in maand.split("-"))
    return (datetime(jaar, mnd, 1, tzinfo=timezone.utc),
            datetime(jaar + mnd // 12, mnd % 12 + 1, 1, tzinfo=timezone.utc))
