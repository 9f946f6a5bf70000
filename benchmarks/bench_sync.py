"""The sync engine end to end: 10 000 Mutatieservice signals polled, queued and processed
against the built-in KVK test source (its own process) over loopback HTTP (Basisprofiel, vestigingen, signal
details, Vestigingsprofielen), stored through the store's save path, on SQLite (and PostgreSQL
when KNOOP_DATABASE_URL names one). Target: < 60 s per engine. The floor is the same run's KVK
traffic alone (paging the signals and as many profile calls as the run made, without the
store); "x floor" = end-to-end time / floor time."""
from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import structlog

from knoop_esb.config import load
from knoop_esb.config.kvk import KvkConfig
from knoop_esb.kvktest.server import TEST_API_KEY, make_server
from knoop_esb.routing.sources.kvk_api import KvkApiClient
from knoop_esb.routing.sources.kvk_store_recorder import StoreRecorder
from knoop_esb.sync.poll import poll
from knoop_esb.sync.processors import Opties, Processors
from knoop_esb.sync.verwerk import process
from tests.fixtures.store import fresh_database

SIGNALEN = 10_000
INTERVAL = 30.0
NU = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


def _config(tmp: Path):
    path = tmp / "knoop.toml"
    path.write_text(f"[sync]\nterugkijken_dagen = {SIGNALEN * INTERVAL / 86400!r}\nbatch_size = 200\n")
    return load(path, environ={})


def _kvk(base_url: str) -> KvkConfig:
    return KvkConfig(base_url=base_url, api_key=TEST_API_KEY, rate_per_second=100_000.0, rate_burst=1000)


def _engine(naam: str, db, base_url: str, tmp: Path) -> dict:
    config = _config(tmp)
    client = KvkApiClient.from_config(_kvk(base_url), recorder=StoreRecorder(db))
    start = time.perf_counter()
    try:
        p = poll(config, db, client, nu=NU)
        r = process(config, db, Processors(db, client), Opties(batch_size=200))
    finally:
        client.close()
    seconden = time.perf_counter() - start
    vloer = _vloer(base_url, r.kvk_betaald)
    rijen = r.inserts + r.updates + r.beeindigd
    return {"engine": naam, "signals": p.signalen, "entries": r.verwerkt, "store rows (ins+upd+end)": rijen,
            "kennisgevingen": p.kennisgevingen + r.kennisgevingen, "KVK calls": p.kvk_gratis + r.kvk_betaald + r.kvk_gratis,
            "errors": r.fouten, "seconds": seconden, "signals/s": p.signalen / seconden, "rows/s": rijen / seconden,
            "floor (s)": vloer, "x floor": seconden / vloer,
            "peak RSS (MiB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _vloer(base_url: str, betaald: int) -> float:
    """The KVK traffic alone: page the same signals, then as many Basisprofiel calls as the run paid for."""
    client = KvkApiClient.from_config(_kvk(base_url))
    try:
        start = time.perf_counter()
        abonnement = client.abonnementen()["abonnementen"][0]["id"]
        for _ in client.signalen(abonnement, NU - timedelta(seconds=SIGNALEN * INTERVAL), NU):
            pass
        for _ in range(betaald):
            client.basisprofiel("68750110")
        return time.perf_counter() - start
    finally:
        client.close()


def _vaste_klok() -> datetime:
    return NU


def _bron(poort) -> None:
    """The test source in a process of its own, as KVK is: the node's Python does not share its core."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    server = make_server("127.0.0.1", 0, signaal_interval=INTERVAL, clock=_vaste_klok)
    poort.put(server.server_address[1])
    server.serve_forever()


def start_bron():
    context = multiprocessing.get_context("fork")
    poort = context.Queue()
    proces = context.Process(target=_bron, args=(poort,), daemon=True)
    proces.start()
    base_url = f"http://127.0.0.1:{poort.get(timeout=60)}"

    def stop() -> None:
        proces.terminate()
        proces.join(10)

    return base_url, stop


def run() -> dict:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    base_url, stop = start_bron()
    rows = []
    saved = os.environ.pop("KNOOP_DATABASE_URL", None)
    try:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as db:
            rows.append(_engine("SQLite", db, base_url, Path(tmp)))
        if saved and saved.startswith("postgresql"):
            os.environ["KNOOP_DATABASE_URL"] = saved
            with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as db:
                rows.append(_engine("PostgreSQL", db, base_url, Path(tmp)))
    finally:
        if saved is not None:
            os.environ["KNOOP_DATABASE_URL"] = saved
        stop()
    return {"_doc": __doc__.split("\n\n")[0].replace("\n", " "), "target (s)": 60, "end to end": rows}
