"""The node's own BeantwoordVraag WSDL: one portType, soapAction = wsam:Action, fault fout = Fo02;
zeep (with zeep_compat) loads the published copy over mTLS and calls every operation."""
from __future__ import annotations

import uuid

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from knoop_esb import paths
from knoop_esb.digikoppeling import zeep_compat
from knoop_esb.stuf.ns import BG, STUF, WSAM
from tests.fixtures.node import NODE_OIN
from tests.fixtures.vraag import AFNEMER

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL = paths.WSDL_DIR / "bg0310.beantwoordvraag.wsdl"
OPERATIES = ("nnpLv01", "macLv01", "vesLv01")


def test_wsdl_rules_ws005_ws008_ww004():
    root = etree.parse(str(WSDL)).getroot()
    assert [p.get("name") for p in root.iterfind(f"{{{WSDL_NS}}}portType")] == ["BeantwoordVraag"]
    for part in root.iter(f"{{{WSDL_NS}}}part"):
        assert part.get("name") == "body" and part.get("element") and not part.get("type")
    port_type = root.find(f"{{{WSDL_NS}}}portType")
    binding = root.find(f"{{{WSDL_NS}}}binding")
    assert binding.get("name") == "SOAPBeantwoordVraag"
    for op in OPERATIES:
        abstract = port_type.find(f"{{{WSDL_NS}}}operation[@name='{op}']")
        concrete = binding.find(f"{{{WSDL_NS}}}operation[@name='{op}']")
        action = concrete.find(f"{{{SOAP_NS}}}operation").get("soapAction")
        assert action == f"{BG}/{op}" == abstract.find(f"{{{WSDL_NS}}}input").get(f"{{{WSAM}}}Action")
        assert abstract.find(f"{{{WSDL_NS}}}output").get("message") == f"BG:{op[:3]}La01"
        fault = abstract.find(f"{{{WSDL_NS}}}fault")
        assert fault.get("name") == "fout" and fault.get("message") == "BG:Fo02"
    fo02 = root.find(f"{{{WSDL_NS}}}message[@name='Fo02']/{{{WSDL_NS}}}part")
    assert fo02.get("element") == "StUF:Fo02Bericht"


@pytest.fixture(scope="module")
def zeep_client(vraag_node, pki):
    zeep_compat.apply()
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify (LIBRARIES.md)
    session.verify = str(pki.ca)
    session.cert = (str(pki.cert("afnemer-demo")), str(pki.key("afnemer-demo")))
    # No WsAddressingPlugin: zeep adds To/Action/MessageID itself when the WSDL declares wsam:Action.
    return zeep.Client(vraag_node.url("/stuf/bg0310/BeantwoordVraag?wsdl"), transport=Transport(session=session))


def _stuurgegevens(ent: str) -> dict:
    return {"berichtcode": "Lv01", "zender": {"organisatie": AFNEMER, "applicatie": "VERGUNNING"},
            "ontvanger": {"organisatie": NODE_OIN, "applicatie": "KNOOP"},
            "referentienummer": uuid.uuid4().hex, "tijdstipBericht": "20261123120000000", "entiteittype": ent}


VRAGEN = {
    "macLv01": ("MAC", {"kvkNummer": "68727720"}),
    "nnpLv01": ("NNP", {"inn.nnpId": None}),
    "vesLv01": ("VES", {"vestigingsNummer": "000037143557"}),
}


@pytest.mark.parametrize("operatie", OPERATIES)
def test_zeep_calls_every_operation(zeep_client, operatie):
    ent, gelijk = VRAGEN[operatie]
    if operatie == "nnpLv01":
        gelijk = {"_value_1": [{"inn.nnpId": _rsin(zeep_client)}]}  # a choice with maxOccurs 2 in zeep
    result = getattr(zeep_client.service, operatie)(
        stuurgegevens=_stuurgegevens(ent),
        parameters={"sortering": 0, "indicatorVervolgvraag": False, "maximumAantal": 10},
        gelijk={"entiteittype": ent, **gelijk},
        scope={"object": {"entiteittype": ent, "scope": "alles"}},
    )
    assert result.stuurgegevens.berichtcode == "La01"
    assert result.parameters.indicatorVervolgvraag is False
    assert len(result.antwoord.object) == 1
    if operatie == "vesLv01":
        # zeep_compat: the repeating handelsnaam sequence parses (and ends).
        assert result.antwoord.object[0].vestigingsNummer._value_1 == "000037143557"


def _rsin(zeep_client) -> str:
    result = zeep_client.service.macLv01(
        stuurgegevens=_stuurgegevens("MAC"), parameters={"sortering": 0, "indicatorVervolgvraag": False},
        gelijk={"entiteittype": "MAC", "kvkNummer": "68727720"},
        scope={"object": {"entiteittype": "MAC", "scope": "alles"}})
    [eigenaar] = result.antwoord.object[0].heeftAlsEigenaar
    nnp = eigenaar.gerelateerde.nietNatuurlijkPersoon
    return nnp["inn.nnpId"]._value_1


def test_zeep_raises_fault_with_fo02(zeep_client):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        zeep_client.service.vesLv01(
            stuurgegevens=_stuurgegevens("VES"), parameters={"sortering": 0, "indicatorVervolgvraag": False},
            gelijk={"entiteittype": "VES", "sub.telefoonnummer": "0301234567"},
            scope={"object": {"entiteittype": "VES", "scope": "alles"}})
    detail = exc.value.detail
    assert detail.findtext(f".//{{{STUF}}}code") == "StUF058"
