"""The KVK client against the built-in test source over loopback HTTP: calls per second per
endpoint (client overhead + test source, no network), the time to page through a 2500-vestigingen
company, and a week of Mutatieservice signals."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import structlog

from knoop_esb.config.kvk import KvkConfig
from knoop_esb.kvktest.server import TEST_API_KEY, start_in_thread
from knoop_esb.routing.sources.kvk_api import KvkApiClient

N = 300


def _rate(call, n: int = N) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return n / (time.perf_counter() - start)


def run() -> dict:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    base_url, stop = start_in_thread("127.0.0.1", 0, signaal_interval=30.0)
    config = KvkConfig(base_url=base_url, api_key=TEST_API_KEY, rate_per_second=100_000.0, rate_burst=1000)
    client = KvkApiClient.from_config(config)
    try:
        per_endpoint = [
            {"endpoint": "zoeken (kvkNummer)", "per second": _rate(lambda: client.zoeken(kvkNummer="69599084"))},
            {"endpoint": "basisprofiel", "per second": _rate(lambda: client.basisprofiel("68750110"))},
            {"endpoint": "vestigingsprofiel (geoData)",
             "per second": _rate(lambda: client.vestigingsprofiel("990064773193", geo_data=True))},
            {"endpoint": "naamgeving", "per second": _rate(lambda: client.naamgeving("68750110"))},
        ]
        start = time.perf_counter()
        lijst = client.vestigingen("99100002")
        groot = time.perf_counter() - start
        abonnement = client.abonnementen()["abonnementen"][0]["id"]
        vanaf = datetime(2026, 1, 5, tzinfo=timezone.utc)
        start = time.perf_counter()
        week = sum(1 for _ in client.signalen(abonnement, vanaf, vanaf + timedelta(days=7)))
        signalen = time.perf_counter() - start
    finally:
        client.close()
        stop()
    return {"_doc": __doc__.split("\n\n")[0].replace("\n", " "), "calls per endpoint": per_endpoint,
            "vestigingen of a 2500-vestigingen company (s)": groot,
            "vestigingen found": len(lijst["vestigingen"]),
            "signals in one week window": week, "paging one week of signals (s)": signalen}
