"""`knoop-esb load` (a real subprocess) of generated companies (KVK Basisprofiel JSON lines with
their Vestigingsprofielen, ≈ 1.3 vestigingen, 40 % with an NNP: `knoop_esb.kvktest.dump`) into a
fresh store: total time, companies and stored objects per second, the time of each tenth of the
file (flat = no slowdown as the store grows; read from the load's own checkpoint while it runs)
and peak RSS. Floors measured in the same run on the same lines: `json.loads` alone, and parse +
transform + search fields (`sync.laden.bedrijf`) without a database. Target (issue 13): 1 000 000
companies into PostgreSQL < 10 min, RSS < 1 GiB, flat per 100 000. `make bench` loads
KNOOP_BENCH_LOAD_N (default 100 000) into SQLite; KNOOP_BENCH_LOAD_PG=1 with a PostgreSQL
KNOOP_DATABASE_URL loads into PostgreSQL instead (default N 1 000 000)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from knoop_esb.kvktest import dump
from knoop_esb.store.models import LaadVoortgang
from knoop_esb.sync.laden import bedrijf
from tests.fixtures.store import fresh_database

ROOT = Path(__file__).resolve().parent.parent
BLOKKEN = 10
FLOOR_REGELS = 20_000


def _schrijf(pad: Path, n: int) -> None:
    with open(pad, "w", encoding="utf-8") as f:
        for regel in dump.regels(n):
            f.write(regel + "\n")


def _floors(pad: Path) -> dict:
    with open(pad, "rb") as f:
        regels = [f.readline() for _ in range(FLOOR_REGELS)]
    regels = [r for r in regels if r]
    start = time.perf_counter()
    for r in regels:
        json.loads(r)
    parse = (time.perf_counter() - start) / len(regels)
    start = time.perf_counter()
    for r in regels:
        bedrijf(r)
    transform = (time.perf_counter() - start) / len(regels)
    return {"json.loads": parse, "transform": transform}


def _laad(db, pad: Path, n: int) -> dict:
    env = {**os.environ, "KNOOP_DATABASE_URL": db.url.render_as_string(hide_password=False),
           "KNOOP_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("KNOOP_CONFIG", None)
    blok = max(1, n // BLOKKEN)
    grenzen = [blok * (k + 1) for k in range(BLOKKEN)]
    tijden: list[float] = []
    with tempfile.TemporaryDirectory() as cwd:
        start = time.perf_counter()
        batch = str(max(1, min(1000, blok // 4)))  # several checkpoints per tenth
        proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "load", str(pad), "--json", "--batch-size", batch],
                                cwd=cwd, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        gebruik = None
        while gebruik is None:
            time.sleep(0.25)
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)  # this child's own rusage, not all children's
            if pid:
                gebruik, returncode = ru, os.waitstatus_to_exitcode(status)
            with db.session() as s:
                regel = s.scalar(select(LaadVoortgang.regel)) or 0
            while len(tijden) < len(grenzen) and regel >= grenzen[len(tijden)]:
                tijden.append(time.perf_counter() - start)
        totaal = time.perf_counter() - start
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.returncode = returncode
    if returncode != 0:
        raise RuntimeError(f"knoop-esb load failed: {err.strip().splitlines()[-1] if err.strip() else returncode}")
    samenvatting = json.loads(out)
    tijden += [totaal] * (len(grenzen) - len(tijden))
    per_blok = [b - a for a, b in zip([0.0] + tijden[:-1], tijden)]
    return {"seconden": totaal, "samenvatting": samenvatting, "blok": blok, "per_blok": per_blok,
            "rss_mib": gebruik.ru_maxrss / 1024, "cpu": gebruik.ru_utime + gebruik.ru_stime}


def _figuren(engine: str, n: int, r: dict, floors: dict) -> dict:
    s = r["samenvatting"]
    objecten = s["nieuw"] + s["gewijzigd"] + s["ongewijzigd"]
    per_bedrijf = r["seconden"] / n
    # the first block also pays the start of the process; flatness compares the later ones
    later = r["per_blok"][1:] or r["per_blok"]
    return {
        f"{engine}: companies": n,
        f"{engine}: objects stored (MAC + NNP + VES)": objecten,
        f"{engine}: total seconds": r["seconden"],
        f"{engine}: CPU seconds of `knoop-esb load` (the machine is shared: wall time includes waiting)": r["cpu"],
        f"{engine}: companies per second": n / r["seconden"],
        f"{engine}: objects per second": objecten / r["seconden"],
        f"{engine}: projected seconds for 1 000 000 companies": per_bedrijf * 1_000_000,
        f"{engine}: projected CPU seconds for 1 000 000 companies": r["cpu"] / n * 1_000_000,
        f"{engine}: peak RSS of `knoop-esb load` (MiB)": r["rss_mib"],
        f"{engine}: slowest / fastest later tenth": max(later) / min(later),
        f"{engine}: load / json.loads floor (per company)": per_bedrijf / floors["json.loads"],
        f"{engine}: load / transform floor (per company)": per_bedrijf / floors["transform"],
        f"{engine}: seconds per tenth ({r['blok']} companies)": [
            {"tenth": i + 1, "seconds": t, "seconds per 100 000": t * 100_000 / r["blok"]}
            for i, t in enumerate(r["per_blok"])],
    }


def run() -> dict:
    pg = os.environ.get("KNOOP_BENCH_LOAD_PG") == "1"
    url = os.environ.get("KNOOP_DATABASE_URL", "")
    if pg and not url.startswith("postgresql"):
        raise RuntimeError("KNOOP_BENCH_LOAD_PG=1 needs a PostgreSQL KNOOP_DATABASE_URL")
    n = int(os.environ.get("KNOOP_BENCH_LOAD_N") or (1_000_000 if pg else 100_000))
    figures: dict = {"_doc": __doc__.replace("\n", " ")}
    saved = None if pg else os.environ.pop("KNOOP_DATABASE_URL", None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pad = Path(tmp) / "bedrijven.jsonl"
            _schrijf(pad, n)
            floors = _floors(pad)
            figures["floor json.loads per company (ms)"] = floors["json.loads"] * 1000
            figures["floor transform per company (ms)"] = floors["transform"] * 1000
            figures["file MiB"] = pad.stat().st_size / 2**20
            with fresh_database(Path(tmp)) as db:
                figures.update(_figuren("PostgreSQL" if pg else "SQLite", n, _laad(db, pad, n), floors))
    finally:
        if saved is not None:
            os.environ["KNOOP_DATABASE_URL"] = saved
    return figures
