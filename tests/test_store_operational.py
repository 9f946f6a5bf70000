"""Signals, replay cache, afnemerindicaties and the KVK request log."""
from datetime import date, datetime, timedelta, timezone

import pytest

from knoop_esb.store import afnemerindicaties, kvk_requests, replay, signalen

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)  # a Wednesday


def test_signals_are_stored_once_and_marked(db):
    raw = {"signaal": {"signaalType": "SignaalNieuweInschrijving", "heeftBetrekkingOp": {"kvkNummer": "31009215"}}}
    with db.session() as s:
        assert signalen.save(s, signaal_id="s-1", signaal_type="SignaalNieuweInschrijving", kvk_nummer="31009215",
                             tijdstip=T0, raw=raw)
        assert not signalen.save(s, signaal_id="s-1", signaal_type="SignaalNieuweInschrijving", kvk_nummer="31009215",
                                 tijdstip=T0, raw=raw)
    with db.session() as s:
        (sig,) = signalen.nieuwe(s)
        assert sig.raw == raw and sig.tijdstip == T0
        signalen.mark(s, "s-1", "verwerkt")
        with pytest.raises(ValueError):
            signalen.mark(s, "s-1", "weg")
    with db.session() as s:
        assert signalen.nieuwe(s) == []


def test_replay_cache(db):
    with db.session() as s:
        assert replay.remember(s, "uuid:1", T0 + timedelta(minutes=5), now=T0)
        assert not replay.remember(s, "uuid:1", T0 + timedelta(minutes=5), now=T0 + timedelta(minutes=1))
        # after expiry the id may be used again
        assert replay.remember(s, "uuid:1", T0 + timedelta(minutes=20), now=T0 + timedelta(minutes=10))
        assert replay.purge(s, now=T0 + timedelta(hours=1)) == 1



def test_replay_rows_written_on_the_driver_read_and_compare_like_orm_rows(db):
    """remember_on writes through the DBAPI cursor: its times must be the ones SQLAlchemy reads
    back and compares against (purge by expires_at), on an autocommit connection too."""
    from sqlalchemy import select

    from knoop_esb.store.models import ReplayCache

    until = T0 + timedelta(minutes=5, microseconds=123456)
    with db.schrijven() as verbinding:
        assert replay.remember_on(verbinding, "uuid:2", until, now=T0)
        assert not replay.remember_on(verbinding, "uuid:2", until, now=T0 + timedelta(minutes=1))
    with db.session() as s:
        row = s.execute(select(ReplayCache).where(ReplayCache.message_id == "uuid:2")).scalar_one()
        assert (row.seen_at, row.expires_at) == (T0, until)
        assert replay.purge(s, now=until - timedelta(microseconds=1)) == 0
        assert replay.purge(s, now=until) == 1


def test_replay_insert_has_finished_when_execute_returns(db):
    """Every worker process writes the replay cache. On SQLite the autocommit INSERT must be done,
    write lock released, when the cursor's execute() returns: an INSERT … RETURNING stops at its
    row and holds the lock until the thread, back in Python, gets the GIL to fetch it."""
    import sqlite3

    if db.dialect != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    first, _, tijd = replay._statements(db.engine.dialect)
    with db.schrijven() as verbinding:
        cursor = verbinding.connection.dbapi_connection.cursor()
        first.execute(cursor, {"b_id": "uuid:3", "b_now": tijd(T0), "b_until": tijd(T0 + timedelta(minutes=5))})
        other = sqlite3.connect(db.url.database, timeout=0)  # no waiting: a held lock fails at once
        try:
            other.execute("UPDATE replay_cache SET seen_at = seen_at WHERE message_id = 'uuid:3'")
            other.commit()
        finally:
            other.close()
        assert cursor.rowcount == 1

def test_held_connection_writes_in_autocommit_and_is_replaced_after_an_error(db):
    """The replay cache's held connection: each INSERT is committed on its own (another
    connection sees it at once), and a broken connection is dropped, not reused."""
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from knoop_esb.store.models import ReplayCache

    until = T0 + timedelta(minutes=5)
    with db.vaste_verbinding() as verbinding:
        assert replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:held-1", until, now=T0)
        assert not replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:held-1", until, now=T0)
        eerste = verbinding
    with db.session() as s:  # no COMMIT was needed
        assert s.scalar(select(ReplayCache.message_id).where(ReplayCache.message_id == "uuid:held-1"))
    with db.vaste_verbinding() as verbinding:
        assert verbinding is eerste  # held, not taken from the pool again
        verbinding.close()  # the store went away under it
    with pytest.raises(DBAPIError):
        with db.vaste_verbinding() as verbinding:
            replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:held-2", until, now=T0)
    with db.vaste_verbinding() as verbinding:
        assert verbinding is not eerste
        assert replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:held-2", until, now=T0)


