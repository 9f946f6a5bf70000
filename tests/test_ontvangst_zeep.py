"""Kennisgevingen in, end to end: a real zeep client loads the node's OntvangAsynchroon WSDL over
mutual TLS and sends nnpLk01 / macLk01 / vesLk01; each accepted one is in the store
(``handelsregister.actueel``) and in the answer to a vraag the store answers; each refused one gets
a Fo03 with the code StUF 03.01 names, and leaves nothing behind."""
from __future__ import annotations

import itertools
import uuid
from dataclasses import replace

import pytest
import requests
import zeep
from lxml import etree
from sqlalchemy import text
from zeep.transports import Transport

from knoop_esb.digikoppeling import zeep_compat
from knoop_esb.store import afnemerindicaties, handelsregister, ontvangen
from knoop_esb.store.db import database
from knoop_esb.stuf.ns import BG, STUF, XSI
from knoop_esb.transform import diff, emit
from knoop_esb.transform.model import (Adres, Handelsnaam, MaatschappelijkeActiviteit, NietNatuurlijkPersoon,
                                       SbiActiviteit, Vestiging)
from tests.fixtures.node import NODE_OIN, afnemers_toml
from tests.fixtures.store import postgres_url

DEMO = "00000099000000000001"  # chain partner for MAC and VES; doelbinding for every Handelsregister bericht
NNP_PARTNER = "00000099000000000009"  # chain partner for NNP only; no doelbinding
KVK = "68750110"
RSIN = "857453437"
VES_NR = "000037178591"

AFNEMERS = afnemers_toml(demo_regels='kennisgevingen_in = ["MAC", "VES"]\n') + f"""
[[afnemers.afnemer]]
oin = "{NNP_PARTNER}"
naam = "Ketenpartner NNP (test)"
profiel = "2W-be"
applicatie = "REGISTER"
kennisgevingen_in = ["NNP"]
"""
EXTRA = """
[routes]
default_chain = ["store"]
"""


def _ves(nr: str = VES_NR, **kw) -> Vestiging:
    waarden = dict(vestigingsnummer=nr, kvk_nummer=KVK, commercieel=True, hoofdvestiging=True,
                   handelsnamen=(Handelsnaam("Donald", 1),), datum_aanvang="20170101",
                   adressen=(Adres(type="bezoekadres", straatnaam="Hizzaarderlaan", huisnummer=3, postcode="8651PA",
                                   plaats="IJlst"),))
    waarden.update(kw)
    return Vestiging(**waarden)


NNP = NietNatuurlijkPersoon(rsin=RSIN, statutaire_naam="Donald B.V.", rechtsvorm="Besloten Vennootschap",
                            statutaire_zetel="IJlst")
MAC = MaatschappelijkeActiviteit(kvk_nummer=KVK, datum_aanvang="20170101", handelsnamen=(Handelsnaam("Donald", 1),),
                                 sbi_activiteiten=(SbiActiviteit("6201", "Programmeren", True),), eigenaar=NNP,
                                 hoofdvestiging=_ves())

_tijdstip = itertools.count(1)


def tijdstip() -> str:
    """A tijdstipBericht later than every earlier one of this module."""
    return f"20261201{next(_tijdstip):09d}"


