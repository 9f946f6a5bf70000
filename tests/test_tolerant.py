"""Tolerant mode: each deviation clients migrating from another makelaar send is repaired, logged
and counted for a ``tolerant`` afnemer, and refused (StUF055) for every other afnemer; anything
else stays refused in tolerant mode too."""
from __future__ import annotations

import pytest
from lxml import etree

from knoop_esb.digikoppeling.intern import hash_password
from knoop_esb.stuf import tolerant
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF, WSA
from tests.fixtures.node import fault_code, wait_for_log
from tests.fixtures.vraag import VRAAG_AFNEMERS, kvk_extra, lv01
from tests.test_stuf_binding_plain import answer_of, basic, no_cert_client, plain_envelope, post

STRIKT, MIGRATIE = "00000099000000000005", "00000099000000000007"
KVK = "69599084"


@pytest.fixture(scope="module")
def tolerant_node(node_factory, kvk_testserver):
    afnemers = VRAAG_AFNEMERS + "".join(f"""
[[afnemers.afnemer]]
oin = "{oin}"
profiel = "intern"
gebruikersnaam = "{naam}"
wachtwoord_hash = "{hash_password('wachtwoord-' + naam)}"
tolerant = {str(oin == MIGRATIE).lower()}
autorisatieprofielen = ["handelsregister"]
""" for oin, naam in ((STRIKT, "strikt"), (MIGRATIE, "migratie")))
    return node_factory(extra=kvk_extra(kvk_testserver), afnemers=afnemers)


def _as(oin: str) -> dict:
    naam = "migratie" if oin == MIGRATIE else "strikt"
    return basic(naam, "wachtwoord-" + naam)


def _send(node, oin: str, body: etree._Element, header=None):
    with no_cert_client(node) as client:
        return post(client, node, plain_envelope(body, header), None, _as(oin))


def _ves_van_kvk(oin: str) -> etree._Element:
    vraag = lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": KVK}, zender=oin, maximum=5)
    gerelateerde = vraag.find(f"{{{BG}}}gelijk/{{{BG}}}oefentActiviteitenUitVoor/{{{BG}}}gerelateerde")
    del gerelateerde.attrib[f"{{{STUF}}}entiteittype"]
    return vraag


def _zonder_parameters(oin: str) -> etree._Element:
    vraag = lv01("MAC", {"kvkNummer": KVK}, zender=oin)
    vraag.remove(vraag.find(f"{{{BG}}}parameters"))
    return vraag


def _wcf_action() -> etree._Element:
    action = etree.Element(f"{{{tolerant.WCF_ADDRESSING}}}Action", {f"{{{SOAP11_ENV}}}mustUnderstand": "1"},
                           nsmap={None: tolerant.WCF_ADDRESSING})
    action.text = f"{BG}/macLv01"
    return action


def test_gerelateerde_without_entiteittype(tolerant_node, captured_logs):
    assert fault_code(_send(tolerant_node, STRIKT, _ves_van_kvk(STRIKT))) == ("Fo02Bericht", "StUF055")
    answer, _ = answer_of(_send(tolerant_node, MIGRATIE, _ves_van_kvk(MIGRATIE)))
    assert answer.findall(f"{{{BG}}}antwoord/{{{BG}}}object")
    event = wait_for_log(captured_logs, event="deviation tolerated", afwijking="gerelateerde-entiteittype")
    assert event["afnemer"] == MIGRATIE and "MAC added" in event["detail"]
    assert tolerant.tellingen()[(MIGRATIE, "gerelateerde-entiteittype")] >= 1


def test_missing_parameters(tolerant_node, captured_logs):
    assert fault_code(_send(tolerant_node, STRIKT, _zonder_parameters(STRIKT))) == ("Fo02Bericht", "StUF055")
    answer, _ = answer_of(_send(tolerant_node, MIGRATIE, _zonder_parameters(MIGRATIE)))
    assert answer.findtext(f"{{{BG}}}antwoord/{{{BG}}}object/{{{BG}}}kvkNummer") == KVK
    wait_for_log(captured_logs, event="deviation tolerated", afwijking="parameters-ontbreekt", afnemer=MIGRATIE)


def test_wcf_addressing_headers(tolerant_node, captured_logs):
    vraag = lv01("MAC", {"kvkNummer": KVK}, zender=STRIKT)
    assert fault_code(_send(tolerant_node, STRIKT, vraag, [_wcf_action()])) == ("Fo02Bericht", "StUF055")
    vraag = lv01("MAC", {"kvkNummer": KVK}, zender=MIGRATIE)
    answer, header = answer_of(_send(tolerant_node, MIGRATIE, vraag, [_wcf_action()]))
    assert etree.QName(answer).localname == "macLa01"
    # Read as wsa:Action, so the answer carries WS-A like any request with WS-A headers.
    assert header.findtext(f"{{{WSA}}}Action") == f"{BG}/macLa01"
    event = wait_for_log(captured_logs, event="deviation tolerated", afwijking="wcf-addressing")
    assert "read as wsa:Action" in event["detail"]


def test_other_deviations_still_refused_in_tolerant_mode(tolerant_node):
    vraag = lv01("MAC", {"kvkNummer": KVK}, zender=MIGRATIE)
    etree.SubElement(vraag.find(f"{{{BG}}}gelijk"), f"{{{BG}}}bestaatNiet").text = "x"
    assert fault_code(_send(tolerant_node, MIGRATIE, vraag)) == ("Fo02Bericht", "StUF055")
    marked = etree.Element("{urn:example:esb}Correlatie", {f"{{{SOAP11_ENV}}}mustUnderstand": "1"})
    vraag = lv01("MAC", {"kvkNummer": KVK}, zender=MIGRATIE)
    assert fault_code(_send(tolerant_node, MIGRATIE, vraag, [marked])) == ("Fo02Bericht", "StUF055")
