"""The store and KVK sources, the store-backed credit ledger, and the router wired from config:
store (SQLite/PostgreSQL) and the built-in KVK test source over real HTTP."""
from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.config.handelsdata import Abonnement, HandelsdataConfig
from knoop_esb.routing import GeenAntwoord, Vraag, router
from knoop_esb.routing.sources.base import BronFout
from knoop_esb.routing.sources.credits import StoreBoek
from knoop_esb.routing.sources.handelsdata import HandelsdataClient
from knoop_esb.routing.sources.kvk import KvkSource
from knoop_esb.routing.sources.store_source import StoreSource
from knoop_esb.store import handelsregister as hr
from knoop_esb.transform import model
from tests.fixtures.kvk import make_kvk_client


def bewaar_mac(db, kvk_nummer, naam, leeftijd=timedelta(0)):
    mac = model.MaatschappelijkeActiviteit(kvk_nummer=kvk_nummer, naam=naam)
    with db.session() as session:
        hr.save(session, hr.MacZoek(kvk_nummer=kvk_nummer, naam=naam), mac.to_dict(),
                fetched_at=datetime.now(timezone.utc) - leeftijd)
    return mac


def test_store_source_answers_with_model_objects_and_fetch_time(db):
    mac = bewaar_mac(db, "11110001", "Opgeslagen BV", leeftijd=timedelta(days=2))
    ves = model.Vestiging(vestigingsnummer="111100010001", kvk_nummer="11110001", eerste_handelsnaam="Winkel")
    with db.session() as session:
        hr.save(session, hr.VesZoek(vestigingsnummer=ves.vestigingsnummer, kvk_nummer="11110001",
                                    handelsnamen=("Winkel",), adres=hr.Adres(postcode="1234AB", huisnummer=5)),
                model.to_dict(ves))
    store = StoreSource(db)
    antwoord = store.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "11110001"}))
    assert antwoord.objecten == (mac,)
    assert timedelta(days=2) <= datetime.now(timezone.utc) - antwoord.fetched_at < timedelta(days=2, minutes=1)
    (gevonden,) = store.vraag(Vraag("vesLv01", "VES", {"postcode": "1234 ab", "huisnummer": "5"})).objecten
    assert gevonden == ves
    assert not store.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "11119999"})).gevonden
    assert not store.vraag(Vraag("macLv01", "MAC", {})).gevonden


def test_kvk_source_against_the_builtin_test_source(kvk_testserver):
    kvk = KvkSource(make_kvk_client(kvk_testserver))
    (mac,) = kvk.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "69599084"})).objecten
    assert mac.naam == "Test EMZ Dagobert" and {v.vestigingsnummer for v in mac.alle_vestigingen()} >= {"000038509504"}
    (ves,) = kvk.vraag(Vraag("vesLv01", "VES", {"vestigingsnummer": "000038509520"})).objecten
    assert ves.kvk_nummer == "69599084"
    (nnp,) = kvk.vraag(Vraag("nnpLv01", "NNP", {"kvkNummer": "68750110"})).objecten
    assert nnp.rsin and nnp.statutaire_naam
    gevonden = kvk.vraag(Vraag("vesLv01", "VES", {"postcode": "8713KB"})).objecten
    assert {v.vestigingsnummer for v in gevonden} == {"000037178598", "000037178601"}
    assert not kvk.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "12345678"})).gevonden
    with pytest.raises(BronFout) as exc:
        kvk.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "90002903"}))
    assert exc.value.code == "IPD9999"


def test_router_from_config_refreshes_through_kvk_when_the_store_is_stale(db, kvk_testserver, routing_config):
    bewaar_mac(db, "68750110", "Oude naam", leeftijd=timedelta(days=40))
    config = routing_config("""
        [[routes.route]]
        berichtcode = "macLv01"
        entiteittype = "MAC"
        chain = ["store", "kvk"]
        max_age = "30d"
    """)
    r = router(config, database=db, kvk_client=make_kvk_client(kvk_testserver))
    antwoord = r.beantwoord(Vraag("macLv01", "MAC", {"kvkNummer": "68750110"}))
    assert antwoord.bron == "kvk" and antwoord.objecten[0].naam == "Test BV Donald"
    # KVK fails for this one (IPD9999): the stale stored copy, with meldingen saying why.
    bewaar_mac(db, "90002903", "Error BV", leeftijd=timedelta(days=40))
    stale = r.beantwoord(Vraag("macLv01", "MAC", {"kvkNummer": "90002903"}))
    assert stale.bron == "store" and [m.code for m in stale.meldingen] == ["IPD9999", "verouderd"]
    with pytest.raises(GeenAntwoord):
        r.beantwoord(Vraag("macLv01", "MAC", {"kvkNummer": "90004973"}))


def test_store_credit_ledger_survives_a_new_client_and_resets_monthly(db, handelsdata_server):
    handelsdata_server.vestigingen = {"000038509504": {"vestigingsnummer": "000038509504"}}
    handelsdata_server.script.clear()
    config = HandelsdataConfig(base_url=handelsdata_server.url, abonnement=[Abonnement("db-abo", "tok", 3)])
    boek = StoreBoek(db)
    HandelsdataClient(config, boek).vestiging("000038509504")
    HandelsdataClient(config, boek).export_selectie(vestigingsnummers=["000038509504", "000000000001"])
    maand = datetime.now(timezone.utc).strftime("%Y-%m")
    assert boek.gebruikt("db-abo", maand) == 3
    with pytest.raises(BronFout):
        HandelsdataClient(config, boek).vestiging("000038509504")
    assert not boek.reserveer("db-abo", maand, 1, 3)
    assert boek.reserveer("db-abo", "2099-01", 3, 3) and boek.gebruikt("db-abo", "2099-01") == 3
    boek.corrigeer("db-abo", "2099-01", -2)
    assert boek.gebruikt("db-abo", "2099-01") == 1