def lk01(objecten, mutatiesoort: str, *, indicator: str = "V", zender: str = DEMO, referentie: str | None = None,
         tijdstip_bericht: str | None = None) -> etree._Element:
    """A BG:<ent>Lk01 from this zender to the node around ``objecten`` (emitted by the node's own
    transform: another knoop-esb as chain partner)."""
    ent = objecten[0].get(f"{{{STUF}}}entiteittype")
    root = etree.Element(f"{{{BG}}}{ent.lower()}Lk01", nsmap={"BG": BG, "StUF": STUF})
    sg = etree.SubElement(root, f"{{{BG}}}stuurgegevens")
    etree.SubElement(sg, f"{{{STUF}}}berichtcode").text = "Lk01"
    for rol, oin, app in (("zender", zender, "REGISTER"), ("ontvanger", NODE_OIN, "KNOOP")):
        systeem = etree.SubElement(sg, f"{{{STUF}}}{rol}")
        etree.SubElement(systeem, f"{{{STUF}}}organisatie").text = oin
        etree.SubElement(systeem, f"{{{STUF}}}applicatie").text = app
    etree.SubElement(sg, f"{{{STUF}}}referentienummer").text = referentie or uuid.uuid4().hex
    etree.SubElement(sg, f"{{{STUF}}}tijdstipBericht").text = tijdstip_bericht or tijdstip()
    etree.SubElement(sg, f"{{{STUF}}}entiteittype").text = ent
    parameters = etree.SubElement(root, f"{{{BG}}}parameters")
    etree.SubElement(parameters, f"{{{STUF}}}mutatiesoort").text = mutatiesoort
    etree.SubElement(parameters, f"{{{STUF}}}indicatorOvername").text = indicator
    root.extend(objecten)
    return root


def kennisgeving(oud, nieuw, ent: str) -> diff.Kennisgeving:
    [kg] = [k for k in diff.kennisgevingen(oud, nieuw) if k.entiteittype == ent]
    return kg


@pytest.fixture(scope="module")
def knoop(node_factory):
    return node_factory(extra=EXTRA, afnemers=AFNEMERS)


def _client(node, porttype: str, certificaat: str = "afnemer-demo") -> zeep.Client:
    zeep_compat.apply()
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify (LIBRARIES.md)
    session.verify = str(node.pki.ca)
    session.cert = (str(node.pki.cert(certificaat)), str(node.pki.key(certificaat)))
    # No WsAddressingPlugin: zeep adds To/Action/MessageID itself, as the WSDL declares wsam:Action.
    return zeep.Client(node.url(f"/stuf/bg0310/{porttype}?wsdl"), transport=Transport(session=session))


@pytest.fixture(scope="module")
def partner(knoop):
    return _client(knoop, "OntvangAsynchroon")


@pytest.fixture(scope="module")
def nnp_partner(knoop):
    return _client(knoop, "OntvangAsynchroon", "unknown-afnemer")


@pytest.fixture(scope="module")
def vrager(knoop):
    return _client(knoop, "BeantwoordVraag")


def stuur(client: zeep.Client, body: etree._Element):
    """Send ``body`` with zeep: its own element type reads the XML into the operation's arguments
    and zeep builds the message. A body with empty elements (xsi:nil + StUF:noValue) goes as XML
    (:func:`stuur_xml`): zeep renders a parsed nil value as an empty element without xsi:nil."""
    if body.xpath("boolean(//*[@xsi:nil='true'])", namespaces={"xsi": XSI}):
        return stuur_xml(client, body)
    value = client.get_element(body.tag).parse(body, client.wsdl.types)
    return getattr(client.service, etree.QName(body).localname)(**{naam: getattr(value, naam) for naam in value})


def stuur_xml(client: zeep.Client, body: etree._Element):
    """Send XML as it is with zeep: the WSDL's address and soapAction, zeep's transport (mTLS) and
    its reading of the answer (a Fault raises), around an envelope with the WS-Addressing headers."""
    from tests.fixtures.node import soap_envelope

    binding = client.service._binding
    operatie = binding.get(etree.QName(body).localname)
    adres = client.service._binding_options["address"]
    envelope = etree.fromstring(soap_envelope(body, to=adres, action=operatie.soapaction,
                                              sender_oin=body.findtext(f".//{{{STUF}}}zender/{{{STUF}}}organisatie")))
    response = client.transport.post_xml(adres, envelope, {"SOAPAction": f'"{operatie.soapaction}"',
                                                           "Content-Type": "text/xml; charset=utf-8"})
    return binding.process_reply(client, operatie, response)


def geweigerd(client: zeep.Client, body: etree._Element) -> tuple[str, str, str]:
    """(foutbericht, code, details) of the Fault the node answers ``body`` with."""
    with pytest.raises(zeep.exceptions.Fault) as exc:
        stuur(client, body)
    fo = exc.value.detail[0]
    return (etree.QName(fo).localname, fo.findtext(f"{{{STUF}}}body/{{{STUF}}}code"),
            fo.findtext(f"{{{STUF}}}body/{{{STUF}}}details") or "")


