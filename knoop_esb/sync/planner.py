"""Running the schedule (``rooster``) with APScheduler, its job store in the node's database
(table ``sync_rooster_job``), in exactly one process of the node.

Why a lock: several node processes (``serve``'s supervisor, ``sync run-scheduler`` on another
host) may share one PostgreSQL store, and every one of them would run every job. The process
holding the session advisory lock ``pg_try_advisory_lock`` on a connection of its own runs the
scheduler; the others wait and try again every ``STANDBY_SECONDEN``, so one takes over when the
holder stops (its connection closes and PostgreSQL frees the lock). On SQLite a file lock next
to the database does the same for processes on one host.

Each run is recorded in ``sync_taak`` (start, end, summary, last error) for ``sync status``.
"""
from __future__ import annotations

import fcntl
import importlib
import threading
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text

from knoop_esb import logs
from knoop_esb.store import taken as taken_store
from knoop_esb.store.kalender import NL
from knoop_esb.sync import STOPPEN
from knoop_esb.sync import rooster as rooster_mod

log = logs.get("knoop_esb.sync")
TABEL = "sync_rooster_job"
LOCK_SLEUTEL = 0x6B6E6F6F70   # "knoop": the one advisory lock id of the scheduler
STANDBY_SECONDEN = 30.0

_actief: dict[str, object] = {}   # the config the running scheduler's jobs use (one per process)


def voer_taak_uit(taak_id: str) -> None:
    """The job APScheduler stores (by reference): run one rooster row and record how it went."""
    config = _actief.get("config")
    if config is None:
        return
    from knoop_esb.store.db import database

    t = rooster_mod.taak(taak_id, config.sync.rooster)
    if t is None:
        return
    db = database(config)
    with db.session() as session:
        taken_store.gestart(session, taak_id)
    try:
        module, naam = t.functie.split(":")
        samenvatting = getattr(importlib.import_module(module), naam)(config, **t.kwargs)
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded and logged; the schedule goes on
        melding = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        with db.session() as session:
            taken_store.fout(session, taak_id, melding)
        log.error("sync.taak_mislukt", taak=taak_id, fout=melding)
        return
    with db.session() as session:
        taken_store.klaar(session, taak_id, samenvatting.als_dict())
    log.info("sync.taak_klaar", taak=taak_id, samenvatting=samenvatting.regel())


class Planner:
    """``start()`` → runs the schedule now or as soon as this process gets the lock; ``stop()``."""

    def __init__(self, config, database):
        self.config = config
        self.database = database
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_conn = None
        self._lock_file = None

    @property
    def actief(self) -> bool:
        return self.scheduler is not None

    def start(self) -> "Planner":
        if not rooster_mod.taken(self.config.sync.rooster):
            return self
        if not self._probeer():
            log.info("sync.planner_standby", reden="another process runs the schedule")
        self._thread = threading.Thread(target=self._wacht, name="knoop-esb-rooster", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._stop_scheduler()

    def _wacht(self) -> None:
        while not self._stop.wait(STANDBY_SECONDEN):
            if self.scheduler is None:
                self._probeer()
            elif not self._houdt_lock():
                log.warning("sync.planner_lock_kwijt")
                self._stop_scheduler()

    def _probeer(self) -> bool:
        if not self._neem_lock():
            return False
        _actief["config"] = self.config
        self.scheduler = _scheduler(self.database.engine)
        self.scheduler.start(paused=True)
        jobs(self.scheduler, self.config.sync.rooster)
        self.scheduler.resume()
        log.info("sync.planner_gestart", rooster=self.config.sync.rooster,
                 taken=[j.id for j in self.scheduler.get_jobs()])
        return True

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            STOPPEN.set()            # a running job ends after its current entry or page
            try:
                self.scheduler.shutdown(wait=True)
            finally:
                STOPPEN.clear()
            self.scheduler = None
            _actief.pop("config", None)
        self._laat_lock()

    # -- the one-scheduler lock ---------------------------------------------------------------
    def _neem_lock(self) -> bool:
        if self.database.dialect == "postgresql":
            conn = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_SLEUTEL}).scalar():
                self._lock_conn = conn
                return True
            conn.close()
            return False
        pad = self.database.url.database
        if not pad or pad == ":memory:":
            return True
        handle = open(Path(pad).with_name(Path(pad).name + ".rooster.lock"), "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock_file = handle
        return True

    def _houdt_lock(self) -> bool:
        if self._lock_conn is None:
            return True
        try:
            self._lock_conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - the connection is gone, and with it the lock
            return False

    def _laat_lock(self) -> None:
        if self._lock_conn is not None:
            try:
                self._lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_SLEUTEL})
                self._lock_conn.close()
            except Exception:  # noqa: BLE001 - closing the connection frees the lock anyway
                pass
            self._lock_conn = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def _scheduler(engine) -> BackgroundScheduler:
    return BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=TABEL)},
                               executors={"default": ThreadPoolExecutor(2)}, timezone=NL)


def jobs(scheduler: BackgroundScheduler, rooster: str) -> None:
    """Make the job store hold exactly the rows of ``rooster`` (added, replaced, removed)."""
    gewenst = {t.id: t for t in rooster_mod.taken(rooster)}
    bestaand = {job.id: job for job in scheduler.get_jobs()}
    for job_id, job in bestaand.items():
        if job_id not in gewenst:
            job.remove()
    for t in gewenst.values():
        trigger = CronTrigger(**t.cron, timezone=NL)
        job = bestaand.get(t.id)
        if job is not None and str(job.trigger) == str(trigger) and job.kwargs == {"taak_id": t.id}:
            # Keep its stored next run: a run missed while the node was down still fires (grace).
            job.modify(coalesce=t.coalesce, misfire_grace_time=t.misfire_grace_seconden, name=t.seed or t.id)
            continue
        scheduler.add_job(voer_taak_uit, trigger, id=t.id, name=t.seed or t.id,
                          kwargs={"taak_id": t.id}, replace_existing=True, coalesce=t.coalesce,
                          misfire_grace_time=t.misfire_grace_seconden, max_instances=1)


def volgende_runs(database) -> dict:
    """Next run per job id as the job store holds it (also read by processes that do not run it)."""
    from datetime import datetime, timezone

    from sqlalchemy import select

    from knoop_esb.store.models import RoosterJob

    with database.session() as session:
        return {i: (datetime.fromtimestamp(t, timezone.utc) if t is not None else None)
                for i, t in session.execute(select(RoosterJob.id, RoosterJob.next_run_time))}
