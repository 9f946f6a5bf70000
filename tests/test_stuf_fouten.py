"""Fo01/Fo02/Fo03 foutberichten and the SOAP 1.1 Fault that carries them, checked against the
official stuf0301.xsd and the Protocolbindingen §3 mapping."""
import pytest
from lxml import etree

from knoop_esb.stuf import foutcodes, fouten, xmlparse
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF
from tests.fixtures.stuf import AFNEMER, NODE, vraag_stuurgegevens

S = f"{{{STUF}}}"


def _sg(fo):
    return fo.find(f"{S}stuurgegevens")


def test_fo02_has_only_berichtcode(schema_registry):
    fo = fouten.fo02(StufFout(foutcodes.STUF055, "Niet conform schema: x"))
    schema_registry.validate(fo)
    assert fo.tag == f"{S}Fo02Bericht"
    assert [c.tag for c in _sg(fo)] == [f"{S}berichtcode"]
    assert _sg(fo).findtext(f"{S}berichtcode") == "Fo02"
    body = fo.find(f"{S}body")
    assert [c.tag for c in body] == [f"{S}code", f"{S}plek", f"{S}omschrijving"]
    assert [c.text for c in body] == ["StUF055", "client", "Niet conform schema: x"]


@pytest.mark.parametrize("builder, code", [(fouten.fo01, "Fo01"), (fouten.fo03, "Fo03")])
def test_fo01_fo03_swap_zender_ontvanger_and_cross_reference(schema_registry, builder, code):
    oorzaak = vraag_stuurgegevens("Lk01", referentienummer="kennisgeving-77")
    fo = builder(StufFout(foutcodes.STUF058, details="database weg"), oorzaak)
    schema_registry.validate(fo)
    stuur = sg.parse(_sg(fo))
    assert stuur.berichtcode == code
    assert stuur.zender == NODE and stuur.ontvanger == AFNEMER
    assert stuur.cross_refnummer == "kennisgeving-77"
    assert stuur.referentienummer and stuur.referentienummer != "kennisgeving-77"
    assert len(stuur.tijdstip_bericht) == 17
    assert stuur.entiteittype is None
    assert fo.find(f"{S}body").findtext(f"{S}details") == "database weg"


def test_fo03_for_a_message_without_usable_stuurgegevens_still_validates(schema_registry):
    fo = fouten.fo03(StufFout(foutcodes.STUF055), None, node=NODE)
    schema_registry.validate(fo)
    stuur = sg.parse(_sg(fo))
    assert stuur.zender == NODE
    assert stuur.ontvanger.applicatie == sg.ONBEKEND
    assert stuur.cross_refnummer == ""
    kapot = sg.Stuurgegevens("Lk01", zender=sg.Systeem("x" * 300, "ab"), referentienummer="r" * 60)
    schema_registry.validate(fouten.fo03(StufFout(foutcodes.STUF013), kapot, node=NODE))


def test_long_omschrijving_and_details_are_cut_to_the_schema_limits(schema_registry):
    fout = StufFout(foutcodes.STUF058, "o" * 500, details="d" * 5000)
    fo = fouten.fo02(fout)
    schema_registry.validate(fo)
    body = fo.find(f"{S}body")
    assert len(body.findtext(f"{S}omschrijving")) == 200
    assert len(body.findtext(f"{S}details")) == 1000


def test_details_xml_is_carried(schema_registry):
    extra = etree.Element("{urn:example}info")
    extra.text = "x"
    fo = fouten.fo02(StufFout(foutcodes.STUF058, details_xml=[extra]))
    schema_registry.validate(fo)
    assert fo.find(f"{S}body/{S}detailsXML/{{urn:example}}info") is not None


