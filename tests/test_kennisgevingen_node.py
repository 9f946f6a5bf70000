"""Kennisgevingen in the running node (mTLS, the KVK test source over HTTP): a vraag with
indicatorAfnemerindicatie places a subscription whose beginstand is queued; a change fetched from
KVK by the operator's refresh reaches exactly the subscribers, cut to their doelbinding; a
subscriber's Sa03 on OntvangAsynchroon is answered Bv03 with the Sa01 queued, or Fo03."""
from __future__ import annotations

import dataclasses
import threading
import uuid

import pytest
from lxml import etree

from knoop_esb.cli import main
from knoop_esb.kvktest.dataset import Dataset, dataset
from knoop_esb.kvktest.server import make_server
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF
from tests.fixtures.kennisgevingen import outbox_rijen, payload
from tests.fixtures.node import fault_code, soap_envelope, soap_post
from tests.fixtures.pki import NODE_OIN
from tests.fixtures.vraag import AFNEMER, kvk_extra, lv01

BASIS = "00000099000000000002"
VES = "000037178601"
KVK = "68750110"
AFNEMERS = f"""
[[afnemers.afnemer]]
oin = "{AFNEMER}"
naam = "Gemeente Demo (test)"
profiel = "2W-be"
applicatie = "VERGUNNING"
autorisatieprofielen = ["handelsregister"]
kennisgeving_url = "https://127.0.0.1:9/kennisgevingen"

[[afnemers.afnemer]]
oin = "{BASIS}"
naam = "Gemeente Basis (test)"
profiel = "2W-be-S"
applicatie = "ZAAKSYS"
autorisatieprofielen = ["handelsregister-basis"]
kennisgeving_url = "https://127.0.0.1:9/basis"
"""


@pytest.fixture(scope="module")
def kvk_bron():
    """A KVK test source whose data the test changes (``server.data``), over HTTP."""
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield server, f"http://{host}:{port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def kg_node(node_factory, kvk_bron):
    return node_factory(extra=kvk_extra(kvk_bron[1]), afnemers=AFNEMERS)


def verhuisd(data: Dataset, nummer: str, straat: str, huisnummer: int) -> Dataset:
    ves = data.vestigingen[nummer]
    adres = dataclasses.replace(ves.adressen[0], straatnaam=straat, huisnummer=huisnummer)
    nieuw = dataclasses.replace(ves, adressen=(adres, *ves.adressen[1:]))
    company = data.companies[ves.kvk_nummer]
    company = dataclasses.replace(company, vestigingen=tuple(nieuw if v.vestigingsnummer == nummer else v
                                                             for v in company.vestigingen))
    return Dataset({**data.companies, company.kvk_nummer: company}, {**data.vestigingen, nummer: nieuw})


def post(node, body, pad):
    with node.client("afnemer-demo") as client:
        action = f"{BG}/{etree.QName(body).localname}"
        envelope = soap_envelope(body, to=node.url(pad), action=action, sender_oin=AFNEMER)
        return soap_post(client, node.url(pad), envelope, action)


def sa03(nummer: str) -> etree._Element:
    root = etree.Element(f"{{{BG}}}vesSa03", nsmap={"BG": BG, "StUF": STUF})
    sg = etree.SubElement(root, f"{{{BG}}}stuurgegevens")
    etree.SubElement(sg, f"{{{STUF}}}berichtcode").text = "Sa03"
    for rol, oin, app in (("zender", AFNEMER, "VERGUNNING"), ("ontvanger", NODE_OIN, "KNOOP")):
        s = etree.SubElement(sg, f"{{{STUF}}}{rol}")
        etree.SubElement(s, f"{{{STUF}}}organisatie").text = oin
        etree.SubElement(s, f"{{{STUF}}}applicatie").text = app
    etree.SubElement(sg, f"{{{STUF}}}referentienummer").text = uuid.uuid4().hex
    etree.SubElement(sg, f"{{{STUF}}}tijdstipBericht").text = "20261202120000000"
    etree.SubElement(sg, f"{{{STUF}}}entiteittype").text = "VES"
    obj = etree.SubElement(root, f"{{{BG}}}object", {f"{{{STUF}}}entiteittype": "VES"})
    etree.SubElement(obj, f"{{{BG}}}vestigingsNummer").text = nummer
    return root


def db_van(node):
    from knoop_esb.store.db import database

    return database(node.config)


