"""The sync engine against the KVK test source over HTTP, on SQLite and PostgreSQL: polling
(stored once, the high-water mark), the processors and the six signal semantics as the test
source's world changes over time, seed 002's transfer example, back-off, paid-call refusal and
the Handelsdata fallback."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from knoop_esb.config import load
from knoop_esb.kvktest.server import start_in_thread
from knoop_esb.kvktest.wereld import BE, GV, NI, RV, VO, kvk_a, kvk_b
from knoop_esb.store import handelsregister as hr
from knoop_esb.store import queue, signalen, vensters
from knoop_esb.store.models import BedrijfNieuw, KvkSignaal, MacVersie, VesVersie
from knoop_esb.sync.poll import poll, vensters_tot
from knoop_esb.sync.processors import Opties, Processors
from knoop_esb.sync.verwerk import process
from tests.fixtures.kvk import make_kvk_client

T0 = datetime(2026, 3, 2, 12, 0, 3, tzinfo=timezone.utc)


class Klok:
    def __init__(self, moment: datetime):
        self.nu = moment

    def __call__(self) -> datetime:
        return self.nu


@pytest.fixture(scope="module")
def klok():
    return Klok(T0)


@pytest.fixture(scope="module")
def bron(klok):
    base_url, stop = start_in_thread("127.0.0.1", 0, clock=klok)
    yield base_url
    stop()


@pytest.fixture(scope="module")
def wereld(bron):
    from knoop_esb.kvktest.mutaties import Mutatieservice
    from knoop_esb.kvktest.dataset import dataset

    return Mutatieservice(dataset()).wereld      # same seed and interval as the server: same world


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "knoop.toml"
    path.write_text("[sync]\nterugkijken_dagen = 0.01\nstop_na_tijdelijke_fouten = 2\nopnieuw_na_seconden = 60\n")
    return load(path, environ={})


@pytest.fixture
def client(bron):
    c = make_kvk_client(bron)
    yield c
    c.close()


def _rondje(config, db, client, klok, **opties):
    p = poll(config, db, client, nu=klok.nu)
    r = process(config, db, Processors(db, client), Opties(**opties))
    return p, r


def test_vensters_lookback_then_high_water_mark():
    nu = datetime(2026, 3, 2, tzinfo=timezone.utc)
    week, dag = timedelta(days=7), timedelta(days=1)
    eerste = vensters_tot(nu, None, terugkijken=4 * week, venster=week, overlap=timedelta(hours=1))
    assert [v for v, _ in eerste] == [nu - 4 * week, nu - 3 * week, nu - 2 * week, nu - week]
    assert eerste[-1][1] == nu
    later = vensters_tot(nu + dag, nu, terugkijken=4 * week, venster=week, overlap=timedelta(hours=1))
    assert later == [(nu - timedelta(hours=1), nu + dag)]


def test_poll_stores_each_signal_once_and_keeps_the_mark(config, db, client, klok):
    klok.nu = T0
    eerste = poll(config, db, client, nu=klok.nu)
    assert eerste.signalen == eerste.nieuwe_signalen > 20
    with db.session() as s:
        ids = {r for r in s.scalars(select(KvkSignaal.signaal_id))}
        types = {r for r in s.scalars(select(KvkSignaal.signaal_type))}
        assert vensters.hoogwater(s, client.abonnementen()["abonnementen"][0]["id"]) == T0
        queued = s.scalar(select(func.count()).select_from(BedrijfNieuw))
        gv = s.scalars(select(KvkSignaal).where(KvkSignaal.signaal_type == GV)).all()
    assert len(types) == 6 and gv and all(g.status == "genegeerd" and g.raw["vestigingsnummer"] for g in gv)
    tweede = poll(config, db, client, nu=klok.nu)             # the same windows again: nothing new
    assert (tweede.nieuwe_signalen, tweede.in_wachtrij) == (0, 0) and tweede.signalen == eerste.signalen
    klok.nu = T0 + timedelta(minutes=5)                         # later: only what is new since the mark
    derde = poll(config, db, client, nu=klok.nu)
    with db.session() as s:
        alle = list(s.scalars(select(KvkSignaal.signaal_id)))
        assert s.scalar(select(func.count()).select_from(BedrijfNieuw)) >= queued
    assert derde.nieuwe_signalen == 10 and len(alle) == len(set(alle)) == len(ids) + 10


def test_store_follows_the_world_through_all_six_signals(config, db, client, klok, wereld):
    j = wereld.cyclus_nu(T0 + timedelta(days=3))
    j -= j % 2                                                  # A(j) an NV, A(j-1) a VOF
    klok.nu = max(wereld.moment(j, NI), wereld.moment(j - 1, NI)) + timedelta(seconds=1)
    klok.nu = min(klok.nu, wereld.moment(j + 1, RV) - timedelta(seconds=1))
    _rondje(config, db, client, klok)
    nv, vof = kvk_a(j), kvk_a(j - 1)
    with db.session() as s:
        assert hr.actueel(s, "MAC", nv).eind_geldigheid is None
        rsin = hr.actueel(s, "MAC", nv).data["eigenaar"]["rsin"]
        assert hr.actueel(s, "NNP", rsin).data["rechtsvorm"] == "Naamloze Vennootschap"
        vof_ves = [v.sleutel for v in [hr.actueel(s, "VES", f"07{(j - 1):08d}{i:02d}") for i in range(3)] if v]
        assert vof_ves and all(hr.actueel(s, "VES", n).data["kvkNummer"] == vof for n in vof_ves)

    klok.nu = wereld.moment(j + 3, NI) + timedelta(seconds=1)    # RV, GI, BE of A(j); VO of A(j-1)
    p, r = _rondje(config, db, client, klok)
    assert r.fouten == 0 and r.beeindigd >= 2 and r.updates >= 1
    with db.session() as s:
        # Rechtsvormwijziging: the NNP has a new version, the old rechtsvorm stays in its history
        historie = [v.data["rechtsvorm"] for v in hr.formele_historie(s, "NNP", rsin)]
        assert historie[0] == "Naamloze Vennootschap" and historie[-1] == "Besloten Vennootschap"
        # GewijzigdeInschrijving: werkzame personen and SBI refreshed
        macs = [v.data for v in hr.formele_historie(s, "MAC", nv)]
        assert macs[0]["totaalWerkzamePersonen"] != macs[-1]["totaalWerkzamePersonen"]
        assert {a["sbiCode"] for a in macs[-1]["sbiActiviteiten"]} == {"62010"}
        # Beeindiging: ended with its datum einde, not deleted
        einde = wereld.moment(j + 2, BE).date()
        assert hr.actueel(s, "MAC", nv).eind_geldigheid == einde
        assert s.scalar(select(func.count()).select_from(MacVersie).where(MacVersie.kvk_nummer == nv)) >= 2
        for nummer in s.scalars(select(VesVersie.vestigingsnummer).where(VesVersie.kvk_nummer == nv,
                                                                       VesVersie.actueel.is_(True))):
            assert hr.actueel(s, "VES", nummer).eind_geldigheid == einde
        # VoortzettingEnOverdracht: the VOF ends, its vestigingen continue under the eenmanszaak
        assert hr.actueel(s, "MAC", vof).eind_geldigheid == wereld.moment(j + 1, VO).date()
        opvolger = hr.actueel(s, "MAC", kvk_b(j - 1))
        assert opvolger is not None and opvolger.data["eigenaar"]["rechtsvorm"] == "Eenmanszaak"
        for nummer in vof_ves:
            v = hr.actueel(s, "VES", nummer)
            assert v.data["kvkNummer"] == kvk_b(j - 1) and v.eind_geldigheid is None
        # NieuweInschrijving: a company first seen now is stored with its vestigingen (smart detection)
        nieuw = kvk_a(j + 2)
        assert hr.actueel(s, "MAC", nieuw) is not None
        aantal = 1 + (j + 2) % 3
        assert all(hr.actueel(s, "VES", f"07{j + 2:08d}{i:02d}") for i in range(aantal))
        # every signal acted on, GewijzigdeVestiging stored only; the queue drained
        assert set(signalen.counts(s)) <= {"verwerkt", "genegeerd"}
        assert set(queue.counts(s)) == {"done"}
        # one actual row per object
        for model, key in ((MacVersie, MacVersie.kvk_nummer), (VesVersie, VesVersie.vestigingsnummer)):
            dubbel = s.execute(select(key).where(model.actueel.is_(True)).group_by(key)
                               .having(func.count() > 1)).all()
            assert dubbel == []


def test_seed_voorbeeld_voortzetting_31009215_naar_98568493(config, db, client):
    with db.session() as s:      # what the store knew before: the VOF with both vestigingen
        hr.save(s, hr.MacZoek(kvk_nummer="31009215", naam="Knoop Test Seed VOF"),
                {"kvkNummer": "31009215", "eigenaar": {"rechtsvorm": "Vennootschap Onder Firma"}})
        for nummer in ("000015317528", "000031756611"):
            hr.save(s, hr.VesZoek(vestigingsnummer=nummer, kvk_nummer="31009215"),
                    {"vestigingsnummer": nummer, "kvkNummer": "31009215"})
        seed = {"signaal": {"signaalType": "SignaalVoortzettingEnOverdracht_2025_01",
                            "heeftBetrekkingOp": {"kvkNummer": "31009215"},
                            "voortzettingEnOverdracht": {
                                "betrokkenVestigingen": {"vestigingsnummers": ["000031756611", "000015317528"]},
                                "rolBijVoortzettingOverdracht": {"code": "VG", "omschrijving": "Voortgezet door"},
                                "kvkNummer": "98568493", "persoonRechtsvorm": "Eenmanszaak"}}}
        signalen.save(s, signaal_id="seed-002-voorbeeld", signaal_type="SignaalVoortzettingEnOverdracht_2025_01",
                      kvk_nummer="31009215", tijdstip=T0, raw={"id": "seed-002-voorbeeld", "kvknummer": "31009215", **seed})
        queue.enqueue(s, "31009215", reden="SignaalVoortzettingEnOverdracht", signaal_id="seed-002-voorbeeld",
                      prioriteit=1)
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel"))
    assert r.fouten == 0
    with db.session() as s:
        assert hr.actueel(s, "MAC", "31009215").eind_geldigheid.isoformat() == "2025-01-15"
        assert hr.actueel(s, "MAC", "98568493").data["eigenaar"]["rechtsvorm"] == "Eenmanszaak"
        for nummer in ("000015317528", "000031756611"):
            v = hr.actueel(s, "VES", nummer)
            assert v.data["kvkNummer"] == "98568493" and v.eind_geldigheid is None
            assert [x.data["kvkNummer"] for x in hr.formele_historie(s, "VES", nummer)][0] == "31009215"
        assert s.scalars(select(KvkSignaal.status).where(KvkSignaal.signaal_id == "seed-002-voorbeeld")).one() == "verwerkt"


def test_ipd1002_backs_off_and_stops_the_run(config, db, client):
    with db.session() as s:
        for kvk in ("90004973", "90002903"):          # always 503 IPD1002 / 500 IPD9999
            queue.enqueue(s, kvk, reden="handmatig", prioriteit=1)
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel"))
    assert r.fouten == 2 and "temporary KVK failures" in r.gestopt
    with db.session() as s:
        rows = s.scalars(select(BedrijfNieuw).where(BedrijfNieuw.kvk_nummer.in_(("90004973", "90002903")))).all()
    assert all(e.status == "pending" and e.next_attempt_at > datetime.now(timezone.utc) + timedelta(seconds=30)
               and "IPD" in e.last_error for e in rows)


def test_paid_calls_refused_leave_the_entries_queued(config, db, client):
    with db.session() as s:
        queue.enqueue(s, "68750110", reden="handmatig", prioriteit=1)
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel", allow_paid=False, limit=1))
    assert r.gestopt and "allow_paid" in r.gestopt and r.verwerkt == 0
    with db.session() as s:
        e = s.scalars(select(BedrijfNieuw).where(BedrijfNieuw.kvk_nummer == "68750110")).one()
        assert (e.status, e.attempts) == ("pending", 0)
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel", allow_paid=False, force_paid=True,
                                                           limit=1))
    assert r.verwerkt == 1 and r.inserts >= 2


def test_more_than_1000_vestigingen_all_queued(config, db, client):
    with db.session() as s:
        queue.enqueue(s, "99100002", reden="handmatig", prioriteit=1)
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel", limit=1))
    assert r.verwerkt == 1
    with db.session() as s:
        n = s.scalar(select(func.count()).select_from(BedrijfNieuw).where(
            BedrijfNieuw.kvk_nummer == "99100002", BedrijfNieuw.vestigingsnummer.is_not(None)))
    assert n == 2499          # every vestiging but the hoofdvestiging, which came with the Basisprofiel


def test_handelsdata_entry_falls_back_to_kvk(config, db, client):
    with db.session() as s:
        queue.enqueue(s, "69599084", bron="handelsdata", reden="SignaalNieuweInschrijving", prioriteit=1)
    r = process(config, db, Processors(db, client), Opties(bron="handelsdata"))
    assert r.verwerkt >= 1
    with db.session() as s:
        e = s.scalars(select(BedrijfNieuw).where(BedrijfNieuw.kvk_nummer == "69599084", BedrijfNieuw.bron == "kvk")).one()
        assert e.status == "pending" and e.vestigingsnummer is None
    r = process(config, db, Processors(db, client), Opties(alleen="basisprofiel"))
    with db.session() as s:
        assert hr.actueel(s, "MAC", "69599084") is not None


def test_cli_enqueue_and_status(tmp_path, db, capsys, monkeypatch):
    from knoop_esb.cli import main

    monkeypatch.delenv("KNOOP_DATABASE_URL", raising=False)     # else it overrides the [database] url below
    url = db.url.render_as_string(hide_password=False)
    cfg = tmp_path / "k.toml"
    cfg.write_text(f'[database]\nurl = "{url}"\n')
    lijst = tmp_path / "nummers.csv"
    lijst.write_text("kvk_nummer\n68727720\n# comment\n69599084/000038509504\n")
    assert main(["--config", str(cfg), "sync", "enqueue", "90000102", "--file", str(lijst)]) == 0
    assert "3 queued" in capsys.readouterr().out
    assert main(["--config", str(cfg), "sync", "enqueue", "1234"]) == 2
    assert "'1234' is no KVK-nummer" in capsys.readouterr().err
    assert main(["--config", str(cfg), "sync", "status", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["wachtrij"]["kvk:bedrijf"]["pending"] >= 2 and "vensters" in figures
    assert [t["id"] for t in figures["taken"]][:2] == ["sync-poll", "process-kvk-basisprofiel"]


def test_handelsdata_entry_stored_from_handelsdata(config, db, client, handelsdata_server):
    from knoop_esb.config.handelsdata import Abonnement, HandelsdataConfig
    from knoop_esb.routing.sources.credits import StoreBoek
    from knoop_esb.routing.sources.handelsdata import HandelsdataClient

    bedrijf = client.basisprofiel("69599068")
    bedrijf["vestigingen"] = client.vestigingen_lijst("69599068")["vestigingen"]
    handelsdata_server.bedrijven["69599068"] = bedrijf
    hd = HandelsdataClient(HandelsdataConfig(base_url=handelsdata_server.url, abonnement=[Abonnement("abo1", "t1")]),
                           StoreBoek(db))
    with db.session() as s:
        queue.enqueue(s, "69599068", bron="handelsdata", reden="SignaalNieuweInschrijving", prioriteit=1)
    try:
        r = process(config, db, Processors(db, client, handelsdata_client=hd), Opties(bron="handelsdata", limit=1))
    finally:
        hd.close()
    assert (r.verwerkt, r.handelsdata_credits, r.kvk_betaald) == (1, 1, 0) and r.inserts >= 1
    with db.session() as s:
        assert hr.actueel(s, "MAC", "69599068").bron == "handelsdata"


def test_every_change_reaches_the_store_seam_and_is_counted(config, db, client):
    """The engine saves through handelsregister.save/end and bulk.save_many: a listener on the
    Database (as the kennisgevingen distributor is) sees each change in its transaction, and what
    it writes to the outbox is the run's "kennisgevingen queued"."""
    from knoop_esb.store import outbox

    gezien = []

    def luisteraar(session, wijzigingen):
        for w in wijzigingen:
            gezien.append(w)
            outbox.add(session, referentienummer=f"test-{w.entiteittype}-{w.sleutel}-{w.versie_id}",
                       afnemer_oin="00000099000000000001", berichtcode="Lk01", entiteittype=w.entiteittype,
                       object_sleutel=w.sleutel, payload="{}")

    db.aansluiten(luisteraar)
    try:
        with db.session() as s:
            queue.enqueue(s, "90006623", reden="handmatig", prioriteit=1)     # Stichting Geo: MAC, NNP, VES
        r = process(config, db, Processors(db, client), Opties(limit=3))
    finally:
        db.luisteraars.remove(luisteraar)
    assert r.verwerkt >= 1 and r.inserts >= 3
    assert {w.entiteittype for w in gezien} >= {"MAC", "NNP", "VES"} and all(w.bron == "kvk" for w in gezien)
    assert r.kennisgevingen == len(gezien)
