"""History questions against the running node: macLv03 / nnpLv03 / vesLv03 (materiële historie)
and Lv05 (formele historie) after a company changed twice, answered from the store's history
with schema-valid La03 / La05."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, STUF
from tests.fixtures.vraag import VRAAG_AFNEMERS, kvk_extra, lv01
from tests.test_vraag_node import la01, objecten, vraag

KVK = "68750110"  # Test BV Donald


@pytest.fixture(scope="module")
def node(node_factory, kvk_testserver):
    return node_factory(extra=kvk_extra(kvk_testserver), afnemers=VRAAG_AFNEMERS)


def _als(body: etree._Element, code: str) -> etree._Element:
    body.tag = body.tag.replace("Lv01", code)
    body.find(f"{{{BG}}}stuurgegevens/{{{STUF}}}berichtcode").text = code
    return body


@pytest.fixture(scope="module")
def gewijzigd(node):
    """The company fetched from KVK (stored), then changed twice: two new handelsnamen."""
    from knoop_esb.store import handelsregister as hr
    from knoop_esb.store.db import database
    from knoop_esb.transform.model import MaatschappelijkeActiviteit
    from knoop_esb.vraag.opslag import mac_zoek

    la01(vraag(node, lv01("MAC", {"kvkNummer": KVK})))
    db = database(node.config)
    # The KVK state is stored valid from today; the changes take effect later (a begin at or
    # before the actual one would be a correction of it, not a new state).
    begin = date.today()
    for i, naam in enumerate(("Test BV Donald Twee", "Test BV Donald Drie"), start=1):
        with db.session() as session:
            data = copy.deepcopy(hr.actueel(session, "MAC", KVK).data)
            data["handelsnamen"] = [{"naam": naam, "volgorde": 1}]
            hr.save(session, mac_zoek(MaatschappelijkeActiviteit.from_dict(data)), data,
                    begin_geldigheid=begin + timedelta(days=20 * i), fetched_at=datetime.now(timezone.utc))
    return begin


def _historie(obj: etree._Element, naam: str) -> list[etree._Element]:
    return obj.findall(f"{{{BG}}}{naam}")


def test_mac_lv03_materiele_historie(node, gewijzigd, schema_registry):
    antwoord = la01(vraag(node, _als(lv01("MAC", {"kvkNummer": KVK}), "Lv03")))
    assert etree.QName(antwoord).localname == "macLa03"
    schema_registry.validate(antwoord)
    assert antwoord.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}berichtcode") == "La03"
    [mac] = objecten(antwoord)
    historie = _historie(mac, "historieMaterieel")
    namen = [h.findtext(f"{{{BG}}}handelsnaam") for h in historie]
    assert namen[-2:] == ["Test BV Donald Twee", "Test BV Donald Drie"] and len(historie) == 3
    begins = [h.findtext(f"{{{STUF}}}tijdvakGeldigheid/{{{STUF}}}beginGeldigheid") for h in historie]
    assert begins == sorted(begins)
    eind = historie[-1].find(f"{{{STUF}}}tijdvakGeldigheid/{{{STUF}}}eindGeldigheid")
    assert eind.get(f"{{{STUF}}}noValue") == "geenWaarde"
    assert historie[0].findtext(f"{{{STUF}}}tijdvakGeldigheid/{{{STUF}}}eindGeldigheid") == begins[1]
    assert mac.findtext(f"{{{BG}}}handelsnaam") == "Test BV Donald Drie"


def test_mac_lv05_formele_historie(node, gewijzigd, schema_registry):
    antwoord = la01(vraag(node, _als(lv01("MAC", {"kvkNummer": KVK}), "Lv05")))
    assert etree.QName(antwoord).localname == "macLa05"
    schema_registry.validate(antwoord)
    [mac] = objecten(antwoord)
    historie = _historie(mac, "historieFormeel")
    # Every registered row: the first state, its closed copy, the second, its copy, the third.
    assert len(historie) >= 3
    stippen = [h.findtext(f"{{{STUF}}}tijdstipRegistratie") for h in historie]
    assert stippen == sorted(stippen)


@pytest.mark.parametrize("ent, gelijk", [("NNP", None), ("VES", {"vestigingsNummer": "000037178598"})])
def test_nnp_and_ves_lv03(node, gewijzigd, schema_registry, ent, gelijk):
    if gelijk is None:
        from knoop_esb.kvktest.dataset import dataset

        gelijk = {"inn.nnpId": dataset().company(KVK).rsin}
    antwoord = la01(vraag(node, _als(lv01(ent, gelijk), "Lv03")))
    assert etree.QName(antwoord).localname == f"{ent.lower()}La03"
    schema_registry.validate(antwoord)
    [obj] = objecten(antwoord)
    assert len(_historie(obj, "historieMaterieel")) >= 1


@pytest.mark.parametrize("operatie", ["macLv03", "macLv05"])
def test_zeep_calls_the_history_operations(node, gewijzigd, pki, operatie):
    import uuid

    import requests
    import zeep
    from zeep.transports import Transport

    from knoop_esb.digikoppeling import zeep_compat
    from tests.fixtures.node import NODE_OIN
    from tests.fixtures.vraag import AFNEMER

    zeep_compat.apply()
    session = requests.Session()
    session.trust_env = False
    session.verify = str(pki.ca)
    session.cert = (str(pki.cert("afnemer-demo")), str(pki.key("afnemer-demo")))
    client = zeep.Client(node.url("/stuf/bg0310/BeantwoordVraag?wsdl"), transport=Transport(session=session))
    result = getattr(client.service, operatie)(
        stuurgegevens={"berichtcode": operatie[3:], "zender": {"organisatie": AFNEMER, "applicatie": "VERGUNNING"},
                       "ontvanger": {"organisatie": NODE_OIN, "applicatie": "KNOOP"},
                       "referentienummer": uuid.uuid4().hex, "tijdstipBericht": "20261123120000000",
                       "entiteittype": "MAC"},
        parameters={"sortering": 0, "indicatorVervolgvraag": False},
        gelijk={"entiteittype": "MAC", "kvkNummer": KVK},
        scope={"object": {"entiteittype": "MAC", "scope": "alles"}},
    )
    assert result.stuurgegevens.berichtcode == "La0" + operatie[-1]
    historie = getattr(result.antwoord.object[0], "historieMaterieel" if operatie.endswith("3") else "historieFormeel")
    assert len(historie) >= 3


@pytest.mark.parametrize("dagen, naam", [(0, "Test BV Donald"), (25, "Test BV Donald Twee"), (45, "Test BV Donald Drie")])
def test_lv03_with_peiltijdstip_materieel(node, gewijzigd, schema_registry, dagen, naam):
    # Lv01 has no peiltijdstip in the MAC/NNP/VES schema; Lv03 and Lv05 do.
    body = _als(lv01("MAC", {"kvkNummer": KVK}), "Lv03")
    peil = (gewijzigd + timedelta(days=dagen)).strftime("%Y%m%d") + "120000"
    etree.SubElement(body.find(f"{{{BG}}}parameters"), f"{{{STUF}}}peiltijdstipMaterieel").text = peil
    antwoord = la01(vraag(node, body))
    schema_registry.validate(antwoord)
    [mac] = objecten(antwoord)
    assert mac.findtext(f"{{{BG}}}handelsnaam") == naam
    assert len(mac.findall(f"{{{BG}}}historieMaterieel")) == 3


def test_lv05_with_peiltijdstip_formeel_before_the_store_knew_it(node, gewijzigd, schema_registry):
    body = _als(lv01("MAC", {"kvkNummer": KVK}), "Lv05")
    etree.SubElement(body.find(f"{{{BG}}}parameters"), f"{{{STUF}}}peiltijdstipFormeel").text = "20000101000000"
    antwoord = la01(vraag(node, body))
    schema_registry.validate(antwoord)
    assert objecten(antwoord) == []
