"""vesLv01/macLv01/nnpLv01 answered by the running node over HTTPS with mutual TLS, with
hand-written requests like a permits application sends them (KVK-nr, vestigingsnummer, postcode,
street + town, trade name + town; sortering 2, maximumAantal 100)."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF
from tests.fixtures.node import fault_code, soap_envelope, soap_post
from tests.fixtures.vraag import AFNEMER, VRAAG_AFNEMERS, kvk_extra, lv01

PAD = "/stuf/bg0310/BeantwoordVraag"


def vraag(node, body, action=None, client_name="afnemer-demo", quoted=True):
    action = action or f"{BG}/{etree.QName(body).localname}"
    with node.client(client_name) as client:
        envelope = soap_envelope(body, to=node.url(PAD), action=action, sender_oin=AFNEMER)
        headers = None if quoted else {"SOAPAction": action}
        return soap_post(client, node.url(PAD), envelope, action, headers=headers)


def la01(response) -> etree._Element:
    assert response.status_code == 200, response.text
    body = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")
    return body[0]


def objecten(antwoord: etree._Element) -> list[etree._Element]:
    return antwoord.findall(f"{{{BG}}}antwoord/{{{BG}}}object")


def tekst(obj, pad: str) -> list[str]:
    return [e.text for e in obj.iterfind("/".join(f"{{{BG}}}{d}" for d in pad.split("/")))]


def test_mac_by_kvknummer_from_kvk_then_store(vraag_node, schema_registry):
    eerste = la01(vraag(vraag_node, lv01("MAC", {"kvkNummer": "68750110"})))
    schema_registry.validate(eerste)
    [mac] = objecten(eerste)
    assert tekst(mac, "kvkNummer") == ["68750110"]
    assert mac.get(f"{{{STUF}}}entiteittype") == "MAC"
    assert eerste.findtext(f"{{{BG}}}parameters/{{{STUF}}}indicatorVervolgvraag") == "false"
    sg = eerste.find(f"{{{BG}}}stuurgegevens")
    assert sg.findtext(f"{{{STUF}}}berichtcode") == "La01"
    assert sg.findtext(f"{{{STUF}}}ontvanger/{{{STUF}}}organisatie") == AFNEMER
    tweede = la01(vraag(vraag_node, lv01("MAC", {"kvkNummer": "68750110"})))
    assert tekst(objecten(tweede)[0], "kvkNummer") == ["68750110"]


def test_ves_all_vestigingen_of_a_kvknummer_sortering_2(vraag_node, schema_registry):
    body = lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "90003942"}, sortering=2, maximum=100)
    antwoord = la01(vraag(vraag_node, body))
    schema_registry.validate(antwoord)
    namen = [tekst(o, "handelsnaam")[0] for o in objecten(antwoord)]
    assert namen == sorted(namen, key=str.casefold) and len(namen) == 4



def test_soapui_comments_and_processing_instructions_are_ignored(vraag_node, schema_registry):
    """SoapUI writes "<!--Optional:-->" before every optional element: the node answers such a vraag
    exactly as the same vraag without them (the body reaches the handler without comments)."""
    body = lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "90003942"}, sortering=2, maximum=100)
    answers = []
    for commented in (False, True):
        with vraag_node.client("afnemer-demo") as client:
            envelope = soap_envelope(body, to=vraag_node.url(PAD), action=f"{BG}/vesLv01", sender_oin=AFNEMER)
            if commented:
                envelope = re.sub(rb"(<(?:BG|StUF):)", rb"<!--Optional:-->\1", envelope)
                envelope = envelope.replace(b"<BG:gelijk", b"<?soapui marker?><BG:gelijk", 1)
                assert envelope.count(b"<!--Optional:-->") > 10
            antwoord = la01(soap_post(client, vraag_node.url(PAD), envelope, f"{BG}/vesLv01"))
        schema_registry.validate(antwoord)
        answers.append([tekst(o, "handelsnaam")[0] for o in objecten(antwoord)])
    assert answers[0] == answers[1] and len(answers[0]) == 4

def test_not_found_is_la01_without_antwoord(vraag_node, schema_registry):
    antwoord = la01(vraag(vraag_node, lv01("VES", {"vestigingsNummer": "000099999999"})))
    schema_registry.validate(antwoord)
    assert antwoord.find(f"{{{BG}}}antwoord") is None


@pytest.mark.parametrize("quoted", [True, False])
def test_soapaction_with_and_without_quotes(vraag_node, quoted):
    antwoord = la01(vraag(vraag_node, lv01("MAC", {"kvkNummer": "68750110"}), quoted=quoted))
    assert len(objecten(antwoord)) == 1


def test_conflicting_selection_is_fo02_stuf079(vraag_node):
    body = lv01("VES", {"vestigingsNummer": "000037178598"}, vanaf={"vestigingsNummer": "000000000001"},
                tot={"vestigingsNummer": "999999999999"})
    response = vraag(vraag_node, body)
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF079")


def test_zender_not_certificate_oin_is_stuf052(vraag_node):
    body = lv01("MAC", {"kvkNummer": "68750110"}, zender="00000099000000000002")
    assert fault_code(vraag(vraag_node, body)) == ("Fo02Bericht", "StUF052")


def test_kvk_ipd_error_is_fo02_stuf058(vraag_node):
    response = vraag(vraag_node, lv01("MAC", {"kvkNummer": "90004973"}))
    assert fault_code(response) == ("Fo02Bericht", "StUF058")
    omschrijving = etree.fromstring(response.content).findtext(f".//{{{STUF}}}omschrijving")
    assert "IPD1002" in omschrijving


def test_delivery_is_in_the_protocol_log_and_afnemerindicatie_placed(vraag_node):
    from knoop_esb.afnemers import protocol
    from knoop_esb.store import afnemerindicaties
    from knoop_esb.store.db import database

    body = lv01("VES", {"vestigingsNummer": "000037178601"}, afnemerindicatie=True)
    antwoord = la01(vraag(vraag_node, body))
    assert antwoord.findtext(f"{{{BG}}}parameters/{{{STUF}}}indicatorAfnemerIndicatie") == "true"
    referentie = body.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}referentienummer")
    db = database(vraag_node.config)
    with db.session() as session:
        [regel] = [r for r in protocol.regels(session, afnemer_oin=AFNEMER) if r.referentienummer == referentie]
        assert (regel.berichtcode, regel.entiteittype, regel.object_sleutels) == ("vesLv01", "VES", ["000037178601"])
        assert "verblijfsadres/aoa.postcode" in regel.attribuut_paden
        assert regel.doel  # the doelbinding rule's doel: the grounds of the delivery
        assert AFNEMER in afnemerindicaties.afnemers_van(session, "VES", "000037178601")


def test_fresh_kvk_answer_is_stored_with_the_whole_company(vraag_node):
    from knoop_esb.store import handelsregister
    from knoop_esb.store.db import database

    la01(vraag(vraag_node, lv01("MAC", {"kvkNummer": "90004760"})))
    with database(vraag_node.config).session() as session:
        mac = handelsregister.actueel(session, "MAC", "90004760")
        assert mac is not None and mac.bron == "kvk"


def test_postcode_without_huisnummer_answered_from_store(vraag_node):
    la01(vraag(vraag_node, lv01("MAC", {"kvkNummer": "68750110"})))  # stores its vestigingen
    antwoord = la01(vraag(vraag_node, lv01("VES", {"verblijfsadres/aoa.postcode": "8713KB"}, sortering=5)))
    assert [tekst(o, "vestigingsNummer")[0] for o in objecten(antwoord)] == ["000037178598", "000037178601"]


def test_schema_invalid_request_is_stuf055_naming_the_element(vraag_node):
    body = lv01("MAC", {"kvkNummer": "68750110"})
    body.find(f"{{{BG}}}parameters/{{{STUF}}}sortering").text = "99"
    response = vraag(vraag_node, body)
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    assert "sortering" in etree.fromstring(response.content).findtext(f".//{{{STUF}}}omschrijving")


def test_doelbinding_cuts_the_answer(node_factory, kvk_testserver):
    from tests.fixtures.vraag import VRAAG_AFNEMERS, kvk_extra

    basis = VRAAG_AFNEMERS.replace('autorisatieprofielen = ["handelsregister"]',
                                   'autorisatieprofielen = ["handelsregister-basis"]', 1)
    node = node_factory(extra=kvk_extra(kvk_testserver), afnemers=basis)
    antwoord = la01(vraag(node, lv01("VES", {"vestigingsNummer": "000037178598"})))
    [obj] = objecten(antwoord)
    assert tekst(obj, "vestigingsNummer") == ["000037178598"]
    assert obj.find(f"{{{BG}}}oefentActiviteitenUitVoor") is None  # no relations in handelsregister-basis
    assert fault_code(vraag(node, lv01("NNP", {"inn.nnpId": "123456789"}))) == ("Fo02Bericht", "StUF052")


VERGUNNING_VESLV01 = """<?xml version="1.0" encoding="UTF-8"?>
<BG:vesLv01 xmlns:BG="http://www.egem.nl/StUF/sector/bg/0310" xmlns:StUF="http://www.egem.nl/StUF/StUF0301"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BG:stuurgegevens>
    <StUF:berichtcode>Lv01</StUF:berichtcode>
    <StUF:zender>
      <StUF:organisatie>00000099000000000001</StUF:organisatie>
      <StUF:applicatie>VERGUNNING</StUF:applicatie>
      <StUF:gebruiker>behandelaar01</StUF:gebruiker>
    </StUF:zender>
    <StUF:ontvanger>
      <StUF:organisatie>00000099000000000000</StUF:organisatie>
      <StUF:applicatie>KNOOP</StUF:applicatie>
    </StUF:ontvanger>
    <StUF:referentienummer>VERG-2026-000123</StUF:referentienummer>
    <StUF:tijdstipBericht>20261123093015123</StUF:tijdstipBericht>
    <StUF:entiteittype>VES</StUF:entiteittype>
  </BG:stuurgegevens>
  <BG:parameters>
    <StUF:sortering>5</StUF:sortering>
    <StUF:indicatorVervolgvraag>false</StUF:indicatorVervolgvraag>
    <StUF:maximumAantal>100</StUF:maximumAantal>
    <StUF:indicatorAfnemerIndicatie>false</StUF:indicatorAfnemerIndicatie>
  </BG:parameters>
  <BG:gelijk StUF:entiteittype="VES">
    <BG:verblijfsadres>
      <BG:aoa.postcode>8713KB</BG:aoa.postcode>
      <BG:aoa.huisnummer>5</BG:aoa.huisnummer>
    </BG:verblijfsadres>
  </BG:gelijk>
  <BG:scope>
    <BG:object StUF:entiteittype="VES">
      <BG:vestigingsNummer xsi:nil="true"/>
      <BG:handelsnaam xsi:nil="true"/>
      <BG:verblijfsadres>
        <BG:wpl.woonplaatsNaam xsi:nil="true"/>
        <BG:gor.openbareRuimteNaam xsi:nil="true"/>
        <BG:aoa.postcode xsi:nil="true"/>
        <BG:aoa.huisnummer xsi:nil="true"/>
      </BG:verblijfsadres>
      <BG:oefentActiviteitenUitVoor StUF:entiteittype="VESMAC">
        <BG:gerelateerde StUF:entiteittype="MAC">
          <BG:kvkNummer xsi:nil="true"/>
        </BG:gerelateerde>
      </BG:oefentActiviteitenUitVoor>
    </BG:object>
  </BG:scope>
