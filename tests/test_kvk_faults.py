"""KVK misbehaving, over real HTTP: each injected fault kind, the error scenarios of KVK's test
environment, bounded retries (attempts counted on both sides), timeouts, refused connections and
a wrong apikey."""
from __future__ import annotations

import socket
import time

import pytest

from knoop_esb.routing.sources.kvk_errors import (KvkAuthFout, KvkError, KvkOngeldigAntwoord,
                                                 KvkTijdelijkNietBeschikbaar, KvkVerbindingsfout)
from knoop_esb.routing.sources.kvk_recorder import InMemoryRecorder
from tests.fixtures.kvk import KVK_EXTRA_KEY, make_kvk_client

BASIS = "/api/v1/basisprofielen/68750110"


def test_429_wordt_herhaald_en_slaagt(kvk_client, kvk_recorder, kvk_faults):
    kvk_faults.arm("429", path=BASIS, count=2)
    assert kvk_client.basisprofiel("68750110")["kvkNummer"] == "68750110"
    assert [c.status for c in kvk_recorder.calls] == [429, 429, 200]
    assert [c.attempt for c in kvk_recorder.calls] == [1, 2, 3]
    assert kvk_faults.requests(BASIS) == 3
    assert [c.paid for c in kvk_recorder.calls] == [False, False, True]   # only the answer is billed


def test_503_ipd1002_begrensd_aantal_pogingen(kvk_client, kvk_recorder, kvk_faults):
    kvk_faults.arm("503-IPD1002", path=BASIS, count=None)
    with pytest.raises(KvkTijdelijkNietBeschikbaar) as exc:
        kvk_client.basisprofiel("68750110")
    assert exc.value.code == "IPD1002" and exc.value.status == 503
    assert "in behandeling" in exc.value.omschrijving
    assert len(kvk_recorder.calls) == 3 == kvk_faults.requests(BASIS)     # max_attempts, no storm


def test_404_ipd1003_is_tijdelijk(kvk_client, kvk_faults):
    kvk_faults.arm("404-IPD1003", path=BASIS, count=1)
    assert kvk_client.basisprofiel("68750110")["kvkNummer"] == "68750110"


def test_500_wordt_herhaald(kvk_client, kvk_recorder, kvk_faults):
    kvk_faults.arm("500", path="/api/v2/zoeken", count=1)
    assert kvk_client.zoeken(kvkNummer="68750110")["totaal"] >= 1
    assert [c.status for c in kvk_recorder.calls] == [500, 200]


def test_totale_wachttijd_is_begrensd(kvk_testserver, kvk_faults):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_testserver, recorder, max_attempts=50, max_retry_seconds=0.3,
                             backoff_initial=0.1, backoff_max=0.2)
    kvk_faults.arm("503-IPD1002", path=BASIS, count=None)
    started = time.monotonic()
    with pytest.raises(KvkTijdelijkNietBeschikbaar):
        client.basisprofiel("68750110")
    assert time.monotonic() - started < 2.0
    assert 1 < len(recorder.calls) < 6
    client.close()


def test_foutscenarios_van_de_kvk_testomgeving(kvk_client, kvk_recorder):
    with pytest.raises(KvkTijdelijkNietBeschikbaar) as exc:
        kvk_client.basisprofiel("90004973")
    assert exc.value.code == "IPD1002"
    with pytest.raises(KvkTijdelijkNietBeschikbaar) as exc:
        kvk_client.naamgeving("90002903")
    assert exc.value.code == "IPD9999" and exc.value.status == 500
    assert len(kvk_recorder.calls) == 6


def test_traag_antwoord_wordt_timeout(kvk_testserver, kvk_faults):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_testserver, recorder, timeout=0.3, max_attempts=2)
    kvk_faults.arm("slow:1.5", path=BASIS, count=2)
    with pytest.raises(KvkVerbindingsfout) as exc:
        client.basisprofiel("68750110")
    assert exc.value.tijdelijk and "0.3" in exc.value.omschrijving
    assert [c.status for c in recorder.calls] == [None, None]
    client.close()


