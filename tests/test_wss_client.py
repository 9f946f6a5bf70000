"""The zeep-side WSS object and WS-A plugin of wus_client: what they refuse in a provider's response."""
import pytest
from lxml import etree

from knoop_esb.digikoppeling import envelope, errors, signing, wsa
from knoop_esb.digikoppeling.client import WusAddressingPlugin, WusSignature
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.stuf.ns import SOAP11_ENV
from tests.fixtures.wss import NODE_OIN, envelope as make_envelope, la01_body, request_envelope

S = profiel("2W-be-S")


@pytest.fixture
def wsse(wss_pki):
    return WusSignature(wss_pki.ondertekenaar("afnemer-signed"), S, vertrouwen=wss_pki.vertrouwen,
                        receiver_oin=NODE_OIN)


def _response(wss_pki, confirmation: str | None, signer="server"):
    root = make_envelope(la01_body(1), headers=wsa.response_headers(
        wsa.Addressing(message_id="urn:uuid:req"), action="urn:a"))
    signing.sign_envelope(root, wss_pki.ondertekenaar(signer), S, signature_confirmation=confirmation)
    return envelope.parse(etree.tostring(root))


def test_WB014_response_with_our_signature_confirmation_accepted(wss_pki, wsse):
    request, _ = wsse.apply(request_envelope(), {})
    wsse.verify(_response(wss_pki, signing.signature_value(request)))


def test_WB014_response_without_matching_signature_confirmation_refused(wss_pki, wsse):
    wsse.apply(request_envelope(), {})
    with pytest.raises(errors.OngeldigeSignatureConfirmation):
        wsse.verify(_response(wss_pki, "bm90IG91ciBzaWduYXR1cmU="))
    with pytest.raises(errors.OngeldigeSignatureConfirmation):
        wsse.verify(_response(wss_pki, None))


def test_WB013_response_signed_by_other_than_provider_refused(wss_pki, wsse):
    request, _ = wsse.apply(request_envelope(), {})
    with pytest.raises(errors.OinMismatch):
        wsse.verify(_response(wss_pki, signing.signature_value(request), signer="afnemer-demo"))


def test_WB013_tampered_response_refused(wss_pki, wsse):
    request, _ = wsse.apply(request_envelope(), {})
    raw = etree.tostring(_response(wss_pki, signing.signature_value(request)))
    with pytest.raises(errors.GewijzigdeInhoud):
        wsse.verify(envelope.parse(raw.replace(b"Voorbeeld Handelsonderneming", b"Andere Handelsonderneming")))


def test_WB013_unsigned_response_refused_but_unsigned_fault_passed_on(wss_pki, wsse):
    wsse.apply(request_envelope(), {})
    with pytest.raises(errors.OndertekeningOntbreekt):
        wsse.verify(make_envelope(la01_body(1)))
    fault = make_envelope(etree.Element(f"{{{SOAP11_ENV}}}Fault"))
    assert wsse.verify(fault) is fault


class _Operation:
    soapaction = "http://www.egem.nl/StUF/sector/bg/0310/nnpLv01"

    class abstract:
        wsa_action = None


def test_WA001_plugin_writes_oins_and_checks_relates_to():
    plugin = WusAddressingPlugin("00000099000000000002", NODE_OIN, message_id=lambda: "urn:uuid:m1")
    root = make_envelope(etree.Element("x"))
    _, http = plugin.egress(root, {}, _Operation, {"address": "https://node.example/BeantwoordVraag"})
    sent = wsa.parse(root)
    assert sent.to == f"https://node.example/BeantwoordVraag?OIN={NODE_OIN}"
    assert sent.from_address == f"{wsa.ANONYMOUS}?OIN=00000099000000000002"
    assert sent.reply_to == wsa.ANONYMOUS and sent.action == _Operation.soapaction
    assert http["SOAPAction"] == f'"{_Operation.soapaction}"'
    good = make_envelope(etree.Element("y"), headers=wsa.response_headers(sent, action="urn:a"))
    plugin.ingress(good, {}, _Operation)
    other = make_envelope(etree.Element("y"), headers=wsa.response_headers(
        wsa.Addressing(message_id="urn:uuid:other"), action="urn:a"))
    with pytest.raises(errors.OngeldigeWsaWaarde, match="RelatesTo"):
        plugin.ingress(other, {}, _Operation)
    with pytest.raises(errors.OntbrekendeWsaHeader):
        plugin.ingress(make_envelope(etree.Element("y")), {}, _Operation)
