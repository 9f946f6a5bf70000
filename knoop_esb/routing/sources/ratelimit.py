"""Client-side token bucket: KVK allows at most 100 requests per second per key, and exceeding it
costs a 429 and a back-off; waiting a few milliseconds here is cheaper."""
from __future__ import annotations

import threading
import time
from typing import Callable


class TokenBucket:
    def __init__(self, rate_per_second: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        self.rate = rate_per_second
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                # The tolerance keeps float rounding from spinning on a token of 0.9999999.
                if self._tokens >= 1 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1)
                    return waited
                delay = max((1 - self._tokens) / self.rate, 1e-6)
            self._sleep(delay)
            waited += delay