def test_traag_maar_binnen_timeout_slaagt(kvk_client, kvk_faults):
    kvk_faults.arm("slow:0.2", path=BASIS, count=1)
    assert kvk_client.basisprofiel("68750110")["kvkNummer"] == "68750110"


def test_kapotte_json_is_ongeldig_antwoord_zonder_herhaling(kvk_client, kvk_recorder, kvk_faults):
    kvk_faults.arm("malformed-json", path=BASIS, count=None)
    with pytest.raises(KvkOngeldigAntwoord):
        kvk_client.basisprofiel("68750110")
    assert len(kvk_recorder.calls) == 1 and not kvk_recorder.calls[0].paid


def test_verbroken_verbinding_wordt_herhaald(kvk_client, kvk_recorder, kvk_faults):
    kvk_faults.arm("reset", path=BASIS, count=1)
    assert kvk_client.basisprofiel("68750110")["kvkNummer"] == "68750110"
    assert [c.status for c in kvk_recorder.calls] == [None, 200]


def test_fout_via_header(kvk_testserver):
    import httpx

    response = httpx.get(f"{kvk_testserver}{BASIS}", headers={"apikey": KVK_EXTRA_KEY, "X-Kvktest-Fault": "429"})
    assert response.status_code == 429 and response.json()["fout"][0]["omschrijving"]


def test_onbekende_fout_in_header_is_400(kvk_testserver):
    import httpx

    response = httpx.get(f"{kvk_testserver}{BASIS}", timeout=5,
                         headers={"apikey": KVK_EXTRA_KEY, "X-Kvktest-Fault": "503"})
    assert response.status_code == 400 and "unknown X-Kvktest-Fault '503'" in response.json()["error"]


def test_verbinding_geweigerd():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # closed again: nobody listens there
    recorder = InMemoryRecorder()
    client = make_kvk_client(f"http://127.0.0.1:{port}", recorder)
    with pytest.raises(KvkVerbindingsfout) as exc:
        client.zoeken(naam="Donald")
    assert len(recorder.calls) == 3 and all(c.status is None for c in recorder.calls)
    assert "verbinding" in str(exc.value)
    client.close()


def test_onjuiste_apikey_is_authfout_zonder_herhaling(kvk_testserver):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_testserver, recorder, api_key="verkeerde-sleutel")
    with pytest.raises(KvkAuthFout) as exc:
        client.basisprofiel("68750110")
    assert exc.value.status == 401 and len(recorder.calls) == 1
    with pytest.raises(KvkAuthFout):
        client.abonnementen()          # the Mutatieservice answers 401 as RFC 7807
    client.close()


def test_geconfigureerde_sleutel_wordt_geaccepteerd(kvk_testserver):
    client = make_kvk_client(kvk_testserver, api_key=KVK_EXTRA_KEY)
    assert client.basisprofiel("68750110")["kvkNummer"] == "68750110"
    client.close()


def test_onleesbare_ca_bundle_is_duidelijke_fout(tmp_path):
    with pytest.raises(KvkVerbindingsfout) as exc:
        make_kvk_client("https://api.kvk.nl", ca_bundle=str(tmp_path / "bestaat-niet.pem"))
    assert not exc.value.tijdelijk and "ca_bundle" in str(exc.value)


def test_elke_fout_een_keer_gelogd(kvk_client, kvk_faults, capsys):
    import structlog

    kvk_faults.arm("503-IPD1002", path=BASIS, count=None)
    with structlog.testing.capture_logs() as logs, pytest.raises(KvkError):
        kvk_client.basisprofiel("68750110")
    assert [entry["event"] for entry in logs if entry["log_level"] in ("warning", "error")] == ["kvk.fout"]
