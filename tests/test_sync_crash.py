"""Crash safety of the sync engine: ``knoop-esb sync poll`` and ``sync process`` as real
processes against the KVK test source over HTTP, SIGKILLed at random points, then run to the
end: no signal lost, no object stored twice, the queue drained (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from knoop_esb.kvktest.server import start_in_thread
from knoop_esb.store import queue, vensters
from knoop_esb.store.models import KvkSignaal, MacVersie, NnpVersie, VesVersie
from tests.fixtures.kvk import make_kvk_client

pytestmark = pytest.mark.slow


# The test's KNOOP_DATABASE_URL would override the [database] url (a fresh schema) of the config.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}


def _run(cfg, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "knoop_esb", "--config", str(cfg), "sync", *args],
                          capture_output=True, text=True, timeout=timeout, env=ENV)


def test_sigkill_at_random_points_loses_nothing(tmp_path, db):
    base_url, stop = start_in_thread("127.0.0.1", 0)
    try:
        url = db.url.render_as_string(hide_password=False)
        cfg = tmp_path / "knoop.toml"
        cfg.write_text(f'[database]\nurl = "{url}"\n[kvk]\nbase_url = "{base_url}"\n'
                       '[sync]\nterugkijken_dagen = 0.1\nlease_seconden = 1.0\nbatch_size = 5\n'
                       '[logging]\nlevel = "error"\n')
        rng = random.Random(2026)
        kills = 0
        for i in range(6):
            proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(cfg), "sync",
                                     "poll" if i % 2 == 0 else "process"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            time.sleep(rng.uniform(1.0, 2.5))
            if proc.poll() is None:
                proc.kill()
                kills += 1
            proc.wait()
        assert kills >= 3, "the runs ended before they could be killed: no crash was tested"

        done = _run(cfg, "poll")
        assert done.returncode == 0, done.stderr
        for _ in range(6):
            time.sleep(1.1)                    # the killed runs' leases run out
            done = _run(cfg, "process", "--json")
            assert done.returncode == 0, done.stderr
            with db.session() as s:
                if not set(queue.counts(s)) & {"pending", "claimed"}:
                    break

        with db.session() as s:
            assert set(queue.counts(s)) == {"done"}
            assert not s.scalar(select(func.count()).select_from(KvkSignaal).where(KvkSignaal.status.in_(("nieuw", "fout"))))
            stored = set(s.scalars(select(KvkSignaal.signaal_id)))
            eerste = min(v.vanaf for v in vensters.recent(s, limit=1000))
            hoog = max(v.tot for v in vensters.recent(s, limit=1))
            for model, key in ((MacVersie, MacVersie.kvk_nummer), (VesVersie, VesVersie.vestigingsnummer),
                               (NnpVersie, NnpVersie.rsin)):
                dubbel = s.execute(select(key).where(model.actueel.is_(True)).group_by(key).having(func.count() > 1)).all()
                assert dubbel == [], f"{model.__tablename__}: more than one actual row for {dubbel[:3]}"
        client = make_kvk_client(base_url)
        try:
            abonnement = client.abonnementen()["abonnementen"][0]["id"]
            gegeven = {sig["id"] for sig in client.signalen(abonnement, eerste, hoog)}
        finally:
            client.close()
        assert gegeven and gegeven <= stored, f"{len(gegeven - stored)} signals lost"
    finally:
        stop()
