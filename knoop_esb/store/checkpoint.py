"""WAL checkpoints of a SQLite store in a background thread of the serving node.

SQLite copies its write-ahead log back into the database file (a checkpoint, with a disk flush)
inside whichever write pushes the log past 1000 pages. Under load that write, and every writer and
answer queued behind it, stalled: answers at 400/s had p99 84–214 ms with checkpoints in the
writers against 17–43 ms without. Here one thread per node does a PASSIVE checkpoint every
``database.checkpoint_seconds``: PASSIVE never waits for readers or writers and never calls the
busy handler, so requests are not held up; the writers' own automatic checkpoint stays as a safety
net at a much larger log (:data:`~knoop_esb.store.db.SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND`).
"""
from __future__ import annotations

import threading

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.store.db import Database, database

__all__ = ["WalCheckpointer", "start_for"]

log = logs.get("knoop_esb.store.checkpoint")


class WalCheckpointer:
    """``start()`` / ``stop()``; ``checkpoint()`` once, returning (busy, log pages, checkpointed)."""

    def __init__(self, db: Database, interval: float):
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def checkpoint(self) -> tuple[int, int, int]:
        with self.db.engine.connect() as verbinding:
            busy, pages, copied = verbinding.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        return busy, pages, copied

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                busy, pages, copied = self.checkpoint()
                if copied:
                    log.debug("wal checkpointed", pages=pages, copied=copied, busy=bool(busy))
            except Exception as exc:  # the next round tries again; writers still checkpoint at the safety net
                log.warning("wal checkpoint failed", error=str(exc).splitlines()[0])

    def start(self) -> "WalCheckpointer":
        log.info("wal checkpoints in the background", every_s=self.interval)
        self._thread = threading.Thread(target=self._run, name="knoop-esb-wal-checkpoint", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval + 5)
            self._thread = None


def start_for(config: Config) -> WalCheckpointer | None:
    """The checkpointer for a serving process of ``config``, started; None for PostgreSQL, an
    in-memory database or ``database.checkpoint_seconds = 0``."""
    db = database(config)
    if not db.file_backed:
        return None
    if config.database.checkpoint_seconds <= 0:
        return None
    return WalCheckpointer(db, config.database.checkpoint_seconds).start()