def bevestigd(client: zeep.Client, body: etree._Element) -> None:
    result = stuur(client, body)
    refnr = body.findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}referentienummer")
    sg = result.stuurgegevens if hasattr(result, "stuurgegevens") else result  # zeep unwraps a one-part answer
    assert (sg.berichtcode, sg.crossRefnummer, sg.zender.organisatie) == ("Bv03", refnr, NODE_OIN)


def actueel(node, ent: str, sleutel: str):
    with database(node.config).session() as session:
        return handelsregister.actueel(session, ent, sleutel)


def vraag(client: zeep.Client, ent: str, gelijk: dict):
    stuurgegevens = {"berichtcode": "Lv01", "zender": {"organisatie": DEMO, "applicatie": "ZAAKSYS"},
                     "ontvanger": {"organisatie": NODE_OIN, "applicatie": "KNOOP"},
                     "referentienummer": uuid.uuid4().hex, "tijdstipBericht": "20261202120000000", "entiteittype": ent}
    result = getattr(client.service, f"{ent.lower()}Lv01")(
        stuurgegevens=stuurgegevens, parameters={"sortering": 0, "indicatorVervolgvraag": False},
        gelijk={"entiteittype": ent, **gelijk}, scope={"object": {"entiteittype": ent, "scope": "alles"}})
    return result.antwoord.object if result.antwoord is not None else []


def _tekst(waarde) -> str | None:
    return getattr(waarde, "_value_1", waarde)


# --- accepted -----------------------------------------------------------------------------------


def test_toevoeging_mac_is_stored_and_answered_from_the_store(knoop, partner, vrager):
    body = lk01(kennisgeving(None, MAC, "MAC").objecten(), "T")
    bevestigd(partner, body)
    versie = actueel(knoop, "MAC", KVK)
    assert versie is not None and versie.bron == "kennisgeving"
    assert versie.data["handelsnamen"] == [{"naam": "Donald", "volgorde": 1}]
    assert versie.data["eigenaar"]["rsin"] == RSIN
    assert [v["vestigingsnummer"] for v in versie.data["vestigingen"]] == [VES_NR]
    [obj] = vraag(vrager, "MAC", {"kvkNummer": KVK})
    assert [_tekst(h["handelsnaam"]) for h in obj._value_1] == ["Donald"]  # zeep: the handelsnaam sequence
    [eigenaar] = obj.heeftAlsEigenaar
    assert _tekst(eigenaar.gerelateerde.nietNatuurlijkPersoon["inn.nnpId"]) == RSIN
    with database(knoop.config).session() as session:
        [rij] = ontvangen.van_object(session, "MAC", KVK)
    assert (rij.afnemer_oin, rij.berichtcode, rij.mutatiesoort, rij.zender_applicatie) == (DEMO, "macLk01", "T", "REGISTER")


def test_toevoeging_then_wijziging_then_verwijdering_of_a_vestiging(knoop, partner, vrager):
    bevestigd(partner, lk01(kennisgeving(None, MAC, "VES").objecten(), "T"))
    assert actueel(knoop, "VES", VES_NR).data["adressen"][0]["postcode"] == "8651PA"

    verhuisd = replace(MAC, hoofdvestiging=_ves(adressen=(Adres(type="bezoekadres", straatnaam="Kerkstraat",
                                                                  huisnummer=12, postcode="8651AB", plaats="IJlst"),)))
    kg = kennisgeving(MAC, verhuisd, "VES")
    assert kg.mutatiesoort == "W"
    bevestigd(partner, lk01(kg.objecten(), "W"))
    versie = actueel(knoop, "VES", VES_NR)
    assert versie.data["adressen"][0]["straatnaam"] == "Kerkstraat" and versie.data["kvkNummer"] == KVK
    assert versie.data["handelsnamen"] == [{"naam": "Donald", "volgorde": 1}]  # what the W did not touch stays
    [obj] = vraag(vrager, "VES", {"vestigingsNummer": VES_NR})
    assert _tekst(obj.verblijfsadres["aoa.postcode"]) == "8651AB"

    weg = kennisgeving(verhuisd, replace(verhuisd, hoofdvestiging=None), "VES")
    assert weg.mutatiesoort == "V"
    bevestigd(partner, lk01(weg.objecten(), "V"))
    versie = actueel(knoop, "VES", VES_NR)
    assert versie.eind_geldigheid.isoformat() == "2026-12-01"  # no datumEinde: the date of tijdstipBericht
    assert versie.data["adressen"][0]["straatnaam"] == "Kerkstraat"  # an ended object keeps its last data


