"""Delivery in the running node: `knoop-esb serve` delivers outbox rows by itself — with several
server processes through its supervised delivery process, to the demo gegevensmagazijn that
`--with-demo-ontvanger` starts (what `make run` does); with one process through a thread."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from knoop_esb.store.models import Outbox
from tests.fixtures.node import node_config
from tests.test_bezorging import DEMO, _add

pytestmark = pytest.mark.slow


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _afnemer(url: str) -> str:
    return f'''
[[afnemers.afnemer]]
oin = "{DEMO}"
profiel = "2W-be"
applicatie = "ZAAKSYS"
autorisatieprofielen = ["handelsregister"]
kennisgeving_url = "{url}"
'''


def _serve(config, tmp_path, *extra) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    env.update(KNOOP_NODE_PORT=str(_vrije_poort()), KNOOP_LOGGING_LEVEL="INFO", KNOOP_LOGGING_FORMAT="json")
    return subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config.source), "serve", *extra],
                            stdout=open(tmp_path / "serve.log", "w"), stderr=subprocess.STDOUT, env=env, cwd=tmp_path)


def _wacht_geleverd(db, n: int, proc, tmp_path, seconden: float = 60) -> None:
    eind = time.monotonic() + seconden
    while time.monotonic() < eind:
        with db.session() as s:
            if s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "delivered")) == n:
                return
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        time.sleep(0.3)
    raise AssertionError((tmp_path / "serve.log").read_text()[-3000:])


def _stop(proc) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_serve_with_workers_delivers_to_the_demo_ontvanger(pki, tmp_path, stuf_schemas_dir, bezorging_db):
    poort = _vrije_poort()
    url = bezorging_db.url.render_as_string(hide_password=False)
    config = node_config(pki, tmp_path / "node", stuf_schemas_dir, node={"workers": 2},
                         afnemers=_afnemer(f"https://127.0.0.1:{poort}/OntvangAsynchroon"), database_url=url,
                         extra="[bezorging]\npoll = 0.2\n")
    for n in range(3):
        _add(bezorging_db, f"demo-{n}", endpoint="standaard", ves=f"00000037178{n}")
    proc = _serve(config, tmp_path, "--with-demo-ontvanger", "--demo-ontvanger-port", str(poort))
    try:
        _wacht_geleverd(bezorging_db, 3, proc, tmp_path)
    finally:
        assert _stop(proc) == 0
    log = (tmp_path / "serve.log").read_text()
    assert "+ delivery worker" in log and f"demo ontvanger: https://127.0.0.1:{poort}/OntvangAsynchroon" in log
    for n in range(3):
        assert f'"referentienummer": "demo-{n}"' in log and '"event": "ontvanger_kennisgeving"' in log


def test_single_process_serve_delivers_in_a_thread(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory()
    url = bezorging_db.url.render_as_string(hide_password=False)
    config = node_config(pki, tmp_path / "node", stuf_schemas_dir, node={"workers": 1},
                         afnemers=_afnemer(abonnee.url), database_url=url, extra="[bezorging]\npoll = 0.2\n")
    _add(bezorging_db, "thread-0", endpoint="standaard")
    proc = _serve(config, tmp_path)
    try:
        _wacht_geleverd(bezorging_db, 1, proc, tmp_path)
    finally:
        assert _stop(proc) == 0
    assert abonnee.volgorde == ["thread-0"]
