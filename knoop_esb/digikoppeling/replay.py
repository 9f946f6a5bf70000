"""Replay protection: a signed message's wsa:MessageID is accepted once.

A MessageID is remembered until its signed Timestamp could no longer be accepted anyway (Expires,
or Created + replay window, plus skew), so the cache stays bounded by traffic in that window. Keys
are scoped by the signer's OIN: one afnemer cannot block another by sending its MessageIDs first.

Two implementations behind one method, :meth:`ReplayCache.remember`:
:class:`StoreReplayCache` (the store's ``replay_cache`` table; shared by every process and kept
across restarts) and :class:`MemoryReplayCache` (LRU + TTL, for a node without a store and tests).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Protocol

from knoop_esb import logs
from knoop_esb.digikoppeling.errors import HerhaaldBericht

__all__ = ["ReplayCache", "MemoryReplayCache", "StoreReplayCache", "replay_key"]

_log = logs.get(__name__)
_KEY_MAX = 255


def replay_key(signer_oin: str | None, message_id: str) -> str:
    key = f"{signer_oin or '-'} {message_id}"
    return key if len(key) <= _KEY_MAX else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class ReplayCache(Protocol):
    def remember(self, signer_oin: str | None, message_id: str, expires_at: datetime,
                 now: datetime | None = None) -> None:
        """Record the MessageID; raise :class:`HerhaaldBericht` when it was seen and has not expired."""


class MemoryReplayCache:
    """In-process cache: at most ``max_entries`` ids; the oldest is dropped when full (logged,
    because a dropped unexpired id could be replayed)."""

    def __init__(self, max_entries: int = 100_000):
        self._entries: OrderedDict[str, datetime] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, signer_oin, message_id, expires_at, now=None) -> None:
        now = now or datetime.now(timezone.utc)
        key = replay_key(signer_oin, message_id)
        with self._lock:
            self._refuse_known(key, message_id, now)
            self._entries[key] = expires_at
            if len(self._entries) > self._max:
                dropped, until = self._entries.popitem(last=False)
                _log.warning("replay_cache_full", dropped=dropped, remembered_until=until.isoformat())

    def check(self, signer_oin, message_id, now=None) -> None:
        """Raise :class:`HerhaaldBericht` when the MessageID is remembered and has not expired."""
        with self._lock:
            self._refuse_known(replay_key(signer_oin, message_id), message_id, now or datetime.now(timezone.utc))

    def _refuse_known(self, key: str, message_id: str, now: datetime) -> None:
        self._purge(now)
        if key in self._entries:
            raise HerhaaldBericht(f"wsa:MessageID {message_id} was already received "
                                  f"(remembered until {self._entries[key]:%Y-%m-%dT%H:%M:%SZ})")

    def _purge(self, now: datetime) -> None:
        # Entries are inserted roughly in expiry order; stop at the first one still valid.
        while self._entries:
            key, until = next(iter(self._entries.items()))
            if until > now:
                break
            self._entries.popitem(last=False)


class StoreReplayCache:
    """The store's ``replay_cache`` table: an INSERT that hits the primary key is a replay."""

    PURGE_EVERY = 200

    def __init__(self, database):
        self._db = database
        self._dialect = database.engine.dialect
        self._count = 0
        self._lock = threading.Lock()
        self._fallback = MemoryReplayCache()

    def remember(self, signer_oin, message_id, expires_at, now=None) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        if len(self._fallback):
            # Accepted while the store was unreachable: still refused after it is back.
            self._fallback.check(signer_oin, message_id, now)
        try:
            self._remember(signer_oin, message_id, expires_at, now)
        except SQLAlchemyError as exc:
            # The store is unreachable: keep refusing replays within this process rather than
            # refusing all signed traffic.
            _log.warning("replay cache store unavailable; using memory", error=str(exc).splitlines()[0])
            self._fallback.remember(signer_oin, message_id, expires_at, now)

    def _remember(self, signer_oin, message_id, expires_at, now) -> None:
        from knoop_esb.store import replay as store_replay

        now = now or datetime.now(timezone.utc)
        key = replay_key(signer_oin, message_id)
        with self._lock:
            self._count += 1
            purge = self._count % self.PURGE_EVERY == 1
        # Both statements autocommit: SQLite's write lock must not be held while the thread waits
        # for the GIL between a statement and its COMMIT (docs/store.md).
        if purge:
            with self._db.schrijven() as verbinding:
                store_replay.purge(verbinding, now=now)
        # One INSERT … ON CONFLICT DO NOTHING (an expired entry is renewed by a second one) on the
        # process's held connection: this runs for every signed message.
        with self._db.vaste_verbinding() as verbinding:
            nieuw = store_replay.remember_dbapi(verbinding, self._dialect, key, expires_at, now=now)
        if not nieuw:
            raise HerhaaldBericht(f"wsa:MessageID {message_id} was already received")
