"""bedrijf_nieuw queue: one open entry per key, priority order, leases, retry and failure."""
from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.store import queue

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


def test_enqueue_is_idempotent_and_raises_priority(db):
    with db.session() as s:
        assert queue.enqueue(s, "10000001", reden="SignaalNieuweInschrijving", signaal_id="sig-1", now=T0)
        assert not queue.enqueue(s, "10000001", prioriteit=1, now=T0)
        assert queue.enqueue(s, "10000001", vestigingsnummer="000000000001", now=T0)
        assert queue.enqueue(s, "10000001", bron="handelsdata", now=T0)
    with db.session() as s:
        claimed = queue.claim(s, bron="kvk", met_vestigingsnummer=False, now=T0)
        assert [(e.kvk_nummer, e.prioriteit, e.attempts, e.status) for e in claimed] == [("10000001", 1, 1, "claimed")]
        queue.done(s, claimed[0].id)
    with db.session() as s:
        # done frees the key: the same company can be queued again later
        assert queue.enqueue(s, "10000001", now=T0)
        with pytest.raises(queue.QueueFout):
            queue.enqueue(s, "10000002", bron="elders")
        with pytest.raises(queue.QueueFout):
            queue.enqueue(s, "")


def test_priority_order_lease_expiry_and_retries(empty_db):
    db = empty_db
    db.migrate()
    with db.session() as s:
        for n, prio in (("20000001", 5), ("20000002", 1), ("20000003", 3)):
            queue.enqueue(s, n, bron="handelsdata", prioriteit=prio, now=T0)
    with db.session() as s:
        first = queue.claim(s, bron="handelsdata", limit=2, now=T0, lease=timedelta(minutes=10))
        assert [e.kvk_nummer for e in first] == ["20000002", "20000003"]
        assert queue.claim(s, bron="handelsdata", limit=5, now=T0)[0].kvk_nummer == "20000001"
    with db.session() as s:
        # nothing due until the leases run out: a crashed worker's entries come back
        assert queue.claim(s, bron="handelsdata", now=T0 + timedelta(minutes=5)) == []
        back = queue.claim(s, bron="handelsdata", now=T0 + timedelta(minutes=11))
        assert sorted(e.kvk_nummer for e in back) == ["20000001", "20000002", "20000003"]
        entry = next(e for e in back if e.kvk_nummer == "20000002")
        assert entry.attempts == 2
        assert queue.failed(s, entry.id, "IPD1002 tijdelijk niet beschikbaar", max_attempts=3,
                            now=T0 + timedelta(minutes=12)) == "pending"
    with db.session() as s:
        later = T0 + timedelta(hours=2)
        again = queue.claim(s, bron="handelsdata", now=later)
        entry = next(e for e in again if e.kvk_nummer == "20000002")
        assert entry.attempts == 3
        assert queue.failed(s, entry.id, "still down", max_attempts=3, now=later) == "failed"
        assert queue.counts(s, bron="handelsdata")["failed"] == 1
        assert entry.last_error == "still down"
        with pytest.raises(queue.QueueFout):
            queue.failed(s, 10**9, "x")
