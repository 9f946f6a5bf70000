"""macLv01 answered from the store: over loopback HTTPS with mutual TLS against ``knoop-esb serve``
in its own process (cheroot, keep-alive, the whole pipeline: TLS peer, WS-Addressing, schema
validation in and out, doelbinding, protocol log) with 1, 8 and 32 concurrent clients, and the
same vraag in-process (Beantwoorder only, no network, no SOAP). Target: ≥ 400 requests/s over mTLS and p99 < 50 ms at 32 clients on 2 cores.

The server runs with its default ``node.workers`` (two processes per core) and
``node.active_requests`` (one request computing per process at a time), and ``node.threads = 8``
(the test nodes' value). The load comes from ``benchmarks.loadgen`` in a process of its own: one
thread per client with a blocking keep-alive mTLS socket sending the same prepared request bytes
and reading the answer by Content-Length (tens of µs of Python per request), so the figures are
the server's, not an HTTP client library's. ``mtls``: closed loop (each client sends again as soon
as it has its answer), i.e. maximum throughput; by Little's law its mean latency is clients /
throughput, so p99 < 50 ms at 32 such clients needs > 640 answers/s. ``mtls_paced``: 32 clients
together offering a fixed rate (open loop), latency counted from when each request was due — the
latency afnemers see at that load; 10 s per run, the target rate of 400/s three times over, since
one run's p99 moves with the VM's other tenants. SO_REUSEPORT spreads connections by a hash, not by load (32
keep-alive connections landed 17/15 to 21/11 on the two workers), so at a fixed rate the busier
worker can run over its capacity while the other idles; that is why the default is two workers per
core, where the OS scheduler evens it out. ``mtls_paced_1_worker_per_core`` is the same load with
``node.workers`` = cores, for comparison. The in-process figures run the clients as threads in this process."""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from knoop_esb import logs
from knoop_esb.routing.sources.base import Antwoord
from knoop_esb.stuf.ns import BG
from knoop_esb.transform.model import (Adres, Handelsnaam, MaatschappelijkeActiviteit, NietNatuurlijkPersoon,
                                       SbiActiviteit, Vestiging)

DUUR = 4.0  # seconds per measurement
CLIENTS = (1, 8, 32)
GEPACED = (300.0, 400.0, 400.0, 400.0)  # requests/s offered by CLIENTS[-1] clients together (open loop)
DUUR_GEPACED = 10.0  # a p99 over 4,000 answers rather than 1,600; the target rate is run three times
KVK = "12345678"


def _mac() -> MaatschappelijkeActiviteit:
    ves = Vestiging("000012345678", kvk_nummer=KVK, commercieel=True, hoofdvestiging=True,
                    handelsnamen=(Handelsnaam("Bakkerij De Korenschoof", 0),), eerste_handelsnaam="Bakkerij De Korenschoof",
                    sbi_activiteiten=(SbiActiviteit("1071", "Brood- en banketbakkerijen", True),),
                    adressen=(Adres(type="bezoekadres", straatnaam="Oudegracht", huisnummer=158, postcode="3511AZ",
                                    plaats="Utrecht"),))
    eigenaar = NietNatuurlijkPersoon(rsin="123456782", statutaire_naam="Bakkerij De Korenschoof B.V.",
                                     rechtsvorm="Besloten Vennootschap")
    return MaatschappelijkeActiviteit(KVK, naam="Bakkerij De Korenschoof B.V.", handelsnamen=(Handelsnaam("Bakkerij De Korenschoof", 0),),
                                      sbi_activiteiten=ves.sbi_activiteiten, eigenaar=eigenaar, hoofdvestiging=ves,
                                      datum_aanvang="20010402")


def _opzet(tmp: Path, afnemers: str | None = None):
    from tests.fixtures.node import node_config
    from tests.fixtures.pki import make_test_pki
    from tests.fixtures.stuf import INSTALLED
    from tests.fixtures.vraag import VRAAG_AFNEMERS
    from knoop_esb.store.db import database
    from knoop_esb.vraag.opslag import Opslag

    pki = make_test_pki(tmp / "pki")
    config = node_config(pki, tmp / "data", INSTALLED, afnemers=afnemers or VRAAG_AFNEMERS)
    toml = Path(config.source)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        poort = s.getsockname()[1]
    toml.write_text(toml.read_text().replace("port = 8443", f"port = {poort}")
                    .replace('level = "DEBUG"', 'level = "WARNING"'))
    from knoop_esb.config import load

    config = load(toml, environ={})
    db = database(config)
    db.migrate()
    Opslag(db)(Antwoord(bron="kvk", objecten=(_mac(),)))
    return config, pki