def test_toevoeging_nnp_from_its_chain_partner_answers_nnpLv01(knoop, nnp_partner, vrager):
    body = lk01(kennisgeving(None, MAC, "NNP").objecten(), "T", zender=NNP_PARTNER)
    bevestigd(nnp_partner, body)
    versie = actueel(knoop, "NNP", RSIN)
    assert versie.data["statutaireNaam"] == "Donald B.V." and versie.data["statutaireZetel"] == "IJlst"
    [obj] = vraag(vrager, "NNP", {"_value_1": [{"inn.nnpId": RSIN}]})
    assert _tekst(obj.statutaireNaam) == "Donald B.V."

    hernoemd = replace(MAC, eigenaar=replace(NNP, statutaire_naam="Donald Holding B.V."))
    bevestigd(nnp_partner, lk01(kennisgeving(MAC, hernoemd, "NNP").objecten(), "W", zender=NNP_PARTNER))
    assert actueel(knoop, "NNP", RSIN).data["statutaireNaam"] == "Donald Holding B.V."
    assert actueel(knoop, "NNP", RSIN).data["statutaireZetel"] == "IJlst"
    [obj] = vraag(vrager, "NNP", {"_value_1": [{"inn.nnpId": RSIN}]})
    assert _tekst(obj.statutaireNaam) == "Donald Holding B.V."


def test_indicator_overname_I_places_an_afnemerindicatie_and_takes_no_data(knoop, partner):
    ander = replace(NNP, rsin="111222333")
    body = lk01((emit.nnp(ander, soort="kennisgeving"),), "T", indicator="I")
    bevestigd(partner, body)
    with database(knoop.config).session() as session:
        [indicatie] = afnemerindicaties.van_afnemer(session, DEMO)
        assert (indicatie.entiteittype, indicatie.object_sleutel, indicatie.bron) == ("NNP", "111222333", "kennisgeving")
    assert actueel(knoop, "NNP", "111222333") is None  # "I": the data is not taken over

    bevestigd(partner, lk01((emit.nnp(ander, soort="kennisgeving"),), "V", indicator="I"))
    with database(knoop.config).session() as session:
        assert afnemerindicaties.van_afnemer(session, DEMO) == []


# --- refused ------------------------------------------------------------------------------------


def test_duplicate_referentienummer_is_StUF016_and_changes_nothing(knoop, partner):
    nieuw = replace(MAC, handelsnamen=(Handelsnaam("Donald", 1), Handelsnaam("Duck", 2)))
    kg = kennisgeving(MAC, nieuw, "MAC")
    body = lk01(kg.objecten(), "W")
    bevestigd(partner, body)
    versie = actueel(knoop, "MAC", KVK)
    assert [h["naam"] for h in versie.data["handelsnamen"]] == ["Donald", "Duck"]
    assert geweigerd(partner, body)[:2] == ("Fo03Bericht", "StUF016")
    assert actueel(knoop, "MAC", KVK).id == versie.id


def test_tijdstip_bericht_not_after_the_previous_one_is_StUF019(knoop, partner):
    body = lk01((emit.mac(MAC, soort="kennisgeving"),), "T", tijdstip_bericht="20260101120000000")
    fo, code, details = geweigerd(partner, body)
    assert (fo, code) == ("Fo03Bericht", "StUF019") and "20260101120000000" in details
    # the same tijdstip as the last accepted one is not "after" it either
    with database(knoop.config).session() as session:
        laatste = session.execute(text("select laatste_tijdstip from ontvangst_zender where organisatie = :o"),
                                  {"o": DEMO}).scalar()
    assert geweigerd(partner, lk01((emit.mac(MAC, soort="kennisgeving"),), "T", tijdstip_bericht=laatste))[1] == "StUF019"


