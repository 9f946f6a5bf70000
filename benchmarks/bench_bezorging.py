"""Delivery of kennisgevingen (``knoop_esb.bezorging``): outbox rows (schema-valid vesLk01, one
object each) delivered by one ``Bezorger`` to 1 and to 10 loopback subscribers over HTTPS with
mutual TLS, unsigned (2W-be) and signed (2W-be-S), on a SQLite store. Each delivery is the whole
path: claim with lease, envelope + WS-A from stuurgegevens, (signing), POST, Bv03 parsed, row
marked delivered and one protocol line written. Targets: ≥ 1 000/s unsigned, ≥ 400/s signed.

The subscribers (``bezorging.ontvanger.Ontvanger``, answering Bv03) run in a process of their own.
The floor: the same envelopes (built and, for 2W-be-S, signed beforehand) POSTed to the same
subscribers by a bare ``requests`` client with as many threads as the worker has deliveries in
flight and the same keep-alive connections (``parallel`` per subscriber) — what the subscribers
and the HTTPS stack can take at all, without store, envelope building or signing; ``pct_of_floor`` is the
worker's share of it. The worker has ``parallel`` = 16 per endpoint (1 subscriber) or 4 (10
subscribers), at most 32 in flight."""
from __future__ import annotations

import multiprocessing
import tempfile
import threading
import time
from pathlib import Path

from lxml import etree

RIJEN = {"2W-be": 2000, "2W-be-S": 800}
GELIJKTIJDIG = 32
DEMO, SIGNED = "00000099000000000001", "00000099000000000002"


def _ontvangers(pki_dir: str, aantal: int, urls, klaar, stop) -> None:
    from knoop_esb import logs
    from knoop_esb.bezorging.ontvanger import Ontvanger

    logs.setup("WARNING", "console")
    pki = Path(pki_dir)
    servers = [Ontvanger("127.0.0.1", 0, certificate=pki / "server.pem", private_key=pki / "server.key",
                         trust_anchors=pki / "ca.pem") for _ in range(aantal)]
    for s in servers:
        urls.append(s.start())
    klaar.set()
    stop.wait()
    for s in servers:
        s.stop()


def _config(tmp: Path, pki, urls: list[str], profiel: str):
    from tests.fixtures.node import node_config
    from tests.fixtures.stuf import INSTALLED

    oin = SIGNED if profiel == "2W-be-S" else DEMO
    parallel = 16 if len(urls) == 1 else 4
    afnemers = f'[[afnemers.afnemer]]\noin = "{oin}"\nprofiel = "{profiel}"\napplicatie = "ZAAKSYS"\n'
    for n, url in enumerate(urls):
        afnemers += f'[[afnemers.afnemer.endpoint]]\nnaam = "e{n}"\nurl = "{url}"\nparallel = {parallel}\n'
    config = node_config(pki, tmp, INSTALLED, afnemers=afnemers,
                         extra=f"[bezorging]\ngelijktijdig = {GELIJKTIJDIG}\npoll = 0.05\n")
    toml = Path(config.source)
    toml.write_text(toml.read_text().replace('level = "DEBUG"', 'level = "WARNING"'))
    from knoop_esb.config import load

    return load(toml, environ={}), oin


def _vul(db, oin: str, endpoints: int, n: int, prefix: str) -> list[str]:
    from knoop_esb.store import outbox
    from tests.fixtures.bezorging import lk01_payload

    payloads = []
    with db.session() as s:
        for i in range(n):
            ref = f"{prefix}-{i}"
            payload = lk01_payload(ref, oin, f"{i:012d}")
            payloads.append(payload)
            outbox.add(s, referentienummer=ref, afnemer_oin=oin, endpoint=f"e{i % endpoints}", berichtcode="Lk01",
                       entiteittype="VES", object_sleutel=f"{i:012d}", payload=payload)
    return payloads


