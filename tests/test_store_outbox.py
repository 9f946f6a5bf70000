"""Outbox: once per referentienummer, in order per object, retry with back-off, dead letters."""
from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.store import outbox

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
OIN = "00000001234567890000"


def add(s, ref, sleutel, now=T0, oin=OIN):
    return outbox.add(s, referentienummer=ref, afnemer_oin=oin, berichtcode="Lk01", entiteittype="VES",
                      object_sleutel=sleutel, payload=f"<kennisgeving ref='{ref}'/>", now=now)


def test_in_order_per_object_and_once_per_referentienummer(db):
    with db.session() as s:
        assert add(s, "ref-a1", "000000000001")
        assert add(s, "ref-a2", "000000000001")
        assert add(s, "ref-b1", "000000000002")
        assert not add(s, "ref-a1", "000000000001")
    with db.session() as s:
        claimed = outbox.claim(s, afnemer_oin=OIN, now=T0)
        assert [m.referentienummer for m in claimed] == ["ref-a1", "ref-b1"]
        assert [m.volgnummer for m in claimed] == [1, 1]
        assert outbox.claim(s, afnemer_oin=OIN, now=T0) == []
        a1 = claimed[0]
        outbox.delivered(s, a1.id, now=T0)
    with db.session() as s:
        nxt = outbox.claim(s, afnemer_oin=OIN, now=T0)
        assert [(m.referentienummer, m.volgnummer) for m in nxt] == [("ref-a2", 2)]
        with pytest.raises(outbox.OutboxFout):
            outbox.delivered(s, 10**9)


def test_retry_backoff_dead_letter_and_requeue(db):
    oin = "00000009999999999999"
    with db.session() as s:
        add(s, "ref-c1", "000000000003", oin=oin)
        add(s, "ref-c2", "000000000003", oin=oin)
    now = T0
    for attempt in (1, 2):
        with db.session() as s:
            (m,) = outbox.claim(s, afnemer_oin=oin, now=now)
            assert m.referentienummer == "ref-c1" and m.attempts == attempt
            assert outbox.failed(s, m.id, "Fo03 StUF058", max_attempts=2, now=now, retry_after=timedelta(minutes=1)) == (
                "pending" if attempt == 1 else "dead"
            )
        now += timedelta(minutes=5)
    with db.session() as s:
        assert [m.referentienummer for m in outbox.dead_letters(s, afnemer_oin=oin)] == ["ref-c1"]
        # a dead message no longer holds back the next one for its object
        assert [m.referentienummer for m in outbox.claim(s, afnemer_oin=oin, now=now)] == ["ref-c2"]
        outbox.requeue(s, outbox.dead_letters(s, afnemer_oin=oin)[0].id, now=now)
    with db.session() as s:
        (m,) = outbox.claim(s, afnemer_oin=oin, now=now + timedelta(seconds=1))
        assert m.referentienummer == "ref-c1" and m.attempts == 1
        assert outbox.counts(s)["delivering"] >= 2
