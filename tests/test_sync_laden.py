"""``knoop-esb load FILE``: KVK profile JSON lines into the store through store.bulk.save_many,
bad lines named and skipped, a checkpoint committed with every batch, and SIGKILL at random
moments followed by a new run stores every company exactly once (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knoop_esb.cli import main
from knoop_esb.kvktest import dump
from knoop_esb.store import handelsregister as hr
from knoop_esb.store.db import reset_instances
from knoop_esb.store.models import LaadVoortgang, MacVersie, NnpVersie, VesVersie
from knoop_esb.sync.laden import laad

FIXTURES = Path("/work/shared/kvk/fixtures-kvk-connect")
ROOT = Path(__file__).resolve().parent.parent


def _aantallen(db, kvk_van: str, kvk_tot: str) -> dict:
    """Version rows and distinct actual keys of the companies in [kvk_van, kvk_tot)."""
    with db.session() as s:
        mac = s.execute(select(func.count(), func.count(func.distinct(MacVersie.kvk_nummer)))
                        .where(MacVersie.kvk_nummer >= kvk_van, MacVersie.kvk_nummer < kvk_tot)).one()
        ves = s.execute(select(func.count(), func.count(func.distinct(VesVersie.vestigingsnummer)))
                        .where(VesVersie.kvk_nummer >= kvk_van, VesVersie.kvk_nummer < kvk_tot)).one()
        nnp = s.execute(select(func.count(), func.count(func.distinct(NnpVersie.rsin)))
                        .where(NnpVersie.kvk_nummer >= kvk_van, NnpVersie.kvk_nummer < kvk_tot)).one()
    return {"mac": tuple(mac), "ves": tuple(ves), "nnp": tuple(nnp)}


def _verwacht(start: int, aantal: int) -> dict:
    ves = sum(4 if i % 10 == 9 else 1 for i in range(start, start + aantal))
    nnp = sum(1 for i in range(start, start + aantal) if i % 5 < 2)
    return {"mac": (aantal, aantal), "ves": (ves, ves), "nnp": (nnp, nnp)}


def _kvk(i: int) -> str:
    return f"{30000000 + i:08d}"


def test_load_real_kvk_shapes_and_bad_lines_are_named(db, tmp_path):
    basis = json.loads((FIXTURES / "test_input_basisprofiel.json").read_text())
    profiel = json.loads((FIXTURES / "test_input_vestigingsprofielen.json").read_text())
    lijst = json.loads((FIXTURES / "test_input_vestigingen.json").read_text())
    regels = [json.dumps({**basis, "vestigingen": [profiel]}), "{kapot", json.dumps([1]),
              "", json.dumps({**basis, "kvkNummer": "12ab"}),
              json.dumps({**basis, "kvkNummer": "12345679", "_embedded": {**basis["_embedded"], "vestigingen": lijst}})]
    pad = tmp_path / "kvk.jsonl"
    pad.write_text("\n".join(regels))  # the last line has no newline
    gemeld = []
    r = laad(db, str(pad), batch=2, bij_fout=lambda regel, reden: gemeld.append(regel))
    assert (r.regels, r.bedrijven, r.fouten) == (6, 2, 3)
    assert r.fout_regels == gemeld == [2, 3, 5]
    with db.session() as s:
        mac = hr.actueel(s, "MAC", "12345678")
        assert mac.data["naam"] == "Test B.V." and mac.bron == "kvk"
        assert hr.actueel(s, "VES", profiel["vestigingsnummer"]) is not None
        assert hr.actueel(s, "MAC", "12345679") is not None
        row = s.scalars(select(MacVersie).where(MacVersie.kvk_nummer == "12345678", MacVersie.actueel)).one()
        # the priority refresh's criteria columns, completed at save (transform.kenmerken)
        assert (row.rechtsvorm, row.oprichting, row.werkzame_personen, row.sbi_codes, row.economisch_actief,
                row.actief) == ("Besloten Vennootschap", "20200101", 10, " 62010", True, True)


@pytest.mark.parametrize("lezer", ["in-process", "reader process"])
def test_load_resumes_after_an_interrupted_run_and_a_second_load_changes_nothing(db, tmp_path, monkeypatch, lezer):
    import multiprocessing

    from knoop_esb.sync import laden

    if lezer == "reader process":
        monkeypatch.setattr(laden, "PARALLEL_VANAF", 0)
    offset = 1000 if lezer == "in-process" else 1100
    pad = tmp_path / "dump.jsonl"
    dump.schrijf(pad, 30, start=offset)
    batches = []

    def stop_na_twee(offset):
        batches.append(offset)
        if len(batches) == 3:  # the start, then two committed batches
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        laad(db, str(pad), batch=10, voortgang=stop_na_twee)
    assert multiprocessing.active_children() == []  # an interrupted load leaves no reader behind
    assert _aantallen(db, _kvk(offset), _kvk(offset + 30))["mac"] == (20, 20)
    r = laad(db, str(pad), batch=10)
    assert r.hervat_op == 20 and r.regels == 30 and r.nieuw == sum(_verwacht(offset, 30)[k][0] for k in ("mac", "ves", "nnp"))
    assert _aantallen(db, _kvk(offset), _kvk(offset + 30)) == _verwacht(offset, 30)
    again = laad(db, str(pad), batch=10)
    assert again.al_geladen and again.regels == 30
    herhaald = laad(db, str(pad), batch=10, opnieuw=True)
    assert herhaald.nieuw == 0 and herhaald.gewijzigd == 0 and herhaald.ongewijzigd == r.nieuw
    assert _aantallen(db, _kvk(offset), _kvk(offset + 30)) == _verwacht(offset, 30)


def test_load_of_a_new_round_writes_one_new_version_per_changed_company(db, tmp_path):
    pad = tmp_path / "r0.jsonl"
    dump.schrijf(pad, 10, start=2000)
    gehoord = []

    def luisteraar(session, wijzigingen):
        gehoord.extend(wijzigingen)

    db.aansluiten(luisteraar)
    try:
        laad(db, str(pad))
    finally:
        db.luisteraars.remove(luisteraar)
    # every stored object reached the store's change seam (the kennisgevingen distributor)
    assert sorted({w.entiteittype for w in gehoord}) == ["MAC", "NNP", "VES"]
    assert {w.sleutel for w in gehoord if w.entiteittype == "MAC"} == {_kvk(i) for i in range(2000, 2010)}
    pad1 = tmp_path / "r1.jsonl"
    dump.schrijf(pad1, 10, start=2000, ronde=1)
    r = laad(db, str(pad1))
    assert r.gewijzigd > 10 and r.nieuw == 0
    with db.session() as s:
        oud, nieuw = hr.formele_historie(s, "MAC", _kvk(2003))  # same day: a correction of the first
        assert oud.tijdstip_einde_registratie is not None and nieuw.data["totaalWerkzamePersonen"] != oud.data["totaalWerkzamePersonen"]


@pytest.fixture
def cli_db(db, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", db.url.render_as_string(hide_password=False))
    yield db
    reset_instances()


def test_load_cli_summary_json_and_errors(cli_db, tmp_path, capsys):
    pad = tmp_path / "cli.jsonl"
    dump.schrijf(pad, 3, start=3000)
    with open(pad, "a") as f:
        f.write("niet json\n")
    assert main(["load", str(pad)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "4 lines, 3 companies" in out and "bad lines 1 (lines 4)" in out
    assert main(["load", str(pad), "--restart", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["bedrijven"] == 3 and figures["nieuw"] == 0 and figures["fout_regels"] == [4]
    assert main(["load", str(tmp_path / "nergens.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
    with pytest.raises(SystemExit) as exit_:
        main(["load", str(pad), "--batch-size", "0"])
    assert exit_.value.code == 2


@pytest.mark.slow
def test_sigkill_at_random_moments_then_finish_stores_every_company_once(db, tmp_path):
    aantal, start = 3000, 10_000
    pad = tmp_path / "kill.jsonl"
    dump.schrijf(pad, aantal, start=start)
    env = {**os.environ, "KNOOP_DATABASE_URL": db.url.render_as_string(hide_password=False),
           "KNOOP_LOGGING_LEVEL": "warning", "PYTHONPATH": str(ROOT)}
    env.pop("KNOOP_CONFIG", None)
    commando = [sys.executable, "-m", "knoop_esb", "load", str(pad), "--batch-size", "40"]
    rng = random.Random(13)
    gedood = 0
    for _ in range(5):
        proc = subprocess.Popen(commando, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.8, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            gedood += 1
        proc.communicate(timeout=30)
    proc = subprocess.run(commando, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{aantal} lines, {aantal} companies" in proc.stdout
    assert gedood >= 2  # the kills really interrupted loads
    assert _aantallen(db, _kvk(start), _kvk(start + aantal)) == _verwacht(start, aantal)
    with db.session() as s:
        punt = s.scalars(select(LaadVoortgang).where(LaadVoortgang.pad == str(pad))).one()
        assert punt.klaar and punt.regel == aantal and punt.offset == pad.stat().st_size
