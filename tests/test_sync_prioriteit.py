"""The priority refresh (seed 002 §2, §4): Priority 1/2 criteria and order on the store's search
columns, the "P2 only when P1 < drempel" rule, ``update_kvk`` against the built-in KVK test
source, ``update_handelsdata`` against a Handelsdata server (blocked while bedrijf_nieuw waits),
the kenmerken (estimateData) and ``knoop-esb sync label``."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.cli import main
from knoop_esb.config import load
from knoop_esb.kvktest import dump
from knoop_esb.store import handelsregister as hr
from knoop_esb.store import labels, queue
from knoop_esb.store.bulk import save_many
from knoop_esb.store.db import reset_instances
from knoop_esb.sync import prioriteit
from knoop_esb.sync.verversing import update_handelsdata, update_kvk
from knoop_esb.transform import kenmerken
from knoop_esb.transform import kvk as transform
from knoop_esb.transform.model import to_dict
from knoop_esb.vraag.opslag import te_bewaren
from tests.fixtures.kvk import make_kvk_client
from tests.fixtures.store import fresh_database

NU = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
OUD = NU - timedelta(days=400)


def _config(tmp_path, extra: str = ""):
    pad = tmp_path / "knoop.toml"
    pad.write_text(f'[node]\ndata_dir = "{tmp_path}"\n{extra}')
    return load(str(pad))


def _bedrijf(i: int, **wijzig) -> dict:
    data = dump.bedrijf(i)
    for sleutel, waarde in wijzig.items():
        if sleutel == "rechtsvorm":
            data["_embedded"]["eigenaar"]["rechtsvorm"] = waarde
        elif sleutel == "personen":
            data["totaalWerkzamePersonen"] = waarde
        elif sleutel == "aanvang":
            data["materieleRegistratie"]["datumAanvang"] = waarde
        elif sleutel == "sbi":
            for plek in [data] + data["vestigingen"]:
                plek["sbiActiviteiten"] = [{"sbiCode": waarde, "indHoofdactiviteit": "Ja"}]
        elif sleutel == "commercieel":
            for v in data["vestigingen"]:
                v["indCommercieleVestiging"] = "Ja" if waarde else "Nee"
    return data


@pytest.fixture
def eigen_db(tmp_path):
    """A database of this test alone: the plan looks at every company in the store."""
    with fresh_database(tmp_path) as database:
        yield database


def _bewaar(db, data: dict, fetched_at: datetime) -> str:
    mac = transform.basisprofiel(data, data.get("vestigingen"))
    with db.session() as s:
        save_many(s, [(z, to_dict(m)) for z, m in te_bewaren(mac)], tijdstip=fetched_at, fetched_at=fetched_at)
    return mac.kvk_nummer


# --- pure rules ------------------------------------------------------------------------------

def test_kenmerken_complete_what_kvk_left_out():
    data = dump.bedrijf(5)
    leeg = {k: v for k, v in data.items() if k not in ("materieleRegistratie", "totaalWerkzamePersonen", "sbiActiviteiten")}
    leeg["_embedded"] = {**data["_embedded"], "eigenaar": {"uitgebreideRechtsvorm": "Stichting"}}
    k = kenmerken.schat(transform.basisprofiel(leeg, leeg["vestigingen"]))
    hoofd = data["vestigingen"][0]
    assert k.oprichting == hoofd["materieleRegistratie"]["datumAanvang"]  # from the hoofdvestiging
    assert k.sbi_codes == (hoofd["sbiActiviteiten"][0]["sbiCode"],)       # getSBIOfHoofdvestiging
    assert k.werkzame_personen == hoofd["totaalWerkzamePersonen"]         # sum over the vestigingen
    assert k.rechtsvorm == "Stichting" and k.actief and k.economisch_actief
    emz = copy.deepcopy(data)
    emz["_embedded"]["eigenaar"] = {}
    emz.pop("statutaireNaam", None)
    assert kenmerken.schat(transform.basisprofiel(emz, emz["vestigingen"])).rechtsvorm is None  # no eigenaar
    from knoop_esb.transform.model import MaatschappelijkeActiviteit, NatuurlijkPersoon

    assert kenmerken.schat(MaatschappelijkeActiviteit("12345670", eigenaar=NatuurlijkPersoon())).rechtsvorm == "Eenmanszaak"
    geen = _bedrijf(7, personen=0, commercieel=False)
    geen["materieleRegistratie"]["datumEinde"] = "20240101"
    k = kenmerken.schat(transform.basisprofiel(geen, geen["vestigingen"]))
    assert not k.actief and not k.economisch_actief


def test_peilmomenten_and_the_p2_rule(tmp_path):
    cfg = _config(tmp_path).prioriteit
    peil = prioriteit.peilmomenten(cfg, NU)
    assert peil.p1_voor == NU - timedelta(days=61) and peil.p2_voor == NU - timedelta(days=183)
    assert peil.opgericht_vanaf == "20241201"
    assert prioriteit.jaren_terug(datetime(2028, 2, 29).date(), 2).isoformat() == "2026-02-28"
    assert prioriteit.p2_nodig(199, cfg) and not prioriteit.p2_nodig(200, cfg)
    assert labels.like_patroon("im_public_*") == "im\\_public\\_%"


# --- selection on the store ------------------------------------------------------------------

def test_priority_1_and_2_criteria_and_order(eigen_db, tmp_path):
    db = eigen_db
    cfg = _config(tmp_path).prioriteit
    jong = (NU - timedelta(days=200)).strftime("%Y%m%d")
    p1_a = _bewaar(db, _bedrijf(100, personen=0, sbi="6420", aanvang="19900101", commercieel=False), OUD)
    p1_b = _bewaar(db, _bedrijf(101, personen=3, sbi="6420", aanvang="20100101"), OUD)
    p1_vers = _bewaar(db, _bedrijf(102), NU - timedelta(days=10))
    for kvk in (p1_a, p1_b, p1_vers):
        with db.session() as s:
            labels.add(s, kvk, "im_public_ai")
    with db.session() as s:
        labels.add(s, _bewaar(db, _bedrijf(103), OUD), "intern")  # another label: not P1
    # Priority 2 candidates (not updated for > 6 months) and non-candidates
    werknemers = _bewaar(db, _bedrijf(110, personen=40, sbi="6420", aanvang="19900101", commercieel=False), OUD)
    industrie = _bewaar(db, _bedrijf(111, personen=0, sbi="2511", aanvang="19900101", commercieel=False), OUD)
    opgericht = _bewaar(db, _bedrijf(112, personen=0, sbi="6420", aanvang=jong, commercieel=False), OUD)
    actief = _bewaar(db, _bedrijf(113, personen=1, sbi="6420", aanvang="19900101"), OUD)
    niets = _bewaar(db, _bedrijf(114, personen=0, sbi="6420", aanvang="19900101", commercieel=False), OUD)
    vve = _bewaar(db, _bedrijf(115, personen=40, rechtsvorm="Vereniging van Eigenaars"), OUD)
    recent = _bewaar(db, _bedrijf(116, personen=40), NU - timedelta(days=100))
    geeindigd = _bedrijf(117, personen=40)
    geeindigd["materieleRegistratie"]["datumEinde"] = "20240101"
    geeindigd = _bewaar(db, geeindigd, OUD)

    with db.session() as s:
        plan = prioriteit.plan(s, cfg, NU)
    assert plan.p1 == (p1_b, p1_a)  # same update moment: newest founding first
    assert set(plan.p2) == {werknemers, industrie, opgericht, actief, _kvk_van(103)}
    assert not {niets, vve, recent, geeindigd} & set(plan.p2)
    # the query's order is the seed's order (oldest update → newest founding → fewest employees → KVK desc)
    with db.session() as s:
        rows = {r.kvk_nummer: r for r in s.query(hr.MODELS["MAC"]).filter_by(actueel=True)}
    verwacht = sorted(plan.p2, key=lambda k: prioriteit.sorteersleutel(rows[k].fetched_at, rows[k].oprichting,
                                                                       rows[k].werkzame_personen, k))
    assert list(plan.p2) == verwacht
    # P2 only while fewer than p2_drempel P1 companies are due
    with db.session() as s:
        streng = prioriteit.plan(s, _config(tmp_path, "[prioriteit]\np2_drempel = 2\np1_batch = 1\n").prioriteit, NU)
    assert streng.p1 == (p1_b,) and streng.p2 != ()
    with db.session() as s:
        zonder = prioriteit.plan(s, _config(tmp_path, "[prioriteit]\np2_drempel = 2\n").prioriteit, NU)
    assert zonder.p1 == (p1_b, p1_a) and zonder.p2 == ()


def _kvk_van(i: int) -> str:
    return dump.bedrijf(i)["kvkNummer"]


# --- update_kvk against the built-in KVK test source -------------------------------------------

def test_update_kvk_refreshes_the_plan_from_kvk(eigen_db, tmp_path, kvk_testserver):
    db = eigen_db
    config = _config(tmp_path, '[prioriteit]\np1_labels = ["im_public_*", "proef"]\n')
    client = make_kvk_client(kvk_testserver)
    for kvk in ("69599084", "68750110", "90002520"):
        basis = client.basisprofiel(kvk)
        if kvk == "69599084":
            basis = {**basis, "naam": "Oude naam"}  # what the store had before KVK changed it
        mac = transform.basisprofiel(basis, client.vestigingen(kvk))
        with db.session() as s:
            save_many(s, [(z, to_dict(m)) for z, m in te_bewaren(mac)], tijdstip=OUD, fetched_at=OUD)
    with db.session() as s:
        labels.add(s, "69599084", "proef")
    gehoord = []
    db.aansluiten(lambda session, wijzigingen: gehoord.extend(wijzigingen))
    stappen = []
    s1 = update_kvk(config, database=db, kvk_client=client, nu=NU, voortgang=lambda i, n: stappen.append((i, n)))
    assert s1["p1"] == 1 and s1["opgehaald"] == s1["p1"] + s1["p2"] and s1["fouten"] == 0 and s1["gestopt"] is None
    # the change went through the store's seam: the kennisgevingen distributor sees it
    assert s1["gewijzigd"] >= 1 and [(w.entiteittype, w.sleutel, w.oud["naam"]) for w in gehoord
                                     if w.entiteittype == "MAC"] == [("MAC", "69599084", "Oude naam")]
    assert s1["kvk_betaald"] >= 2 * s1["opgehaald"] and stappen[-1][0] == stappen[-1][1]
    with db.session() as s:
        assert hr.actueel(s, "MAC", "69599084").fetched_at > OUD
        assert hr.actueel(s, "MAC", "90002520").fetched_at == OUD  # Kerkgenootschap: excluded from P2
        plan = prioriteit.plan(s, config.prioriteit, NU)
    assert "69599084" not in plan.kvk_nummers and "68750110" not in plan.kvk_nummers
    # paid calls refused by policy: the run stops at once and says why; --force forces them
    geen = make_kvk_client(kvk_testserver, allow_paid=False)
    with db.session() as s:
        labels.add(s, "90002520", "proef")
    s2 = update_kvk(config, database=db, kvk_client=geen, nu=NU)
    assert s2["opgehaald"] == 0 and "betaald" in s2["gestopt"].lower() and s2["kvk_betaald"] == 0
    s3 = update_kvk(config, database=db, kvk_client=geen, nu=NU, force=True)
    assert s3["opgehaald"] == 1 and s3["gestopt"] is None


# --- update_handelsdata ------------------------------------------------------------------------

def test_update_handelsdata_from_db_blocked_while_the_queue_waits(eigen_db, tmp_path, handelsdata_server):
    db = eigen_db
    config = _config(tmp_path, f'[handelsdata]\nbase_url = "{handelsdata_server.url}"\n'
                               '[[handelsdata.abonnement]]\nnaam = "abo1"\ntoken = "t1"\ncredits_per_maand = 1000\n'
                               '[prioriteit]\nhandelsdata_per_verzoek = 2\n')
    kvks = [_bewaar(db, _bedrijf(i), OUD) for i in (200, 201, 209)]  # 209 has four vestigingen
    nummers = [v["vestigingsnummer"] for i in (200, 201, 209) for v in dump.bedrijf(i)["vestigingen"]]
    for i in (200, 201, 209):
        for v in dump.bedrijf(i)["vestigingen"]:
            handelsdata_server.vestigingen[v["vestigingsnummer"]] = {**v, "email": f"info@{i}.example"}
    with db.session() as s:
        queue.enqueue(s, kvks[0], bron="handelsdata", reden="test")
    geblokkeerd = update_handelsdata(config, database=db, from_db=True, nu=NU)
    assert geblokkeerd["geblokkeerd"] and geblokkeerd["wachtend"] == 1 and geblokkeerd["credits"] == 0
    s1 = update_handelsdata(config, database=db, from_db=True, batch_size=5, force=True, nu=NU)
    assert (s1["gevraagd"], s1["opgehaald"], s1["credits"], s1["gestopt"]) == (5, 5, 5, None)
    assert s1["gewijzigd"] == 5  # e-mail added
    s2 = update_handelsdata(config, database=db, from_db=True, force=True, nu=NU)
    assert s2["gevraagd"] == len(nummers) - 5  # the refreshed ones are not due any more
    with db.session() as s:
        ves = hr.actueel(s, "VES", nummers[0])
        assert ves.bron == "handelsdata" and ves.data["communicatie"]["emailadres"] == "info@200.example"
    assert update_handelsdata(config, database=db, from_db=True, force=True, nu=NU)["gevraagd"] == 0


# --- CLI ----------------------------------------------------------------------------------------

@pytest.fixture
def cli_db(db, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", db.url.render_as_string(hide_password=False))
    yield db
    reset_instances()


def test_sync_label_cli(cli_db, capsys):
    assert main(["sync", "label", "add", "12345670", "im_public_robotica"]) == 0
    assert "set" in capsys.readouterr().out
    assert main(["sync", "label", "add", "12345670", "im_public_robotica"]) == 0
    assert "already" in capsys.readouterr().out
    assert main(["sync", "label", "list", "12345670"]) == 0
    assert capsys.readouterr().out == "im_public_robotica\n"
    assert main(["sync", "label", "remove", "12345670", "im_public_robotica"]) == 0
    assert main(["sync", "label", "remove", "12345670", "im_public_robotica"]) == 0
    assert "was not set" in capsys.readouterr().out
    for argv in (["sync", "label", "add", "1234", "x"], ["sync", "label", "add", "12345670", "met spatie"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2


def test_sync_update_cli_summary_and_errors(cli_db, capsys, monkeypatch):
    monkeypatch.setenv("KNOOP_KVK_BASE_URL", "")
    assert main(["sync", "update-kvk", "--json"]) == 0  # nothing due: no KVK needed
    assert json.loads(capsys.readouterr().out)["p1"] == 0
    with cli_db.session() as s:
        labels.add(s, _bewaar(cli_db, _bedrijf(300), OUD), "im_public_x")
    assert main(["sync", "update-kvk"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "KVK is not configured" in err
    assert main(["sync", "update-handelsdata", "--force"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Handelsdata is not configured" in err
    with cli_db.session() as s:
        queue.enqueue(s, "12345670", bron="handelsdata", reden="test")
    assert main(["sync", "update-handelsdata", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["geblokkeerd"] is True


def test_the_schedule_form_of_a_run_without_handelsdata(tmp_path):
    config = _config(tmp_path)
    uitkomst = update_handelsdata(config, from_db=True, batch_size=1000, indien_geconfigureerd=True)
    assert uitkomst["gevraagd"] == 0 and "no [handelsdata]" in uitkomst["gestopt"]
    assert uitkomst.als_dict() == dict(uitkomst)
    assert uitkomst.regel().startswith("sync update-handelsdata: ") and "gestopt no [handelsdata]" in uitkomst.regel()
