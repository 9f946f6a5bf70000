"""WusMiddleware in the running node over real mTLS, with our zeep client (wus_client) and with
hand-made envelopes for the refusals. Afnemers here: 0001 = 2W-be-SE, 0002 = 2W-be-S."""
from __future__ import annotations

import uuid

import pytest
import zeep
from lxml import etree
from zeep.xsd import SkipValue

from knoop_esb.digikoppeling import envelope, signing, wsa, xmlenc
from knoop_esb.digikoppeling.client import wus_client
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.endpoints import handlers
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF, WSA, WSSE, WSSE11, XENC
from tests.fixtures.node import NODE_OIN, fault_code, nnp_lv01, soap_post, wait_for_log
from tests.fixtures.stuf import la01_skeleton

BV = "/stuf/bg0310/BeantwoordVraag"
NNP_LV01 = f"{{{BG}}}nnpLv01"
ACTION = f"{BG}/nnpLv01"
SE_OIN, S_OIN = "00000099000000000001", "00000099000000000002"
AFNEMERS = f"""
[[afnemers.afnemer]]
oin = "{SE_OIN}"
naam = "Gemeente Versleuteld (test)"
profiel = "2W-be-SE"
applicatie = "ZAAKSYS"

[[afnemers.afnemer]]
oin = "{S_OIN}"
naam = "Gemeente Ondertekend (test)"
profiel = "2W-be-S"
applicatie = "ZAAKSYS"
"""
CERT = {SE_OIN: "afnemer-demo", S_OIN: "afnemer-signed"}


@pytest.fixture(scope="module")
def wus_node(node_factory):
    return node_factory(afnemers=AFNEMERS)


@pytest.fixture
def seen():
    record = {}

    def handler(request):
        record.update(wss=request.environ.get("knoop.wss"), wsa=request.environ.get("knoop.wsa"),
                      body=etree.QName(request.body).localname)
        return la01_skeleton("NNP", request.stuurgegevens)

    with handlers.replaced(NNP_LV01, handler):
        yield record


class SwapBody(zeep.Plugin):
    """Put a prepared StUF body element in place of zeep's rendering (before WS-A and WSS)."""

    def __init__(self, element):
        self.element = element

    def egress(self, envelope, http_headers, operation, binding_options):
        body = envelope.find(f"{{{SOAP11_ENV}}}Body")
        for child in list(body):
            body.remove(child)
        body.append(self.element)
        return envelope, http_headers


def _client(node, oin: str, prof: str, **kwargs):
    pki = node.pki
    name = CERT[oin]
    client = wus_client(node.url(BV) + "?wsdl", profiel=prof, client_cert=pki.cert(name), client_key=pki.key(name),
                        ca=pki.ca, crl_files=pki.crls, sender_oin=oin, receiver_oin=NODE_OIN, timeout=30, **kwargs)
    client.plugins.insert(0, SwapBody(nnp_lv01(oin)))
    return client


def _call(client):
    return client.service.nnpLv01(stuurgegevens=SkipValue, parameters=SkipValue, gelijk=SkipValue, scope=SkipValue)


def test_WB014_zeep_wus_client_2W_be_S_roundtrip(wus_node, seen):
    history = zeep.plugins.HistoryPlugin()
    client = _client(wus_node, S_OIN, "2W-be-S")
    client.plugins.append(history)
    result = _call(client)  # the client verified the response signature and SignatureConfirmation
    assert result is not None
    assert seen["wss"].ondertekend and seen["wss"].signer_oin == S_OIN
    assert seen["wsa"].sender_oin == S_OIN and seen["wsa"].action == ACTION
    received = history.last_received["envelope"]
    response_wsa = wsa.parse(received)
    assert response_wsa.relates_to == history.last_sent["envelope"].findtext(f".//{{{WSA}}}MessageID")
    assert response_wsa.action == f"{BG}/nnpLa01"
    assert response_wsa.message_id.startswith(f"urn:dkintern:{NODE_OIN}:")
    assert received.find(f".//{{{WSSE11}}}SignatureConfirmation").get("Value") == seen["wss"].signature_value


def test_WB012_zeep_wus_client_2W_be_SE_roundtrip(wus_node, seen):
    client = _client(wus_node, SE_OIN, "2W-be-SE", receiver_certificate=wus_node.pki.certificate("server"))
    assert _call(client) is not None
    assert seen["wss"].versleuteld and seen["wss"].signer_oin == SE_OIN and seen["body"] == "nnpLv01"


def _signed(node, oin: str, *, encrypt=False, signer=None, message_id=None, mutate=None) -> bytes:
    root = envelope.parse(_plain(node, oin, message_id=message_id))
    if mutate:
        mutate(root)
    prof = profiel("2W-be-SE" if encrypt else "2W-be-S")
    signing.sign_envelope(root, signing.Ondertekenaar.from_files(node.pki.cert(signer or CERT[oin]),
                                                                 node.pki.key(signer or CERT[oin])), prof)
    if encrypt:
        xmlenc.encrypt_body(root, node.pki.certificate("server"), prof)
    return etree.tostring(root)


def _plain(node, oin, message_id=None) -> bytes:
    from tests.fixtures.node import soap_envelope

    return soap_envelope(nnp_lv01(oin), to=node.url(BV), sender_oin=oin, message_id=message_id)


def _post(node, oin, data: bytes, action=ACTION):
    with node.client(CERT[oin]) as client:
        return soap_post(client, node.url(BV), data, action)


