"""The KVK call log in the store (kvk_request), the monthly limit read from it, and
``knoop-esb kvk usage`` over it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.cli import main
from knoop_esb.routing.sources.kvk_errors import KvkBetaaldGeweigerd
from knoop_esb.routing.sources.kvk_recorder import KvkCall, key_id, month_start
from knoop_esb.routing.sources.kvk_store_recorder import StoreRecorder
from knoop_esb.store import kvk_requests
from tests.fixtures.kvk import KVK_TEST_KEY, make_kvk_client


def test_aanroepen_in_de_store(db, kvk_testserver):
    recorder = StoreRecorder(db, price_per_call=0.02)
    client = make_kvk_client(kvk_testserver, recorder, key_id="store-test-1")
    client.zoeken(kvkNummer="69599084")
    client.basisprofiel("69599084")
    with pytest.raises(Exception):
        client.basisprofiel("12345678")
    client.close()
    since = month_start(datetime.now(timezone.utc))
    assert recorder.paid_count_since(since, "store-test-1") == 1
    calls = [c for c in recorder.calls_since(since) if c.key_id == "store-test-1"]
    assert [(c.endpoint, c.paid, c.status, c.ipd_code) for c in calls] == [
        ("zoeken", False, 200, None), ("basisprofiel", True, 200, None), ("basisprofiel", False, 404, "IPD0005")]
    with db.session() as session:
        tellers = [t for t in kvk_requests.weekly_counts(session) if t.token_id == "store-test-1"]
    assert {(t.endpoint, t.betaald, t.aantal, t.kosten_cent) for t in tellers} == {
        ("zoeken", False, 1, 0), ("basisprofiel", True, 1, 2), ("basisprofiel", False, 1, 0)}


def test_maandlimiet_uit_de_store(db, kvk_testserver):
    recorder = StoreRecorder(db)
    for _ in range(2):
        recorder.record(KvkCall(datetime.now(timezone.utc), "naamgeving", "store-test-2", True, 200, None, 5.0))
    # Handelsdata credits share the table but are not KVK calls
    with db.session() as session:
        kvk_requests.record(session, "handelsdata", token_id="store-test-2", betaald=True)
    client = make_kvk_client(kvk_testserver, recorder, key_id="store-test-2", monthly_paid_limit=2)
    with pytest.raises(KvkBetaaldGeweigerd):
        client.vestigingsprofiel("000037178598")
    assert client.zoeken(kvkNummer="68750110")["totaal"] > 0
    client.close()


@pytest.fixture
def restore_logging():
    """main() points structlog at capsys' stderr, which is closed after the test."""
    import structlog

    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def test_kvk_usage_cli(db, tmp_path, capsys, restore_logging, monkeypatch):
    # The CLI reads the environment too; CI's KNOOP_DATABASE_URL would win over this test's file.
    monkeypatch.delenv("KNOOP_DATABASE_URL", raising=False)
    config = tmp_path / "knoop.toml"
    config.write_text(f'[database]\nurl = "{db.url.render_as_string(hide_password=False)}"\n'
                      f'[kvk]\nprice_per_call = 0.019\nmonthly_fee = 6.0\n')
    recorder = StoreRecorder(db)
    now = datetime.now(timezone.utc)
    for i in range(3):
        recorder.record(KvkCall(now - timedelta(minutes=i), "basisprofiel", "cli-sleutel", True, 200, None, 3.0))
    assert main(["--config", str(config), "kvk", "usage"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith(now.strftime("%Y-%m")) and "cli-sleutel" in l)
    assert line.split()[-1] == "6.06"
    assert KVK_TEST_KEY not in out


def test_cli_fout_is_een_regel(tmp_path, capsys, restore_logging):
    config = tmp_path / "knoop.toml"
    config.write_text('[database]\nurl = "sqlite:////nonexistent-dir-xyz/sub/knoop.db"\n')
    assert main(["--config", str(config), "kvk", "usage", "--months", "0"]) == 1
    assert capsys.readouterr().err.strip() == "knoop-esb: --months must be at least 1"


def test_key_id_is_niet_de_sleutel():
    assert key_id("geheim") != "geheim" and key_id("geheim").startswith("sha256:")
    assert key_id("geheim", "productie") == "productie"


def test_kvk_check_cli(kvk_testserver, tmp_path, capsys, restore_logging):
    config = tmp_path / "knoop.toml"
    config.write_text(f'[kvk]\nbase_url = "{kvk_testserver}"\n')
    assert main(["--config", str(config), "kvk", "check"]) == 0
    assert "Zoeken answered (3 results)" in capsys.readouterr().out
    config.write_text(f'[kvk]\nbase_url = "{kvk_testserver}"\napi_key = "fout"\nmax_attempts = 1\n')
    assert main(["--config", str(config), "kvk", "check"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]     # before it: the structured kvk.fout log line
    assert err.startswith("knoop-esb: KVK not usable at http://127.0.0.1:") and "apikey" in err
