"""The schedule: seed §6 as APScheduler jobs in the node's database, exactly one active scheduler
per store (PostgreSQL advisory lock, SQLite file lock), runs recorded for ``sync status``."""
from __future__ import annotations

from sqlalchemy import select

from knoop_esb.config import load
from knoop_esb.store.models import SyncTaak
from knoop_esb.sync import rooster
from knoop_esb.sync.planner import Planner, volgende_runs, voer_taak_uit


def _config(tmp_path, db, naam="seed"):
    url = db.url.render_as_string(hide_password=False)
    path = tmp_path / "knoop.toml"
    path.write_text(f'[database]\nurl = "{url}"\n[sync]\nrooster = "{naam}"\n')
    return load(path, environ={})


def test_rooster_is_the_seed_table():
    ids = [t.id for t in rooster.ROOSTER]
    assert ids == ["sync-poll", "process-kvk-basisprofiel", "process-handelsdata", "process-kvk-vestigingsprofiel",
                   "update-kvk", "update-handelsdata"]
    cron = {t.id: t.cron["minute"] for t in rooster.ROOSTER}
    assert cron["process-kvk-basisprofiel"] == "5,25,45" and cron["process-handelsdata"] == "7,22,37"
    assert cron["process-kvk-vestigingsprofiel"] == "15,35,55"
    vp = rooster.taak("process-kvk-vestigingsprofiel", "seed").kwargs
    assert vp == {"bron": "kvk", "alleen": "vestigingsprofiel", "limit": 600, "allow_update": True,
                  "process_missing_kvk": True}
    assert all(t.coalesce and t.misfire_grace_seconden > 0 for t in rooster.ROOSTER)
    assert rooster.taken("uit") == [] and all(t.cron["minute"] == "*" for t in rooster.taken("demo"))


def test_exactly_one_scheduler_per_store_and_a_standby_takes_over(tmp_path, db):
    config = _config(tmp_path, db)
    eerste = Planner(config, db).start()
    tweede = Planner(config, db).start()
    try:
        assert eerste.actief and not tweede.actief
        volgende = volgende_runs(db)
        assert set(volgende) == {t.id for t in rooster.ROOSTER} and all(volgende.values())
        eerste.stop()
        assert tweede._probeer() and tweede.actief            # what its standby thread does every 30 s
        assert set(volgende_runs(db)) == {t.id for t in rooster.ROOSTER}
    finally:
        eerste.stop()
        tweede.stop()


def test_a_job_run_is_recorded(tmp_path, db):
    config = _config(tmp_path, db, "demo")
    planner = Planner(config, db).start()
    try:
        voer_taak_uit("process-handelsdata")        # nothing queued for Handelsdata: a run that does nothing
        voer_taak_uit("sync-poll")                  # no kvk.base_url and no test source: a failed run
    finally:
        planner.stop()
    with db.session() as s:
        runs = {r.taak_id: r for r in s.scalars(select(SyncTaak))}
    assert runs["process-handelsdata"].status == "ok"
    assert runs["process-handelsdata"].samenvatting["opdracht"] == "process handelsdata"
    assert runs["sync-poll"].status == "fout" and "base_url" in runs["sync-poll"].laatste_fout
