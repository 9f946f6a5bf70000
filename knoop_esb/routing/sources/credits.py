"""Monthly credit accounting per Handelsdata subscription.

A paid source must refuse a call *before* it would overspend, also when several threads or
node processes share the subscriptions. So a call first *reserves* its credits (atomic check and
add against the month's budget), gives them back when the call did not cost anything, and
corrects the reservation when the answer says it cost a different amount. Months are calendar
months in UTC (``JJJJ-MM``): a new month starts from zero without a reset job.
"""
from __future__ import annotations

import threading
from typing import Protocol


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
