"""Answers found wrong when tried as a new user would (issue 14, item 3), each a regression test
against the running node and the built-in KVK test source (which pages Zoeken as KVK does)."""
from __future__ import annotations

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, STUF
from tests.fixtures.node import fault_code
from tests.fixtures.vraag import kvk_extra, lv01, VRAAG_AFNEMERS
from tests.test_vraag_node import la01, objecten, tekst, vraag


@pytest.fixture(scope="module")
def node(node_factory, kvk_testserver):
    return node_factory(extra=kvk_extra(kvk_testserver), afnemers=VRAAG_AFNEMERS)


def test_nnp_by_statutaire_naam_finds_the_stored_nnp_and_keeps_it_complete(node, schema_registry):
    # Stored complete (basisprofiel) by a question on its RSIN first.
    eerste = la01(vraag(node, lv01("MAC", {"kvkNummer": "68750110"})))
    assert objecten(eerste)
    from knoop_esb.kvktest.dataset import dataset

    rsin = dataset().company("68750110").rsin
    volledig = la01(vraag(node, lv01("NNP", {"inn.nnpId": rsin})))
    [nnp] = objecten(volledig)
    velden = {etree.QName(e).localname for e in nnp}
    antwoord = la01(vraag(node, lv01("NNP", {"statutaireNaam": "Test BV Donald"})))
    schema_registry.validate(antwoord)
    gevonden = objecten(antwoord)
    assert [tekst(o, "inn.nnpId") for o in gevonden] == [[rsin]]
    # Asked again by RSIN: still the complete NNP, not the thin Zoeken record.
    opnieuw = objecten(la01(vraag(node, lv01("NNP", {"inn.nnpId": rsin}))))[0]
    assert {etree.QName(e).localname for e in opnieuw} == velden


@pytest.mark.parametrize("kvk, totaal", [("90006577", 1000),
                                         pytest.param("99100002", 2500, marks=pytest.mark.slow)])
def test_all_vestigingen_of_a_large_company_are_paged_to_the_end(node, kvk, totaal):
    gezien: list[str] = []
    start = None
    for _ in range(60):
        body = lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": kvk}, maximum=100,
                    vervolg=start is not None, start=start, scope=["vestigingsNummer"])
        antwoord = la01(vraag(node, body))
        pagina = objecten(antwoord)
        gezien += [tekst(o, "vestigingsNummer")[0] for o in pagina]
        if antwoord.findtext(f"{{{BG}}}parameters/{{{STUF}}}indicatorVervolgvraag") != "true":
            break
        start = pagina[-1]
    assert len(gezien) == totaal and len(set(gezien)) == totaal


def test_mac_by_vestigingsnummer_of_oefent_activiteit_uit_in(node, schema_registry):
    body = lv01("MAC", {"oefentActiviteitUitIn/gerelateerde/vestigingsNummer": "000037178601"})
    gerelateerde = body.find(f"{{{BG}}}gelijk/{{{BG}}}oefentActiviteitUitIn")
    gerelateerde.set(f"{{{STUF}}}entiteittype", "MACVES")
    gerelateerde.find(f"{{{BG}}}gerelateerde").set(f"{{{STUF}}}entiteittype", "VES")
    antwoord = la01(vraag(node, body))
    schema_registry.validate(antwoord)
    assert [tekst(o, "kvkNummer") for o in objecten(antwoord)] == [["68750110"]]


def test_vervolgvraag_with_only_the_key_in_start_continues(node):
    # Sortering 2 (handelsnaam): the start object holds only the key, not the handelsnaam it was sorted by.
    kvk = "90006577"
    gelijk = {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": kvk}
    alle = la01(vraag(node, lv01("VES", gelijk, maximum=30, sortering=2, scope=["vestigingsNummer"])))
    verwacht = [tekst(o, "vestigingsNummer")[0] for o in objecten(alle)]
    start = etree.Element(f"{{{BG}}}object", {f"{{{STUF}}}entiteittype": "VES"})
    etree.SubElement(start, f"{{{BG}}}vestigingsNummer").text = verwacht[9]
    tweede = la01(vraag(node, lv01("VES", gelijk, maximum=10, sortering=2, vervolg=True, start=start,
                                    scope=["vestigingsNummer"])))
    assert [tekst(o, "vestigingsNummer")[0] for o in objecten(tweede)] == verwacht[10:20]


@pytest.mark.parametrize("waarde", ["6875O110", "abcdefgh"])
def test_kvknummer_with_letters_is_a_client_error(node, waarde):
    code = fault_code(vraag(node, lv01("MAC", {"kvkNummer": waarde})))
    assert code == ("Fo02Bericht", "StUF055"), code


def test_failed_vestigingen_call_answers_the_company_with_a_melding_and_stores_it(node, kvk_faults, schema_registry):
    kvk = "90004760"
    kvk_faults.arm("500", path=f"/api/v1/basisprofielen/{kvk}/vestigingen", count=None)
    antwoord = la01(vraag(node, lv01("MAC", {"kvkNummer": kvk})))
    schema_registry.validate(antwoord)
    assert [tekst(o, "kvkNummer") for o in objecten(antwoord)] == [[kvk]]
    meldingen = [m.text for m in antwoord.iterfind(f"{{{BG}}}melding")]
    assert any("vestigingen van 90004760 niet opgehaald" in m for m in meldingen), meldingen
    assert _stored(node, "MAC", kvk) is not None


def _stored(node, entiteittype: str, sleutel: str):
    from knoop_esb.store import handelsregister
    from knoop_esb.store.db import database

    with database(node.config).session() as session:
        return handelsregister.actueel(session, entiteittype, sleutel)


def test_a_zoeken_result_never_replaces_the_stored_company(node):
    from knoop_esb.kvktest.dataset import dataset
    from knoop_esb.routing.sources.base import Antwoord
    from knoop_esb.store.db import database
    from knoop_esb.transform import kvk as transform
    from knoop_esb.vraag.opslag import Opslag

    kvk = "68750110"
    la01(vraag(node, lv01("MAC", {"kvkNummer": kvk})))
    voor = _stored(node, "MAC", kvk).data
    rsin = dataset().company(kvk).rsin
    nnp_voor = _stored(node, "NNP", rsin).data
    dun = transform.zoeken({"pagina": 1, "resultatenPerPagina": 10, "totaal": 1, "resultaten": [
        {"kvkNummer": kvk, "rsin": rsin, "naam": "Test BV Donald", "type": "rechtspersoon"}]})
    Opslag(database(node.config))(Antwoord(bron="kvk", objecten=dun))
    assert _stored(node, "MAC", kvk).data == voor
    assert _stored(node, "NNP", rsin).data == nnp_voor