def test_schema_violation_is_StUF055(knoop, partner):
    body = lk01((emit.ves(_ves(), soort="kennisgeving"),), "T")
    body.find(f"{{{BG}}}object").append(etree.Element(f"{{{BG}}}bestaatNiet"))
    with pytest.raises(zeep.exceptions.Fault) as exc:
        stuur_xml(partner, body)
    fo = exc.value.detail[0]
    assert etree.QName(fo).localname == "Fo03Bericht"
    assert fo.findtext(f"{{{STUF}}}body/{{{STUF}}}code") == "StUF055"
    assert "bestaatNiet" in etree.tostring(fo, encoding="unicode")


def test_a_W_without_its_oud_object_is_StUF055(partner):
    body = lk01((emit.mac(MAC, soort="kennisgeving"),), "W")
    fo, code, details = geweigerd(partner, body)
    assert (fo, code) == ("Fo03Bericht", "StUF055") and "mutatiesoort W" in details


def test_entiteittype_the_afnemer_is_no_chain_partner_for_is_StUF052(knoop, partner):
    body = lk01((emit.nnp(NNP, soort="kennisgeving"),), "T")
    fo, code, details = geweigerd(partner, body)
    assert (fo, code) == ("Fo03Bericht", "StUF052") and "ketenpartner" in details


def test_indicator_I_without_doelbinding_is_StUF052(knoop, nnp_partner):
    body = lk01((emit.ves(_ves(), soort="kennisgeving"),), "T", indicator="I", zender=NNP_PARTNER)
    assert geweigerd(nnp_partner, body)[:2] == ("Fo03Bericht", "StUF052")


def test_wijziging_of_an_unknown_object_is_StUF064_and_a_wrong_oud_StUF058(knoop, partner):
    onbekend = _ves("000099999999")
    kg = kennisgeving(replace(MAC, hoofdvestiging=onbekend),
                      replace(MAC, hoofdvestiging=replace(onbekend, datum_einde="20261130")), "VES")
    assert geweigerd(partner, lk01(kg.objecten(), "W"))[1] == "StUF064"

    # the MAC's activiteit in the store is 6201; an 'oud' claiming 9999 is not the stored state
    anders = replace(MAC, handelsnamen=(Handelsnaam("Donald", 1), Handelsnaam("Duck", 2)),
                     sbi_activiteiten=(SbiActiviteit("9999", "Iets anders", True),))
    kg = kennisgeving(anders, replace(anders, sbi_activiteiten=(SbiActiviteit("7022", "Advies", True),)), "MAC")
    fo, code, details = geweigerd(partner, lk01(kg.objecten(), "W"))
    assert (fo, code) == ("Fo03Bericht", "StUF058") and "sbi_activiteiten" in details


def _weiger_schrijven(node, aan: bool) -> None:
    db = database(node.config)
    with db.engine.begin() as conn:
        if aan and postgres_url():
            conn.execute(text("CREATE FUNCTION weiger() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                              "'store is read-only'; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER weiger BEFORE INSERT ON ontvangen_kennisgeving "
                              "FOR EACH ROW EXECUTE FUNCTION weiger()"))
        elif aan:
            conn.execute(text("CREATE TRIGGER weiger BEFORE INSERT ON ontvangen_kennisgeving "
                              "BEGIN SELECT RAISE(ABORT, 'store is read-only'); END"))
        elif postgres_url():
            conn.execute(text("DROP TRIGGER weiger ON ontvangen_kennisgeving"))
            conn.execute(text("DROP FUNCTION weiger()"))
        else:
            conn.execute(text("DROP TRIGGER weiger"))