def _meet(werk, clients: int) -> dict:
    latenties: list[list[float]] = [[] for _ in range(clients)]
    stop = time.monotonic() + DUUR
    fouten = []

    def loop(i: int) -> None:
        try:
            doe = werk()
            while time.monotonic() < stop:
                begin = time.perf_counter()
                doe()
                latenties[i].append(time.perf_counter() - begin)
        except Exception as exc:  # a failed request ends the run: report it, do not hide it
            fouten.append(repr(exc))

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verstreken = time.monotonic() - begin
    alle = sorted(x for lijst in latenties for x in lijst)
    if fouten or not alle:
        raise RuntimeError(f"benchmark requests failed: {fouten[:1]}")
    return {"clients": clients, "requests_per_s": round(len(alle) / verstreken, 1),
            "p50_ms": round(statistics.median(alle) * 1000, 2),
            "p99_ms": round(alle[min(len(alle) - 1, int(len(alle) * 0.99))] * 1000, 2), "requests": len(alle)}


def _server(config, pki, workers: int | None = None):
    """``knoop-esb serve`` for ``config`` in a child process (its own GIL, like production);
    ``workers``: node.workers (None: the default, two per core)."""
    import os

    import httpx

    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    if workers is not None:
        env["KNOOP_NODE_WORKERS"] = str(workers)
    proces = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config.source), "serve"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"https://127.0.0.1:{config.node.port}"
    for _ in range(200):
        try:
            httpx.get(url + "/health", verify=pki.client_context("afnemer-demo"), timeout=1)
            return proces, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proces.kill()
    raise RuntimeError("knoop-esb serve did not start")


def _mtls(config, pki, tmp: Path, workers: int | None = None, gesloten: bool = True
          ) -> tuple[list[dict], list[dict]]:
    from benchmarks import loadgen
    from tests.fixtures.node import soap_envelope
    from tests.fixtures.vraag import AFNEMER, lv01

    proces, base = _server(config, pki, workers)
    path = "/stuf/bg0310/BeantwoordVraag"
    aanvragen = tmp / "macLv01.bin"
    loadgen.write_bodies(aanvragen, [soap_envelope(lv01("MAC", {"kvkNummer": KVK}), to=base + path, sender_oin=AFNEMER)])
    def meet(n: int, rate: float = 0.0, seconds: float = DUUR) -> dict:
        return loadgen.measure(port=config.node.port, path=path, soap_action=f"{BG}/macLv01", ca=pki.ca,
                               cert=pki.cert("afnemer-demo"), key=pki.key("afnemer-demo"), requests=aanvragen,
                               connections=n, seconds=seconds, expect="macLa01", rate=rate)

    try:
        if not gesloten:  # the comparison run: each rate once, short
            return [], [meet(CLIENTS[-1], rate) for rate in sorted(set(GEPACED))]
        return [meet(n) for n in CLIENTS], [meet(CLIENTS[-1], rate, DUUR_GEPACED) for rate in GEPACED]
    finally:
        proces.terminate()
        proces.wait(20)


def _in_process(config) -> list[dict]:
    from knoop_esb.vraag.handlers import beantwoorder
    from tests.fixtures.vraag import AFNEMER, lv01

    b = beantwoorder(config)

    def werk():
        vraag = lv01("MAC", {"kvkNummer": KVK})  # per client thread, outside the timed loop

        def doe():
            b.beantwoord(vraag, AFNEMER)
        return doe

    return [_meet(werk, n) for n in CLIENTS]


def run() -> dict:
    logs.setup("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        config, pki = _opzet(Path(tmp))
        mtls, paced = _mtls(config, pki, Path(tmp))
        _, paced_1x = _mtls(config, pki, Path(tmp), workers=os.cpu_count() or 1, gesloten=False)
        in_process = _in_process(config)
    return {"_doc": __doc__.strip(), "mtls": mtls, "mtls_paced": paced, "mtls_paced_1_worker_per_core": paced_1x, "in_process": in_process}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
