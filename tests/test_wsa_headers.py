"""WS-Addressing as Digikoppeling WUS and the StUF binding use it (WA001, WS002, WS007)."""
from types import SimpleNamespace

import pytest
from lxml import etree

from knoop_esb.digikoppeling import envelope, errors, wsa
from knoop_esb.stuf.ns import SOAP11_ENV, WSA
from tests.fixtures.wss import LV01_ACTION, NODE_OIN, NODE_URL, SIGNED_OIN, request_envelope


def _check(root, soap_action='""', peer_oin=SIGNED_OIN):
    raw = etree.tostring(root)
    parsed = envelope.parse(raw)
    envelope.check_header_blocks(parsed)
    addressing = wsa.parse(parsed)
    wsa.check_request(addressing, soap_action=soap_action, node_oin=NODE_OIN, peer_oin=peer_oin)
    return addressing


def _drop(root, name):
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    header.remove(header.find(f"{{{WSA}}}{name}"))
    return root


def test_WA001_request_headers_parsed():
    addressing = _check(request_envelope(message_id="urn:uuid:1"))
    assert addressing.to == f"{NODE_URL}?OIN={NODE_OIN}"
    assert addressing.action == LV01_ACTION
    assert addressing.message_id == "urn:uuid:1"
    assert addressing.sender_oin == SIGNED_OIN
    assert addressing.receiver_oin == NODE_OIN
    assert addressing.reply_to == wsa.ANONYMOUS


@pytest.mark.parametrize("name, code", [("To", "0005"), ("Action", "0006"), ("MessageID", "0007")])
def test_WA001_missing_mandatory_header_refused(name, code):
    with pytest.raises(errors.OntbrekendeWsaHeader) as info:
        _check(_drop(request_envelope(), name))
    assert info.value.bp_code == code
    assert info.value.stuf_code == "StUF055"


def test_WA001_oin_parameter_case_insensitive():
    assert wsa.oin_in("https://duo.nl/svc?oin=0000000700025be00000") == "0000000700025BE00000"
    assert wsa.oin_in("http://x/y?a=1&OIN=00000099000000000002") == SIGNED_OIN
    assert wsa.oin_in("http://x/y") is None


def test_WA001_to_oin_not_node_refused():
    with pytest.raises(errors.OinMismatch) as info:
        _check(request_envelope(receiver_oin="00000099000000000005"))
    assert info.value.stuf_code == "StUF052"


def test_WA001_from_oin_not_tls_peer_refused():
    with pytest.raises(errors.OinMismatch, match="wsa:From"):
        _check(request_envelope(), peer_oin="00000099000000000001")


def test_WA001_from_with_reference_parameters_refused():
    root = request_envelope()
    from_ = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSA}}}From")
    etree.SubElement(from_, f"{{{WSA}}}ReferenceParameters")
    with pytest.raises(errors.OngeldigeWsaWaarde, match="only wsa:Address"):
        _check(root)


def test_WA001_reply_to_not_anonymous_refused():
    root = request_envelope()
    root.find(f"{{{SOAP11_ENV}}}Header/{{{WSA}}}ReplyTo/{{{WSA}}}Address").text = "https://elders.example/cb"
    with pytest.raises(errors.OngeldigeWsaWaarde, match="ReplyTo"):
        _check(root)


def test_WA001_duplicate_header_refused():
    root = request_envelope()
    root.find(f"{{{SOAP11_ENV}}}Header").append(wsa.request_headers(to="x", action="y", message_id="z")[2])
    with pytest.raises(errors.OngeldigeWsaWaarde, match="more than once"):
        _check(root)


@pytest.mark.parametrize("value", ['""', "", LV01_ACTION, f'"{LV01_ACTION}"'])
def test_WS002_soapaction_empty_or_equal_accepted(value):
    _check(request_envelope(), soap_action=value)


@pytest.mark.parametrize("value", [f'"{LV01_ACTION}x"', "http://www.egem.nl/StUF/sector/bg/0310/npsLv01", None])
def test_WS002_soapaction_differs_from_action_refused(value):
    with pytest.raises(errors.OngeldigeSoapAction) as info:
        _check(request_envelope(), soap_action=value)
    assert info.value.bp_code == "0003"


def test_WS007_custom_header_refused():
    root = request_envelope()
    etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header"), "{urn:eigen}Sessie").text = "x"
    with pytest.raises(errors.OnbekendeHeader) as info:
        _check(root)
    assert info.value.bp_code == "0010"


def test_WS006_non_utf8_refused():
    raw = etree.tostring(request_envelope(), encoding="ISO-8859-1", xml_declaration=True)
    with pytest.raises(errors.NietUtf8):
        envelope.parse(raw)
    with pytest.raises(errors.NietUtf8):
        envelope.check_content_type("text/xml; charset=iso-8859-1")
    envelope.check_content_type('text/xml; charset="utf-8"')


def test_WW001_not_soap11_refused():
    with pytest.raises(errors.OngeldigeEnvelope):
        envelope.parse(b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>')
    with pytest.raises(errors.OngeldigeEnvelope):
        envelope.parse(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')


def test_dkintern_uri_with_rfc2141_escaping():
    zender = SimpleNamespace(organisatie="00000099000000000002", applicatie="Zaak Sys/2", administratie=None)
    assert wsa.dkintern(zender.organisatie, zender.applicatie, zender.administratie) == \
        "urn:dkintern:00000099000000000002:Zaak%20Sys%2F2:"
    assert wsa.message_id_uit_stuurgegevens(zender, "ref#1") == \
        "urn:dkintern:00000099000000000002:Zaak%20Sys%2F2::ref%231"
    ontvanger = SimpleNamespace(organisatie="", applicatie="KNOOP", administratie="é")
    assert wsa.relates_to_uit_stuurgegevens(ontvanger, "42") == "urn:dkintern::KNOOP:%C3%A9:42"


def test_WA001_response_headers_relate_to_request():
    request = wsa.Addressing(to="x", action="a", message_id="urn:uuid:req")
    headers = wsa.response_headers(request, action=f"{LV01_ACTION[:-4]}La01", message_id="urn:uuid:resp")
    by_name = {etree.QName(h).localname: h.text for h in headers}
    assert by_name == {"Action": f"{LV01_ACTION[:-4]}La01", "MessageID": "urn:uuid:resp", "RelatesTo": "urn:uuid:req"}


def test_WA001_relative_to_refused():
    root = request_envelope()
    root.find(f"{{{SOAP11_ENV}}}Header/{{{WSA}}}To").text = "BeantwoordVraag"
    with pytest.raises(errors.OngeldigeWsaWaarde, match="absolute URI"):
        _check(root)