def test_a_store_that_refuses_writes_is_StUF046_and_the_resend_is_accepted(knoop, partner):
    nieuw_nr = "000037178599"
    body = lk01((emit.ves(_ves(nieuw_nr, hoofdvestiging=False), soort="kennisgeving"),), "T")
    _weiger_schrijven(knoop, True)
    try:
        fo, code, details = geweigerd(partner, body)
    finally:
        _weiger_schrijven(knoop, False)
    assert (fo, code) == ("Fo03Bericht", "StUF046")
    assert actueel(knoop, "VES", nieuw_nr) is None  # nothing of it was stored
    bevestigd(partner, body)  # StUF 03.01 §4.4.3: the same message again, once the fault is gone
    assert actueel(knoop, "VES", nieuw_nr).data["hoofdvestiging"] is False


def test_a_kennisgeving_for_another_ontvanger_is_StUF010(partner):
    body = lk01((emit.ves(_ves(), soort="kennisgeving"),), "T")
    body.find(f".//{{{STUF}}}ontvanger/{{{STUF}}}organisatie").text = "00000099000000000077"
    assert geweigerd(partner, body)[:2] == ("Fo03Bericht", "StUF010")


def test_the_example_kennisgeving_is_accepted_as_is(node_factory, schema_registry):
    """examples/vesLk01-toevoeging.xml (README) posted as curl does, to a fresh node."""
    from pathlib import Path

    from knoop_esb.stuf.ns import SOAP11_ENV, WSA

    node = node_factory(extra=EXTRA, afnemers=AFNEMERS)
    voorbeeld = Path(__file__).resolve().parents[1] / "examples" / "vesLk01-toevoeging.xml"
    envelope = etree.fromstring(voorbeeld.read_bytes())
    to = envelope.find(f".//{{{WSA}}}To")  # the example addresses `make run`'s node
    to.text = to.text.replace("https://127.0.0.1:8443", node.url(""))
    with node.client() as client:
        response = client.post(node.url("/stuf/bg0310/OntvangAsynchroon"), content=etree.tostring(envelope),
                               headers={"Content-Type": "text/xml; charset=utf-8",
                                        "SOAPAction": f'"{BG}/vesLk01"'})
    assert response.status_code == 200, response.text[:500]
    answer = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    assert etree.QName(answer).localname == "Bv03Bericht"
    schema_registry.validate(answer)
    assert actueel(node, "VES", "000099000017").data["handelsnamen"][0]["naam"] == "Bakkerij De Korenbloem"


def test_every_operation_the_ontvang_asynchroon_wsdl_advertises_is_served(knoop, partner):
    from knoop_esb.endpoints import handlers

    operaties = partner.service._binding._operations
    assert {"nnpLk01", "macLk01", "vesLk01"} <= set(operaties)
    for naam, operatie in operaties.items():
        assert handlers.lookup(handlers.ONTVANG_ASYNCHROON, operatie.input.body.qname.text) is not None, naam


def test_concurrent_kennisgevingen_of_one_zender_are_taken_in_turn(knoop):
    """Eight at once from one zender: each is accepted or refused with StUF019, and the accepted
    ones were stored in increasing tijdstipBericht — the zender's row lock decides, not a race."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.fixtures.node import fault_code, soap_envelope, soap_post

    adres = knoop.url("/stuf/bg0310/OntvangAsynchroon")
    berichten = [lk01((emit.ves(_ves(f"0000888800{i:02d}", hoofdvestiging=False), soort="kennisgeving"),), "T")
                 for i in range(8)]

    def stuur_een(body):
        with knoop.client() as client:
            response = soap_post(client, adres, soap_envelope(body, to=adres), f"{BG}/vesLk01")
        return "Bv03" if response.status_code == 200 else fault_code(response)[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        uitkomsten = list(pool.map(stuur_een, reversed(berichten)))
    assert set(uitkomsten) <= {"Bv03", "StUF019"} and "Bv03" in uitkomsten
    with database(knoop.config).session() as session:
        rijen = [r for i in range(8) for r in ontvangen.van_object(session, "VES", f"0000888800{i:02d}")]
    volgorde = [r.tijdstip_bericht for r in sorted(rijen, key=lambda r: r.id)]
    assert len(volgorde) == uitkomsten.count("Bv03") and volgorde == sorted(set(volgorde))
