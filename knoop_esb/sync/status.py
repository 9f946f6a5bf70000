"""``knoop-esb sync status``: the figures an operator (or a monitoring script, ``--json``) asks
about the sync engine, read from the store — polled windows, queue depth per source and state,
signals per state, the scheduled jobs with their last and next run, and KVK calls and
Handelsdata credits this Dutch week and month."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from knoop_esb.store import kvk_requests, signalen, taken, vensters
from knoop_esb.store.kalender import month_start
from knoop_esb.store.models import BedrijfNieuw
from knoop_esb.sync import rooster
from knoop_esb.sync.planner import volgende_runs


def status(config, database) -> dict:
    nu = datetime.now(timezone.utc)
    with database.session() as session:
        n, gelijst, nieuw = vensters.totalen(session)
        laatste = vensters.recent(session, limit=5)
        wachtrij: dict[str, dict[str, int]] = {}
        for bron, met_ves, st, aantal in session.execute(
                select(BedrijfNieuw.bron, BedrijfNieuw.vestigingsnummer.is_not(None), BedrijfNieuw.status, func.count())
                .group_by(BedrijfNieuw.bron, BedrijfNieuw.vestigingsnummer.is_not(None), BedrijfNieuw.status)):
            sleutel = f"{bron}:{'vestigingsprofiel' if met_ves and bron == 'kvk' else 'vestiging' if met_ves else 'bedrijf'}"
            wachtrij.setdefault(sleutel, {})[st] = aantal
        sig = signalen.counts(session)
        runs = taken.alle(session)
        week = kvk_requests.weekly_counts(session)
        maand_start = month_start(nu)
        maand = kvk_requests.monthly_counts(session, maand_start.year, maand_start.month)
    volgende = volgende_runs(database)
    return {
        "vensters": {"gepolld": n, "signalen": gelijst, "nieuw": nieuw,
                     "hoogwater": max((v.tot for v in laatste), default=None),
                     "laatste": [{"vanaf": v.vanaf, "tot": v.tot, "signalen": v.signalen, "nieuw": v.nieuw,
                                  "gepolld_at": v.gepolld_at} for v in laatste]},
        "wachtrij": wachtrij,
        "signalen": sig,
        "taken": [_taak(t, runs.get(t.id), volgende.get(t.id)) for t in rooster.taken(config.sync.rooster)],
        "rooster": config.sync.rooster,
        "deze_week": _gebruik(week),
        "deze_maand": _gebruik(maand),
    }


def _taak(t, run, volgende) -> dict:
    return {"id": t.id, "cron": t.cron, "seed": t.seed, "volgende_run": volgende,
            "laatste_start": run.gestart_at if run else None, "laatste_einde": run.klaar_at if run else None,
            "status": run.status if run else "nooit", "laatste_fout": run.laatste_fout if run else None,
            "laatste_fout_at": run.laatste_fout_at if run else None}


def _gebruik(tellers) -> dict:
    kvk = [t for t in tellers if t.endpoint != "handelsdata"]
    return {"kvk_betaald": sum(t.aantal for t in kvk if t.betaald),
            "kvk_gratis": sum(t.aantal for t in kvk if not t.betaald),
            "kvk_fouten": sum(t.fouten for t in kvk),
            "handelsdata_credits": sum(t.aantal for t in tellers if t.endpoint == "handelsdata")}


def _tijd(moment) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def tekst(f: dict) -> str:
    v = f["vensters"]
    regels = [f"Mutatieservice: {v['gepolld']} windows polled, {v['signalen']} signals listed ({v['nieuw']} new), "
              f"high-water mark {_tijd(v['hoogwater'])}"]
    regels += [f"  window {_tijd(w['vanaf'])} .. {_tijd(w['tot'])}: {w['signalen']} signals, {w['nieuw']} new"
               for w in v["laatste"]]
    regels.append("signals: " + (", ".join(f"{k} {n}" for k, n in sorted(f["signalen"].items())) or "none"))
    regels.append("bedrijf_nieuw:" + ("" if f["wachtrij"] else " empty"))
    regels += [f"  {soort:28} " + ", ".join(f"{k} {n}" for k, n in sorted(st.items()))
               for soort, st in sorted(f["wachtrij"].items())]
    regels.append(f"jobs (sync.rooster = {f['rooster']}):" + ("" if f["taken"] else " none"))
    for t in f["taken"]:
        fout = f"; last error {_tijd(t['laatste_fout_at'])}: {t['laatste_fout']}" if t["laatste_fout"] else ""
        regels.append(f"  {t['id']:30} last {_tijd(t['laatste_start'])} ({t['status']}), "
                      f"next {_tijd(t['volgende_run'])}{fout}")
    for label, g in (("this week", f["deze_week"]), ("this month", f["deze_maand"])):
        regels.append(f"{label}: KVK calls {g['kvk_betaald']} paid / {g['kvk_gratis']} free ({g['kvk_fouten']} errors), "
                      f"Handelsdata {g['handelsdata_credits']} credits")
    return "\n".join(regels)
