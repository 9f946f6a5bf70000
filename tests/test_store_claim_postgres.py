"""On PostgreSQL, concurrent workers never get the same queue entry or outbox message and never
wait for each other (FOR UPDATE SKIP LOCKED)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from knoop_esb.store import outbox, queue

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 4, 1, 8, 0, tzinfo=timezone.utc)


def test_open_claim_does_not_block_and_is_skipped(requires_postgres, db):
    with db.session() as s:
        for i in range(6):
            queue.enqueue(s, f"3000000{i}", now=T0)
    holder = db.engine.connect()
    held = Session(bind=holder)
    try:
        first = queue.claim(held, limit=3, now=T0)  # transaction stays open: rows stay locked
        with db.session() as s:
            s.execute(text("SET LOCAL lock_timeout = '2s'"))  # a blocked claim fails, not hangs
            second = queue.claim(s, limit=10, now=T0)
        assert len(first) == 3 and len(second) == 3
        assert {e.id for e in first}.isdisjoint(e.id for e in second)
    finally:
        held.rollback()
        held.close()
        holder.close()


def test_many_workers_claim_each_message_once(requires_postgres, db):
    with db.session() as s:
        for i in range(60):
            outbox.add(s, referentienummer=f"conc-{i}", afnemer_oin="00000003000000000000", berichtcode="Lk01",
                       entiteittype="VES", object_sleutel=f"{i:012d}", payload="<x/>", now=T0)
    start = threading.Barrier(6)

    def worker(_):
        start.wait()
        got = []
        while True:
            with db.session() as s:
                batch = outbox.claim(s, afnemer_oin="00000003000000000000", limit=4, now=T0 + timedelta(seconds=1))
                got.extend(m.referentienummer for m in batch)
            if not batch:
                return got

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(worker, range(6)))
    everything = [ref for r in results for ref in r]
    assert len(everything) == 60
    assert len(set(everything)) == 60