</BG:vesLv01>"""


def test_hand_written_permits_request_postcode_huisnummer(vraag_node, schema_registry):
    body = etree.fromstring(VERGUNNING_VESLV01.encode())
    antwoord = la01(vraag(vraag_node, body))
    schema_registry.validate(antwoord)
    [obj] = objecten(antwoord)
    assert tekst(obj, "vestigingsNummer") == ["000037178601"]
    assert tekst(obj, "oefentActiviteitenUitVoor/gerelateerde/kvkNummer") == ["68750110"]
    sg = antwoord.find(f"{{{BG}}}stuurgegevens")
    assert sg.findtext(f"{{{STUF}}}crossRefnummer") == "VERG-2026-000123"
    assert sg.findtext(f"{{{STUF}}}ontvanger/{{{STUF}}}applicatie") == "VERGUNNING"


def test_unsupported_vraag_is_stuf025(vraag_node):
    body = lv01("NPS", None, scope=None)
    assert fault_code(vraag(vraag_node, body)) == ("Fo02Bericht", "StUF025")


def test_list_answer_uses_the_stored_full_vestigingsprofiel(node_factory, kvk_testserver, schema_registry):
    """KVK Zoeken leaves postcode and huisnummer out of its results; a vestiging whose full profile
    the store holds (fetched by an earlier vesLv01 on its vestigingsnummer) is answered in full."""
    vraag_node = node_factory(extra=kvk_extra(kvk_testserver), afnemers=VRAAG_AFNEMERS)  # an empty store
    eerst = la01(vraag(vraag_node, lv01("VES", {"vestigingsNummer": "000037178598"})))
    assert tekst(objecten(eerst)[0], "verblijfsadres/aoa.postcode"), "the vestigingsprofiel has a postcode"
    body = lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "68750110"}, sortering=2, maximum=100)
    antwoord = la01(vraag(vraag_node, body))
    schema_registry.validate(antwoord)
    per_nummer = {tekst(o, "vestigingsNummer")[0]: o for o in objecten(antwoord)}
    assert set(per_nummer) == {"000037178598", "000037178601"}
    assert tekst(per_nummer["000037178598"], "verblijfsadres/aoa.postcode") == tekst(objecten(eerst)[0], "verblijfsadres/aoa.postcode")
    # Never fetched in full: Zoeken's short entry (straat and plaats only), as KVK gives it.
    assert tekst(per_nummer["000037178601"], "verblijfsadres/aoa.postcode") == []
    assert tekst(per_nummer["000037178601"], "verblijfsadres/wpl.woonplaatsNaam") == ["Lollum"]
