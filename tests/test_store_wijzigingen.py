"""The seam between saving and distributing: every change a transaction saves reaches the
Database's listeners inside that transaction, once; no change, no call; a rollback, nothing."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from knoop_esb.store import handelsregister as hr
from knoop_esb.store import outbox
from knoop_esb.store.bulk import save_many
from knoop_esb.store.models import Outbox

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)


def mac(nummer, naam="Korenschoof B.V."):
    return hr.MacZoek(kvk_nummer=nummer, naam=naam)


@pytest.fixture
def gehoord(db):
    calls = []

    def luisteraar(session, wijzigingen):
        calls.append(list(wijzigingen))
        for w in wijzigingen:  # writes in the same transaction, as the kennisgevingen distributor does
            outbox.add(session, referentienummer=f"w-{w.sleutel}-{w.versie_id}", afnemer_oin="00000099000000000001",
                       berichtcode="Lk01", entiteittype=w.entiteittype, object_sleutel=w.sleutel, payload="<x/>",
                       now=T0)

    db.aansluiten(luisteraar)
    db.aansluiten(luisteraar)  # attaching twice is once
    yield calls
    db.luisteraars.remove(luisteraar)


def _outbox(db, sleutel):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.object_sleutel == sleutel))


def test_new_changed_unchanged_and_ended(db, gehoord):
    with db.session() as s:
        hr.save(s, mac("70000001"), {"naam": "a"}, tijdstip=T0)
    assert [(w.sleutel, w.oud, w.nieuw) for w in gehoord[-1]] == [("70000001", None, {"naam": "a"})]
    n = len(gehoord)
    with db.session() as s:
        hr.save(s, mac("70000001"), {"naam": "a"}, tijdstip=T0 + timedelta(days=1))
    assert len(gehoord) == n  # a save that changes nothing produces nothing
    with db.session() as s:
        hr.save(s, mac("70000001"), {"naam": "b"}, tijdstip=T0 + timedelta(days=2))
    [w] = gehoord[-1]
    assert (w.oud, w.nieuw, w.bron) == ({"naam": "a"}, {"naam": "b"}, "kvk")
    with db.session() as s:
        hr.end(s, "MAC", "70000001", date(2026, 4, 10), tijdstip=T0 + timedelta(days=3))
    [w] = gehoord[-1]
    assert (w.eind_geldigheid_oud, w.eind_geldigheid, w.nieuw) == (None, date(2026, 4, 10), {"naam": "b"})
    assert _outbox(db, "70000001") == 3


def test_one_call_per_transaction_with_every_change_including_bulk(db, gehoord):
    with db.session() as s:
        save_many(s, [(mac(f"7100000{i}"), {"i": i}) for i in range(3)], tijdstip=T0)
        hr.save(s, mac("71000009"), {"i": 9}, tijdstip=T0)
    assert sorted(w.sleutel for w in gehoord[-1]) == ["71000000", "71000001", "71000002", "71000009"]
    assert all(w.versie_id for w in gehoord[-1])


def test_rollback_delivers_nothing_and_keeps_nothing(db, gehoord):
    n = len(gehoord)
    with pytest.raises(RuntimeError):
        with db.session() as s:
            hr.save(s, mac("72000001"), {"naam": "a"}, tijdstip=T0)
            raise RuntimeError("the transaction fails after the save")
    assert len(gehoord) == n
    with db.session() as s:
        assert hr.actueel(s, "MAC", "72000001") is None
        hr.save(s, mac("72000002"), {"naam": "a"}, tijdstip=T0)
    assert [w.sleutel for w in gehoord[-1]] == ["72000002"]  # nothing left over from the rolled-back session


def test_a_failing_listener_rolls_the_change_back(db):
    def kapot(session, wijzigingen):
        raise RuntimeError("distribution failed")

    db.aansluiten(kapot)
    try:
        with pytest.raises(RuntimeError):
            with db.session() as s:
                hr.save(s, mac("73000001"), {"naam": "a"}, tijdstip=T0)
    finally:
        db.luisteraars.remove(kapot)
    with db.session() as s:
        assert hr.actueel(s, "MAC", "73000001") is None