def test_held_connection_is_never_inherited_by_a_forked_worker(db):
    """Worker processes are forked: a child opens its own held connection (a SQLite or libpq
    handle used on both sides of a fork corrupts its state) and its writes land in the same store."""
    import multiprocessing

    until = T0 + timedelta(minutes=5)
    with db.vaste_verbinding() as verbinding:
        assert replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:fork-parent", until, now=T0)
        van_ouder = id(verbinding)

    def kind(uitkomst):
        with db.vaste_verbinding() as eigen:
            uitkomst.put((id(eigen) != van_ouder,
                          replay.remember_dbapi(eigen, db.engine.dialect, "uuid:fork-child", until, now=T0),
                          replay.remember_dbapi(eigen, db.engine.dialect, "uuid:fork-parent", until, now=T0)))

    context = multiprocessing.get_context("fork")
    uitkomst = context.Queue()
    proces = context.Process(target=kind, args=(uitkomst,))
    proces.start()
    eigen_verbinding, nieuw, herhaald = uitkomst.get(timeout=30)
    proces.join(30)
    assert (eigen_verbinding, nieuw, herhaald) == (True, True, False)
    with db.vaste_verbinding() as verbinding:  # the parent's connection still works and sees the child's row
        assert id(verbinding) == van_ouder
        assert not replay.remember_dbapi(verbinding, db.engine.dialect, "uuid:fork-child", until, now=T0)


def test_afnemerindicaties(db):
    with db.session() as s:
        assert afnemerindicaties.plaats(s, "00000002", "VES", "000000000001")
        assert not afnemerindicaties.plaats(s, "00000002", "VES", "000000000001")
        assert afnemerindicaties.plaats(s, "00000001", "VES", "000000000001", bron="cli")
    with db.session() as s:
        assert afnemerindicaties.afnemers_van(s, "VES", "000000000001") == ["00000001", "00000002"]
        assert afnemerindicaties.verwijder(s, "00000002", "VES", "000000000001")
        assert not afnemerindicaties.verwijder(s, "00000002", "VES", "000000000001")
        assert [i.bron for i in afnemerindicaties.van_afnemer(s, "00000001")] == ["cli"]


def test_kvk_request_weekly_counters_and_monthly_cost(db):
    with db.session() as s:
        kvk_requests.record(s, "basisprofiel", token_id="key-1", betaald=True, http_status=200, kosten_cent=2, at=T0)
        kvk_requests.record(s, "basisprofiel", token_id="key-1", betaald=True, http_status=200, kosten_cent=2, at=T0)
        kvk_requests.record(s, "zoeken", token_id="key-1", http_status=200, at=T0)
        kvk_requests.record(s, "vestigingsprofiel", token_id="key-1", betaald=True, http_status=503, ipd_code="IPD1002",
                            kosten_cent=0, at=T0)
        # Sunday 23:30 Dutch time = previous week; Monday 00:30 Dutch time (Sunday 23:30 UTC) = this week
        kvk_requests.record(s, "zoeken", at=datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc))
        kvk_requests.record(s, "zoeken", at=datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc))
        # February
        kvk_requests.record(s, "basisprofiel", betaald=True, kosten_cent=5, at=datetime(2026, 2, 27, tzinfo=timezone.utc))
    with db.session() as s:
        week = {(t.endpoint, t.token_id, t.betaald): t.aantal for t in kvk_requests.weekly_counts(s, date(2026, 3, 4))}
        assert week == {("basisprofiel", "key-1", True): 2, ("zoeken", "key-1", False): 1, ("zoeken", "", False): 1,
                        ("vestigingsprofiel", "key-1", True): 1}
        assert kvk_requests.monthly_cost(s, 2026, 3) == 4
        assert kvk_requests.monthly_cost(s, 2026, 2) == 5
        assert kvk_requests.monthly_cost(s, 2025, 12) == 0


def test_kvk_usage_and_paid_count_in_dutch_weeks_and_months(db):
    with db.session() as s:
        kvk_requests.record(s, "basisprofiel", token_id="k", betaald=True, http_status=200, kosten_cent=2, at=T0)
        kvk_requests.record(s, "zoeken", token_id="k", http_status=503, at=T0)
        kvk_requests.record(s, "zoeken", token_id="k", at=T0)                      # no answer: an error
        kvk_requests.record(s, "handelsdata", token_id="k", betaald=True, at=T0)
        # 28 Feb 23:30 UTC is 1 March 00:30 Dutch time: March, and the week of Monday 23 February
        kvk_requests.record(s, "naamgeving", token_id="k", betaald=True, http_status=200, kosten_cent=2,
                            at=datetime(2026, 2, 28, 23, 30, tzinfo=timezone.utc))
    endpoints = {"basisprofiel", "zoeken", "naamgeving"}
    with db.session() as s:
        weeks, months = kvk_requests.usage(s, datetime(2026, 2, 20, tzinfo=timezone.utc),
                                           until=datetime(2026, 3, 5, tzinfo=timezone.utc), endpoints=endpoints)
        assert [(g.periode, g.aantal, g.betaald, g.fouten) for g in weeks if g.token_id == "k"] == [
            ("2026-W09", 1, 1, 0), ("2026-W10", 3, 1, 2)]
        assert [(g.periode, g.token_id, g.aantal, g.betaald) for g in months if g.token_id == "k"] == [
            ("2026-03", "k", 4, 2)]
        assert kvk_requests.paid_count_since(s, datetime(2026, 3, 1, tzinfo=kvk_requests.NL),
                                             token_id="k", endpoints=endpoints) == 2
        cent = sum(t.kosten_cent for t in kvk_requests.monthly_counts(s, 2026, 3) if t.betaald)
        paid = sum(t.aantal for t in kvk_requests.monthly_counts(s, 2026, 3) if t.betaald)
        assert kvk_requests.monthly_cost(s, 2026, 3) == cent
        assert kvk_requests.monthly_cost(s, 2026, 3, price_per_call=0.019) == round(paid * 1.9)
