"""The schedule of seed 002 §6 as data: one row per job — id, the dotted callable it runs, its
cron fields (APScheduler ``CronTrigger``, Dutch time as the seed's cron table), its keyword
arguments and its misfire / coalesce rules. ``planner`` turns the rows into APScheduler jobs.

Why misfire and coalesce per job: a node that was down at :05 should still insert the new
companies when it comes back (a grace time of most of the interval), but never run the same job
twice to catch up (coalesce) — the next run takes whatever the missed ones would have.

The weekly resets of §6 (``reset_kvk_instellingen.php`` Monday 06:58, ``reset_handelsdata_
instellingen.php`` 07:01) are not jobs: KVK calls are counted from the ``kvk_request`` log per
Dutch week and month (``store.kvk_requests``) and Handelsdata credits per month from the same log
(``routing.sources.credits``), so a new week or month starts at zero by itself.

More jobs (the priority refresh ``update-kvk`` / ``update-handelsdata``) are appended to ROOSTER.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Taak:
    id: str
    functie: str                     # "module:function", called as function(config, **kwargs)
    cron: dict[str, str]             # CronTrigger fields: minute, hour, day_of_week, second
    kwargs: dict = field(default_factory=dict)
    misfire_grace_seconden: int = 600
    coalesce: bool = True
    seed: str = ""                   # the script of seed 002 this job replaces


PROCESS = "knoop_esb.sync.opdrachten:process"

ROOSTER: list[Taak] = [
    Taak("sync-poll", "knoop_esb.sync.opdrachten:poll", {"minute": "0,10,20,30,40,50"},
         misfire_grace_seconden=540, seed="mutatieservice.php (4-week look-back, 1-week windows)"),
    Taak("process-kvk-basisprofiel", PROCESS, {"minute": "5,25,45"},
         {"bron": "kvk", "alleen": "basisprofiel", "force_paid": True},
         misfire_grace_seconden=1080, seed="insert_new_companies.php force"),
    Taak("process-handelsdata", PROCESS, {"minute": "7,22,37"},
         {"bron": "handelsdata", "batch_size": 1000},
         misfire_grace_seconden=780, seed="insert_from_handelsdata.php --batch-size=1000"),
    Taak("process-kvk-vestigingsprofiel", PROCESS, {"minute": "15,35,55"},
         {"bron": "kvk", "alleen": "vestigingsprofiel", "limit": 600, "allow_update": True,
          "process_missing_kvk": True},
         misfire_grace_seconden=1080,
         seed="insert_from_vestigingsprofiel.php --limit=600 --allow-update --process-missing-kvk"),
    Taak("update-kvk", "knoop_esb.sync.verversing:update_kvk", {"minute": "10"}, {"force": True},
         misfire_grace_seconden=3000, seed="update_kvk.php force"),
    Taak("update-handelsdata", "knoop_esb.sync.verversing:update_handelsdata", {"minute": "52"},
         {"batch_size": 1000, "from_db": True, "indien_geconfigureerd": True},
         misfire_grace_seconden=3000, seed="update_handelsdata.php --debug --batch-size=1000 --from-db"),
]

# `make run`: every job each minute, a few seconds apart, so the flow shows while one watches.
DEMO_SECONDEN = {"sync-poll": "0", "process-kvk-basisprofiel": "15", "process-handelsdata": "25",
                 "process-kvk-vestigingsprofiel": "40", "update-kvk": "50", "update-handelsdata": "55"}


def taken(rooster: str) -> list[Taak]:
    """The jobs of ``sync.rooster``: seed (the table above), demo (each minute), uit (none)."""
    if rooster == "uit":
        return []
    if rooster == "demo":
        return [replace(t, cron={"minute": "*", "second": DEMO_SECONDEN.get(t.id, "50")}, misfire_grace_seconden=50)
                for t in ROOSTER]
    return list(ROOSTER)


def taak(taak_id: str, rooster: str) -> Taak | None:
    return next((t for t in taken(rooster) if t.id == taak_id), None)