def test_WB012_response_encrypted_to_requester_certificate(wus_node, seen):
    response = _post(wus_node, SE_OIN, _signed(wus_node, SE_OIN, encrypt=True))
    assert response.status_code == 200, response.text
    root = envelope.parse(response.content)
    assert root.find(f"{{{SOAP11_ENV}}}Body/{{{XENC}}}EncryptedData") is not None
    prof = profiel("2W-be-SE")
    assert xmlenc.decrypt_body(root, signing.Ondertekenaar.from_files(
        wus_node.pki.cert("afnemer-demo"), wus_node.pki.key("afnemer-demo")).key, prof)
    from knoop_esb.digikoppeling.certificates import TrustStore

    trust = TrustStore(wus_node.pki.ca, wus_node.pki.crls)
    result = verify_envelope(root, prof, vertrouwen=lambda c: trust.verify(c).oin, peer_oin=NODE_OIN)
    assert result.signer_oin == NODE_OIN
    assert root.find(f"{{{SOAP11_ENV}}}Body/{{{BG}}}nnpLa01") is not None


def _refused(response, bp_code: str, stuf_code: str):
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", stuf_code)
    details = etree.fromstring(response.content).findtext(f".//{{{STUF}}}details")
    assert details.startswith(bp_code), details
    return details


def test_WB003_unsigned_request_on_signed_profile_refused(wus_node, seen, captured_logs):
    details = _refused(_post(wus_node, S_OIN, _plain(wus_node, S_OIN)), "0002", "StUF052")
    assert "requires a WS-Security signature" in details
    wait_for_log(captured_logs, event="request refused", fout="OndertekeningOntbreekt", code="StUF052")


def test_WB005_unencrypted_request_on_SE_profile_refused(wus_node, seen):
    details = _refused(_post(wus_node, SE_OIN, _signed(wus_node, SE_OIN)), "0002", "StUF052")
    assert "encrypted soap:Body" in details


def test_WB002_replayed_message_id_refused(wus_node, seen, captured_logs):
    data = _signed(wus_node, S_OIN)
    assert _post(wus_node, S_OIN, data).status_code == 200
    details = _refused(_post(wus_node, S_OIN, data), "0011", "StUF016")
    assert "already received" in details
    wait_for_log(captured_logs, event="request refused", fout="HerhaaldBericht")


def test_WB010_signer_oin_other_than_tls_oin_refused(wus_node, seen):
    data = _signed(wus_node, S_OIN, signer="afnemer-demo")
    details = _refused(_post(wus_node, S_OIN, data), "0002", "StUF052")
    assert "signer OIN 00000099000000000001" in details


def test_WB013_tampered_body_refused(wus_node, seen):
    data = _signed(wus_node, S_OIN).replace(b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>")
    assert "digest mismatch" in _refused(_post(wus_node, S_OIN, data), "0002", "StUF052")


def test_WS002_soapaction_other_than_wsa_action_refused(wus_node, seen):
    _refused(_post(wus_node, S_OIN, _signed(wus_node, S_OIN), action=f"{BG}/npsLv01"), "0003", "StUF055")


@pytest.mark.parametrize("name, code", [("To", "0005"), ("Action", "0006"), ("MessageID", "0007")])
def test_WA001_missing_header_refused(wus_node, seen, name, code):
    def drop(root):
        header = root.find(f"{{{SOAP11_ENV}}}Header")
        header.remove(header.find(f"{{{WSA}}}{name}"))

    _refused(_post(wus_node, S_OIN, _signed(wus_node, S_OIN, mutate=drop)), code, "StUF055")


def test_WS007_custom_header_refused(wus_node, seen):
    def add(root):
        etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header"), "{urn:eigen}Sessie").text = uuid.uuid4().hex

    _refused(_post(wus_node, S_OIN, _signed(wus_node, S_OIN, mutate=add)), "0010", "StUF055")


def test_WB013_refusal_is_signed_for_signed_profile(wus_node, seen):
    response = _post(wus_node, S_OIN, _plain(wus_node, S_OIN))
    root = envelope.parse(response.content)
    assert root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security") is not None
    # The Action the WSDL declares for the fault "fout" (wsam:Action on wsdl:fault).
    assert wsa.parse(root).action == "http://www.egem.nl/StUF/StUF0301/Fo02"


def test_WB010_signer_tls_and_zender_are_one_party(wus_node, seen):
    """Signer = TLS peer is checked here; zender/organisatie = TLS peer by the pipeline behind it."""
    def other_zender(root):
        organisatie = root.find(f".//{{{STUF}}}zender/{{{STUF}}}organisatie")
        organisatie.text = SE_OIN

    details = _refused(_post(wus_node, S_OIN, _signed(wus_node, S_OIN, mutate=other_zender)), "zender", "StUF052")
    assert SE_OIN in details


def test_WB014_node_response_verifies_in_xmlsec1_cli(wus_node, seen, tmp_path):
    """The node's signed answer, checked by an independent implementation (libxmlsec1 CLI)."""
    import shutil
    import subprocess

    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 CLI not installed (apt-get install xmlsec1; CI installs it)")
    response = _post(wus_node, S_OIN, _signed(wus_node, S_OIN))
    assert response.status_code == 200, response.text
    path = tmp_path / "response.xml"
    path.write_bytes(response.content)
    from knoop_esb.stuf.ns import WSU

    ids = []
    for tag in (f"{SOAP11_ENV}:Body", f"{WSU}:Timestamp", f"{WSSE11}:SignatureConfirmation",
                *(f"{WSA}:{name}" for name in ("Action", "MessageID", "RelatesTo"))):
        ids += ["--id-attr:Id", tag]
    result = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(wus_node.pki.cert("server")), *ids,
                             str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