def cli(node, *args) -> int:
    """The CLI on the node's own knoop.toml (without the suite's KNOOP_DATABASE_URL, which would
    point the CLI at the database rather than at the node's schema in it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("KNOOP_DATABASE_URL", raising=False)
        return main(["--config", str(node.config.node.data_dir / "knoop.toml"), *args])


def test_vraag_subscription_then_refresh_delivers_exactly_the_change(kg_node, kvk_bron, schema_registry, capsys):
    server, _ = kvk_bron
    antwoord = post(kg_node, lv01("VES", {"vestigingsNummer": VES}, afnemerindicatie=True), "/stuf/bg0310/BeantwoordVraag")
    assert antwoord.status_code == 200, antwoord.text
    db = db_van(kg_node)
    [begin] = outbox_rijen(db)  # the beginstand of the new afnemerindicatie
    assert (begin.afnemer_oin, begin.endpoint, begin.berichtcode, begin.entiteittype, begin.object_sleutel) == \
        (AFNEMER, "standaard", "Sa01", "VES", VES)
    schema_registry.validate(payload(begin))

    post(kg_node, lv01("MAC", {"kvkNummer": KVK}), "/stuf/bg0310/BeantwoordVraag")  # stores the MAC (and NNP)
    assert len(outbox_rijen(db)) == 1  # nobody follows the MAC yet
    assert cli(kg_node, "abonnementen", "add", BASIS, "MAC", KVK) == 0
    regel = capsys.readouterr().out
    assert f"{BASIS} follows MAC {KVK}; beginstand: 3 messages queued" in regel  # MAC + 2 VES, no NNP
    n = len(outbox_rijen(db))

    assert cli(kg_node, "refresh", KVK) == 0  # KVK says nothing new
    assert "0 changed" in capsys.readouterr().out and len(outbox_rijen(db)) == n

    server.data = verhuisd(dataset(), VES, "Hizzaarderlaan", 7)
    try:
        assert cli(kg_node, "refresh", VES) == 0
    finally:
        server.data = dataset()
    regel = capsys.readouterr().out.strip()
    assert regel == f"VES {VES}: 1 objects from KVK, 0 new, 1 changed, 0 unchanged; 2 kennisgevingen queued"
    rijen = outbox_rijen(db)[n:]
    assert [(r.afnemer_oin, r.berichtcode, r.entiteittype, r.object_sleutel) for r in rijen] == \
        [(AFNEMER, "Lk01", "VES", VES), (BASIS, "Lk01", "VES", VES)]
    for rij in rijen:
        lk01 = payload(rij)
        schema_registry.validate(lk01)
        assert lk01.findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "W"
        oud, nieuw = lk01.findall(f"{{{BG}}}object")
        assert oud.findtext(f"{{{BG}}}verblijfsadres/{{{BG}}}aoa.huisnummer") == "5"
        assert nieuw.findtext(f"{{{BG}}}verblijfsadres/{{{BG}}}aoa.huisnummer") == "7"
        ontvanger = lk01.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}ontvanger/{{{STUF}}}organisatie")
        assert ontvanger == rij.afnemer_oin
    # doelbinding: handelsregister-basis has no relations
    assert payload(rijen[1]).find(f".//{{{BG}}}oefentActiviteitenUitVoor") is None

    assert cli(kg_node, "afnemers", "list") == 0
    lijst = capsys.readouterr().out
    assert f"follows VES {VES}  (object, vraag" in lijst and f"follows MAC {KVK}  (object, operator" in lijst
    assert cli(kg_node, "abonnementen", "remove", BASIS, "MAC", KVK) == 0
    assert cli(kg_node, "abonnementen", "list", "--afnemer", BASIS) == 0
    assert "no subscriptions" in capsys.readouterr().out


def test_sa03_queues_the_sa01_or_is_fo03(kg_node, schema_registry):
    post(kg_node, lv01("MAC", {"kvkNummer": KVK}), "/stuf/bg0310/BeantwoordVraag")  # stores the company
    db = db_van(kg_node)
    n = len(outbox_rijen(db))
    vraag = sa03("000037178598")
    response = post(kg_node, vraag, "/stuf/bg0310/OntvangAsynchroon")
    assert response.status_code == 200, response.text
    bv03 = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    assert etree.QName(bv03).localname == "Bv03Bericht"
    [rij] = outbox_rijen(db)[n:]
    sa01 = payload(rij)
    schema_registry.validate(sa01)
    assert (rij.berichtcode, rij.entiteittype, rij.object_sleutel) == ("Sa01", "VES", "000037178598")
    referentie = vraag.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}referentienummer")
    assert sa01.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}crossRefnummer") == referentie

    assert fault_code(post(kg_node, sa03("000099999999"), "/stuf/bg0310/OntvangAsynchroon")) == ("Fo03Bericht", "StUF064")
    assert len(outbox_rijen(db)) == n + 1


def test_gemeenten_csv_and_area_subscription_through_the_cli(kg_node, tmp_path, capsys):
    post(kg_node, lv01("MAC", {"kvkNummer": KVK}), "/stuf/bg0310/BeantwoordVraag")
    csv = tmp_path / "gemeenten.csv"
    csv.write_text("woonplaats,gemeentecode,gemeentenaam\nLollum,1900,Súdwest-Fryslân\nBolsward,1900,Súdwest-Fryslân\n",
                   encoding="utf-8")
    assert cli(kg_node, "abonnementen", "gemeenten", "load", str(csv)) == 0
    assert "2 woonplaatsen in 1 gemeenten" in capsys.readouterr().out
    assert cli(kg_node, "abonnementen", "add", BASIS, "gemeente", "1900") == 0
    assert f"{BASIS} follows gemeente 1900; beginstand: 3 messages queued" in capsys.readouterr().out
    assert cli(kg_node, "abonnementen", "add", BASIS, "postcode", "87") == 1
    assert "postcode range" in capsys.readouterr().err
    assert cli(kg_node, "abonnementen", "remove", BASIS, "gemeente", "1900") == 0