def _bezorg(config, db, n: int) -> float:
    from sqlalchemy import func, select

    from knoop_esb.bezorging.worker import Bezorger
    from knoop_esb.store.models import Outbox

    bezorger = Bezorger(config, db)
    begin = time.perf_counter()
    try:
        while True:
            bezorger.ronde(wacht=True)
            if not bezorger.in_behandeling():
                with db.session() as s:
                    open_ = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != "delivered"))
                if open_ == 0:
                    break
    finally:
        bezorger.sluit()
    seconden = time.perf_counter() - begin
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "delivered")) == n
    return n / seconden


def _vloer(config, oin: str, urls: list[str], payloads: list[str], profiel: str) -> float:
    """The same envelopes POSTed by a bare requests client, GELIJKTIJDIG threads."""
    import requests

    from knoop_esb.bezorging.envelop import envelop, http_headers, lees
    from knoop_esb.digikoppeling.client import session
    from knoop_esb.digikoppeling.profiles import profiel as wus_profiel
    from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope
    from knoop_esb.digikoppeling.tls import tls_files

    files = tls_files(config)
    signer = Ondertekenaar.from_files(files.certificate, files.private_key) if profiel == "2W-be-S" else None
    werk = []
    for i, payload in enumerate(payloads):
        bericht = lees(payload.replace("bench-", "vloer-"))
        url = urls[i % len(urls)]
        root = envelop(bericht, url=url, profiel=profiel)
        if signer is not None:
            sign_envelope(root, signer, wus_profiel(profiel))
        werk.append((url, etree.tostring(root, xml_declaration=True, encoding="UTF-8"), http_headers(bericht)))
    index = iter(range(len(werk)))
    lock = threading.Lock()
    # As the worker holds them: one keep-alive pool per subscriber of `parallel` connections.
    sessies = {}
    for url in urls:
        sessies[url] = session(client_cert=files.certificate, client_key=files.private_key, ca=files.trust_anchors)
        sessies[url].mount("https://", requests.adapters.HTTPAdapter(pool_maxsize=16 if len(urls) == 1 else 4))

    def draad() -> None:
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                return
            url, data, headers = werk[i]
            r = sessies[url].post(url, data=data, headers=headers, timeout=10)
            assert r.status_code == 200 and b"Bv03Bericht" in r.content

    draden = [threading.Thread(target=draad) for _ in range(GELIJKTIJDIG)]
    begin = time.perf_counter()
    for d in draden:
        d.start()
    for d in draden:
        d.join()
    return len(werk) / (time.perf_counter() - begin)


def run() -> dict:
    from tests.fixtures.pki import make_test_pki

    from knoop_esb import logs
    from knoop_esb.store.db import database, reset_instances

    logs.setup("WARNING", "console")  # as the node logs: one line per failure, none per delivery

    rijen = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pki = make_test_pki(tmp / "pki")
        for aantal in (1, 10):
            ctx = multiprocessing.get_context("fork")
            manager = ctx.Manager()
            urls, klaar, stop = manager.list(), ctx.Event(), ctx.Event()
            proces = ctx.Process(target=_ontvangers, args=(str(pki.dir), aantal, urls, klaar, stop), daemon=True)
            proces.start()
            klaar.wait(30)
            try:
                for profiel, n in RIJEN.items():
                    config, oin = _config(tmp / f"{aantal}-{profiel}", pki, list(urls), profiel)
                    db = database(config)
                    db.migrate()
                    payloads = _vul(db, oin, aantal, n, "bench")
                    vloer = _vloer(config, oin, list(urls), payloads[: n // 2], profiel)
                    per_s = _bezorg(config, db, n)
                    rijen.append({"subscribers": aantal, "profiel": profiel, "deliveries": n,
                                  "deliveries_per_s": per_s, "floor_posts_per_s": vloer,
                                  "pct_of_floor": 100 * per_s / vloer,
                                  "target_per_s": 1000 if profiel == "2W-be" else 400})
                    reset_instances()
            finally:
                stop.set()
                proces.join(10)
                manager.shutdown()
    return {"_doc": __doc__, "delivery": rijen}
