"""Crash safety: `knoop-esb worker` processes killed with SIGKILL at random moments, several times,
and started again, while the subscriber fails at random. At the end every kennisgeving is delivered
exactly once per subscriber (the server counts by referentienummer), in order per object, with one
protocol line each. SQLite: one worker process; PostgreSQL: two at once (SKIP LOCKED)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from knoop_esb.store.models import Outbox, ProtocolRegel
from tests.fixtures.bezorging import chaos
from tests.fixtures.store import postgres_url
from tests.test_bezorging import DEMO, _add, _config

pytestmark = pytest.mark.slow

OBJECTEN = [f"0000371786{n:02d}" for n in range(8)]
PER_OBJECT = 6


def _worker(config, tmp_path, n: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    env["KNOOP_LOGGING_LEVEL"] = "WARNING"
    log = open(tmp_path / f"worker-{n}.log", "w")
    return subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config.source), "worker"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)


def _geleverd(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "delivered"))


def test_sigkill_at_random_moments_loses_and_doubles_nothing(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    willekeur = chaos(11, fo03_tijdelijk=0.1, drop=0.05, bewaar_drop=0.1)

    def traag(ontvangen):
        time.sleep(0.04)  # deliveries take a moment, so kills land while some are in flight
        return willekeur(ontvangen)

    abonnee = abonnee_factory(traag)
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db,
                     {DEMO: [dict(naam="gm", url=abonnee.url, parallel=3, timeout=0.5)]},
                     lease=1.5, max_pogingen=1000, wachttijd=0.05, max_wachttijd=0.3, poll=0.1)
    verwacht = {ves: [f"{ves}-{i}" for i in range(PER_OBJECT)] for ves in OBJECTEN}
    for i in range(PER_OBJECT):
        for ves in OBJECTEN:
            _add(bezorging_db, f"{ves}-{i}", ves=ves)
    totaal = len(OBJECTEN) * PER_OBJECT
    aantal = 2 if postgres_url() else 1  # SQLite runs one worker
    rng = random.Random(5)
    processen = [_worker(config, tmp_path, n) for n in range(aantal)]
    kills, midden_in = 0, 0
    try:
        for _ in range(4):
            # Kill once the (new) worker is seen delivering, at a random moment after that.
            voor, eind = _geleverd(bezorging_db), time.monotonic() + 15
            while _geleverd(bezorging_db) == voor and time.monotonic() < eind:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.4))
            midden_in += 0 < _geleverd(bezorging_db) < totaal
            slachtoffer = rng.randrange(aantal)
            processen[slachtoffer].send_signal(signal.SIGKILL)
            processen[slachtoffer].wait(10)
            kills += 1
            processen[slachtoffer] = _worker(config, tmp_path, kills + aantal)
        eind = time.monotonic() + 60
        while _geleverd(bezorging_db) < totaal and time.monotonic() < eind:
            time.sleep(0.3)
    finally:
        for p in processen:
            p.send_signal(signal.SIGTERM)
        for p in processen:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
    assert _geleverd(bezorging_db) == totaal, (tmp_path / "worker-0.log").read_text()[-3000:]
    assert sorted(abonnee.volgorde) == sorted(r for refs in verwacht.values() for r in refs)  # each exactly once
    for ves, refs in verwacht.items():
        assert [r for r in abonnee.volgorde if r.startswith(ves)] == refs, ves
    with bezorging_db.session() as s:
        per_ref = s.execute(select(ProtocolRegel.referentienummer, func.count()).group_by(ProtocolRegel.referentienummer)).all()
    assert len(per_ref) == totaal and all(n == 1 for _, n in per_ref)
    assert abonnee.pogingen > totaal  # the failures and the kills did make resends
    assert midden_in >= 3  # the kills landed while deliveries were going on
