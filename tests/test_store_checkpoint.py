"""WAL checkpoints of the SQLite store in the background (store.checkpoint)."""
from __future__ import annotations

import time

import pytest

from knoop_esb.store import checkpoint
from knoop_esb.store.db import SQLITE_AUTOCHECKPOINT_PAGES, SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND, Database, database
from tests.fixtures.node import node_config
from tests.fixtures.store import postgres_url


def _write_rows(db: Database, n: int) -> None:
    with db.schrijven() as verbinding:
        verbinding.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x TEXT)")
        for i in range(n):
            verbinding.exec_driver_sql("INSERT INTO t VALUES (?)", (f"row {i} " * 50,))


def _autocheckpoint(db: Database) -> int:
    with db.engine.connect() as verbinding:
        return verbinding.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


def test_checkpointer_copies_the_log_into_the_database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'knoop.db'}", wal_autocheckpoint=SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND)
    assert _autocheckpoint(db) == SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND  # writers leave it to the thread
    _write_rows(db, 200)
    size_before = (tmp_path / "knoop.db").stat().st_size
    worker = checkpoint.WalCheckpointer(db, interval=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while (tmp_path / "knoop.db").stat().st_size <= size_before and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert (tmp_path / "knoop.db").stat().st_size > size_before  # the rows reached the database file
    busy, pages, copied = worker.checkpoint()
    assert busy == 0 and copied == pages
    db.dispose()


def test_start_for_the_default_sqlite_store_only(pki, stuf_schemas_dir, tmp_path):
    config = node_config(pki, tmp_path / "node", stuf_schemas_dir)
    if postgres_url() is None:
        worker = checkpoint.start_for(config)
        try:
            assert worker is not None and worker.interval == config.database.checkpoint_seconds == 1.0
            assert _autocheckpoint(database(config)) == SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND
        finally:
            worker.stop()
            database(config).dispose()
    off = node_config(pki, tmp_path / "off", stuf_schemas_dir).replace("database", checkpoint_seconds=0)
    assert checkpoint.start_for(off) is None
    if postgres_url() is None:
        assert _autocheckpoint(database(off)) == SQLITE_AUTOCHECKPOINT_PAGES  # SQLite checkpoints itself
        database(off).dispose()


@pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL CI run only")
def test_no_checkpointer_for_postgresql(pki, stuf_schemas_dir, tmp_path):
    config = node_config(pki, tmp_path / "pg", stuf_schemas_dir, database_url=postgres_url())
    assert checkpoint.start_for(config) is None
