"""Paid-call policy (seed 002 force_paid/allow_paid, monthly limit), the call record, usage
derivations and the client-side token bucket."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.routing.sources.kvk_errors import KvkBetaaldGeweigerd
from knoop_esb.routing.sources.kvk_policy import PaidPolicy, is_paid
from knoop_esb.routing.sources.kvk_recorder import (InMemoryRecorder, KvkCall, key_id, monthly_cost,
                                                   weekly_usage)
from knoop_esb.routing.sources.ratelimit import TokenBucket
from tests.fixtures.kvk import KVK_TEST_KEY, make_kvk_client


@pytest.mark.parametrize("endpoint, paid", [
    ("zoeken", False), ("basisprofiel", True), ("basisprofiel.eigenaar", True),
    ("basisprofiel.hoofdvestiging", True), ("basisprofiel.vestigingen", True), ("vestigingsprofiel", True),
    ("naamgeving", True), ("mutatieservice.abonnementen", False), ("mutatieservice.signalen", False),
    ("mutatieservice.signaal", False),
])
def test_welke_endpoints_betaald_zijn(endpoint, paid):
    assert is_paid(endpoint) is paid


def test_allow_paid_uit_weigert_voor_de_aanroep(kvk_testserver, kvk_faults):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_testserver, recorder, allow_paid=False)
    with pytest.raises(KvkBetaaldGeweigerd):
        client.basisprofiel("68750110")
    with pytest.raises(KvkBetaaldGeweigerd):
        client.vestigingsprofiel("000037178598")
    with pytest.raises(KvkBetaaldGeweigerd):
        client.naamgeving("68750110")
    assert recorder.calls == [] and kvk_faults.requests("/api/v1/basisprofielen/68750110") == 0
    assert client.zoeken(kvkNummer="68750110")["totaal"] > 0            # free calls still go
    assert client.basisprofiel("68750110", force_paid=True)["kvkNummer"] == "68750110"
    assert client.basisprofiel("68750110", allow_paid=True)["kvkNummer"] == "68750110"
    client.close()


def test_per_aanroep_allow_paid_false(kvk_client, kvk_recorder):
    with pytest.raises(KvkBetaaldGeweigerd):
        kvk_client.vestigingsprofiel("000037178598", allow_paid=False)
    assert kvk_recorder.calls == []


def test_maandlimiet(kvk_testserver):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_testserver, recorder, monthly_paid_limit=2)
    client.basisprofiel("68750110")
    client.zoeken(kvkNummer="68750110")
    client.naamgeving("68750110")
    with pytest.raises(KvkBetaaldGeweigerd) as exc:
        client.basisprofiel("68750110")
    assert "maandlimiet" in str(exc.value)
    assert client.basisprofiel("68750110", force_paid=True)
    client.close()


def test_policy_zonder_http():
    policy = PaidPolicy(allow_paid=True, monthly_limit=0)
    policy.check("basisprofiel", allow_paid=None, force_paid=False, paid_this_month=lambda: 10**9)
    with pytest.raises(KvkBetaaldGeweigerd):
        PaidPolicy(allow_paid=False).check("naamgeving", allow_paid=None, force_paid=False, paid_this_month=lambda: 0)


def test_elke_aanroep_vastgelegd_zonder_sleutel(kvk_client, kvk_recorder):
    kvk_client.zoeken(kvkNummer="69599084")
    kvk_client.basisprofiel("69599084")
    zoek, basis = kvk_recorder.calls
    assert (zoek.endpoint, zoek.paid, zoek.status) == ("zoeken", False, 200)
    assert (basis.endpoint, basis.paid, basis.status, basis.ipd_code) == ("basisprofiel", True, 200, None)
    assert basis.duur_ms > 0 and basis.tijdstip.tzinfo is not None
    assert basis.key_id == key_id(KVK_TEST_KEY) and KVK_TEST_KEY not in repr(basis)


def _call(day: datetime, paid: bool, key: str = "k1", status: int = 200) -> KvkCall:
    return KvkCall(day, "basisprofiel" if paid else "zoeken", key, paid, status, None, 12.0)


def test_week_en_maandgebruik():
    monday = datetime(2026, 11, 16, 9, tzinfo=timezone.utc)
    calls = [_call(monday, True), _call(monday + timedelta(days=2), True), _call(monday, False),
             _call(monday + timedelta(days=7), True, status=404), _call(monday, True, key="k2")]
    weeks = {(g.periode, g.key_id): (g.calls, g.paid, g.errors) for g in weekly_usage(calls)}
    assert weeks == {("2026-W47", "k1"): (3, 2, 0), ("2026-W48", "k1"): (1, 1, 1), ("2026-W47", "k2"): (1, 1, 0)}
    [k1, k2] = monthly_cost(calls, price_per_call=0.019, monthly_fee=6.0)
    assert (k1.periode, k1.paid, k1.kosten) == ("2026-11", 3, 6.06)
    assert k2.kosten == 6.02


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_token_bucket():
    clock = FakeClock()
    bucket = TokenBucket(10, 2, clock=clock, sleep=clock.sleep)
    assert bucket.acquire() == 0 and bucket.acquire() == 0      # the burst
    assert bucket.acquire() == pytest.approx(0.1)               # then 10 per second
    clock.now += 5
    assert bucket.acquire() == 0 and bucket.acquire() == 0      # refilled, but never beyond the burst
    assert bucket.acquire() == pytest.approx(0.1)


def test_rate_limit_geldt_voor_echte_aanroepen(kvk_testserver):
    import time

    client = make_kvk_client(kvk_testserver, rate_per_second=20.0, rate_burst=1)
    started = time.monotonic()
    for _ in range(5):
        client.zoeken(kvkNummer="68750110")
    assert time.monotonic() - started >= 0.19                   # 4 waits of 1/20 s
    client.close()


def test_geheugenrecorder_is_begrensd():
    recorder = InMemoryRecorder(maxlen=3)
    now = datetime.now(timezone.utc)
    for i in range(5):
        recorder.record(KvkCall(now, "zoeken", "k", False, 200, None, float(i)))
    assert [c.duur_ms for c in recorder.calls] == [2.0, 3.0, 4.0]
