"""Schrijfsluis: a SQLite store's hot writers take turns across threads and worker processes."""
from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.store import replay
from knoop_esb.store.db import Database
from knoop_esb.store.sluis import Schrijfsluis
from tests.fixtures.store import postgres_url


def _hold_turns(sluis: Schrijfsluis, log_path, who: str, turns: int) -> None:
    for _ in range(turns):
        with sluis():
            with open(log_path, "a") as log:
                log.write(f"in {who}\n")
            time.sleep(0.002)  # long enough for another writer to barge in if it could
            with open(log_path, "a") as log:
                log.write(f"out {who}\n")


def _threads(sluis, log_path, prefix: str, n: int, turns: int) -> None:
    threads = [threading.Thread(target=_hold_turns, args=(sluis, log_path, f"{prefix}{i}", turns)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_one_writer_at_a_time_across_forked_processes_and_threads(tmp_path):
    sluis = Schrijfsluis(tmp_path / "knoop.db.schrijfsluis")
    log_path = tmp_path / "turns.log"
    with sluis():  # the parent opened the file first: forked children must not share its lock
        pass
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_threads, args=(sluis, log_path, f"p{c}-", 3, 5)) for c in range(3)]
    for child in children:
        child.start()
    _threads(sluis, log_path, "parent-", 3, 5)
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    lines = log_path.read_text().splitlines()
    assert len(lines) == 2 * 5 * 3 * 4
    for entering, leaving in zip(lines[::2], lines[1::2]):
        assert entering.startswith("in ") and leaving == "out " + entering[3:]


def test_sqlite_database_writes_through_the_sluis(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'knoop.db'}")
    db.migrate()
    now = datetime.now(timezone.utc)
    with db.schrijven() as verbinding:
        assert replay.remember_on(verbinding, "urn:uuid:1", now + timedelta(minutes=5), now=now)
    with db.schrijven() as verbinding:  # autocommitted: the first write is visible to the next
        assert not replay.remember_on(verbinding, "urn:uuid:1", now + timedelta(minutes=5), now=now)
    assert (tmp_path / "knoop.db.schrijfsluis").exists()
    db.dispose()


def test_memory_database_needs_no_sluis():
    # An in-memory SQLite database is one process's own: there is no file to take turns on.
    memory = Database("sqlite:///:memory:")
    assert not isinstance(memory._sluis, Schrijfsluis)
    with memory.schrijven() as verbinding:
        assert verbinding.exec_driver_sql("SELECT 1").scalar() == 1


@pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL CI run only")
def test_postgresql_writes_without_sluis(db):
    # PostgreSQL locks rows, not the database: its writers need no turns.
    assert not isinstance(db._sluis, Schrijfsluis)
    now = datetime.now(timezone.utc)
    with db.schrijven() as verbinding:
        assert replay.remember_on(verbinding, "urn:uuid:pg-1", now + timedelta(minutes=5), now=now)