@pytest.mark.parametrize("entry", sorted(foutcodes.FOUTCODES.values(), key=lambda f: f.code), ids=lambda f: f.code)
def test_every_foutcode_gives_valid_foutberichten_and_fault(schema_registry, entry):
    fout = StufFout(entry)
    oorzaak = vraag_stuurgegevens()
    builders = {1: lambda: fouten.fo01(fout, oorzaak), 2: lambda: fouten.fo02(fout), 3: lambda: fouten.fo03(fout, oorzaak)}
    for soort in entry.soort:
        fo = builders[soort]()
        schema_registry.validate(fo)
        envelope = xmlparse.parse(fouten.soap_fault(fo))
        fault = envelope.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
        assert fault.findtext("faultcode") == f"soapenv:{entry.plek.capitalize()}"
        assert fault.findtext("faultstring") == entry.omschrijving
        schema_registry.validate(fault.find("detail")[0])


def test_soap_fault_is_exactly_the_binding(schema_registry):
    fo = fouten.fo02(StufFout(foutcodes.STUF064, "Vestiging niet gevonden"))
    raw = fouten.soap_fault(fo)
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    envelope = xmlparse.parse(raw)
    assert envelope.tag == f"{{{SOAP11_ENV}}}Envelope"
    body = envelope.find(f"{{{SOAP11_ENV}}}Body")
    assert len(body) == 1
    fault = body[0]
    assert fault.tag == f"{{{SOAP11_ENV}}}Fault"
    assert [c.tag for c in fault] == ["faultcode", "faultstring", "detail"]  # unqualified, no faultactor
    code = fault.findtext("faultcode")
    prefix, local = code.split(":")
    assert fault.nsmap[prefix] == SOAP11_ENV and local == "Server"
    assert fault.findtext("faultstring") == "Vestiging niet gevonden"
    detail = fault.find("detail")
    assert len(detail) == 1 and detail[0].tag == f"{S}Fo02Bericht"
    schema_registry.validate(detail[0])


def test_soap_fault_client_plek():
    fault = fouten.soap_fault_element(fouten.fo02(StufFout(foutcodes.STUF052)))
    assert fault.findtext("faultcode") == "soapenv:Client"


def test_soap_fault_refuses_a_non_foutbericht():
    with pytest.raises(ValueError):
        fouten.soap_fault_element(etree.Element(f"{S}Bv03Bericht"))


def test_schemafout_is_a_stuf055_client_fout():
    fout = fouten.SchemaFout("x" * 300, details="alles")
    assert isinstance(fout, StufFout)
    assert (fout.code, fout.plek, len(fout.omschrijving)) == ("StUF055", "client", 200)


GOLDEN_FO02_FAULT = """<?xml version='1.0' encoding='UTF-8'?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:StUF="http://www.egem.nl/StUF/StUF0301">
  <soapenv:Body>
    <soapenv:Fault>
      <faultcode>soapenv:Client</faultcode>
      <faultstring>Niet conform schema (regel 3): Element 'StUF:berichtcode'</faultstring>
      <detail>
        <StUF:Fo02Bericht>
          <StUF:stuurgegevens>
            <StUF:berichtcode>Fo02</StUF:berichtcode>
          </StUF:stuurgegevens>
          <StUF:body>
            <StUF:code>StUF055</StUF:code>
            <StUF:plek>client</StUF:plek>
            <StUF:omschrijving>Niet conform schema (regel 3): Element 'StUF:berichtcode'</StUF:omschrijving>
            <StUF:details>alle fouten</StUF:details>
          </StUF:body>
        </StUF:Fo02Bericht>
      </detail>
    </soapenv:Fault>
  </soapenv:Body>
</soapenv:Envelope>
"""


def test_fo02_soap_fault_golden():
    fout = fouten.SchemaFout("Niet conform schema (regel 3): Element 'StUF:berichtcode'", details="alle fouten")
    raw = fouten.soap_fault(fouten.fo02(fout))
    pretty = etree.tostring(etree.fromstring(raw), pretty_print=True, xml_declaration=True, encoding="UTF-8")
    assert pretty.decode() == GOLDEN_FO02_FAULT
