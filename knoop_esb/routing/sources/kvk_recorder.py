"""The call log of the KVK client: every HTTP attempt is one :class:`KvkCall`, handed to a
recorder. KVK sends one bill per month and no spending alert ("Keep an eye on the number of
inquiries yourself"), so the node counts its own calls; the store keeps them in ``kvk_request``.

The client only needs :class:`KvkRecorder` (``record`` + ``paid_count_since``), so unit tests use
:class:`InMemoryRecorder` and the node uses the store-backed recorder.
"""
from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol

from knoop_esb.store.kalender import month_label, month_start, week_label

__all__ = ["KvkCall", "KvkRecorder", "InMemoryRecorder", "key_id", "month_start", "Gebruik", "weekly_usage",
           "monthly_cost"]


@dataclass(frozen=True)
class KvkCall:
    tijdstip: datetime          # UTC, when the request went out
    endpoint: str               # "zoeken", "basisprofiel.vestigingen", "mutatieservice.signalen" …
    key_id: str                 # see key_id(); never the key itself
    paid: bool                  # billable: a paid API answered 2xx
    status: int | None          # HTTP status; None when no answer came (timeout, refused, TLS)
    ipd_code: str | None        # first fout[].code of an error answer
    duur_ms: float
    attempt: int = 1


class KvkRecorder(Protocol):
    def record(self, call: KvkCall) -> None: ...

    def paid_count_since(self, since: datetime, key_id: str | None = None) -> int: ...


def key_id(api_key: str, configured: str = "") -> str:
    """A stable, non-secret name for an API key: the configured one, else a short hash."""
    if configured:
        return configured
    if not api_key:
        return "geen-sleutel"
    return "sha256:" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


class InMemoryRecorder:
    """Keeps the last ``maxlen`` calls in memory (tests, one-off tools); thread-safe because the
    client may be shared between threads. Bounded so a long-running process cannot grow without
    end; the node itself records in the store (``KvkApiClient.for_node``)."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._calls: deque[KvkCall] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    @property
    def calls(self) -> list[KvkCall]:
        with self._lock:
            return list(self._calls)

    def record(self, call: KvkCall) -> None:
        with self._lock:
            self._calls.append(call)

    def paid_count_since(self, since: datetime, key_id: str | None = None) -> int:
        return sum(1 for c in self.calls
                   if c.paid and c.tijdstip >= since and (key_id is None or c.key_id == key_id))

    def __iter__(self):
        return iter(self.calls)


@dataclass(frozen=True)
class Gebruik:
    """One row of usage over an :class:`InMemoryRecorder`'s calls: a period, a key, its call counts and
    cost. The node's report counts the store instead (``store.kvk_requests.usage``), in the same Dutch
    weeks and months."""

    periode: str
    key_id: str
    calls: int
    paid: int
    errors: int
    kosten: float


def weekly_usage(calls: Iterable[KvkCall]) -> list[Gebruik]:
    """Calls per ISO week (Dutch time) and key (the seed's weekly counters, reset on Monday)."""
    return _group(calls, week_label, price_per_call=0.0, monthly_fee=0.0)


def monthly_cost(calls: Iterable[KvkCall], *, price_per_call: float, monthly_fee: float) -> list[Gebruik]:
    """Calls and euros per calendar month (Dutch time) and key: the fee plus the paid calls."""
    return _group(calls, month_label,
                  price_per_call=price_per_call, monthly_fee=monthly_fee)


def _group(calls, period_of, *, price_per_call: float, monthly_fee: float) -> list[Gebruik]:
    buckets: dict[tuple[str, str], list[int]] = {}
    for call in calls:
        counts = buckets.setdefault((period_of(call.tijdstip), call.key_id), [0, 0, 0])
        counts[0] += 1
        counts[1] += int(call.paid)
        counts[2] += int(call.status is None or call.status >= 400)
    return [Gebruik(periode, key, n, paid, errors, round(monthly_fee + paid * price_per_call, 2))
            for (periode, key), (n, paid, errors) in sorted(buckets.items())]
