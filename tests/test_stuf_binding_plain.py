"""The plain StUF http/SOAP binding (Protocolbindingen ch. 4) as backoffice clients use it: no
WS-Addressing, SOAPAction in every form, HTTP Basic or a client certificate of an internal CA;
real clients (httpx with a bare envelope, zeep) against a node answering from the KVK test source.
Digikoppeling afnemers stay as strict as before."""
from __future__ import annotations

import base64
import ssl
import uuid

import httpx
import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from knoop_esb.digikoppeling import zeep_compat
from knoop_esb.digikoppeling.intern import hash_password
from knoop_esb.endpoints import handlers
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF, WSA
from tests.fixtures.node import NODE_OIN, fault_code, soap_envelope, wait_for_log
from tests.fixtures.stuf import la01_skeleton
from tests.fixtures.vraag import VRAAG_AFNEMERS, kvk_extra, lv01

BV = "/stuf/bg0310/BeantwoordVraag"
INTERN = "00000099000000000005"
STUF_PKIO = "00000099000000000009"  # the PKI's "unknown-afnemer" certificate, here configured
KVK = "69599084"
INTERN_CN = "intern-demo.knoop-esb.test"


@pytest.fixture(scope="module")
def wachtwoord_bestand(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "intern.password"
    path.write_text("geheim-uit-bestand\n")
    return path


@pytest.fixture(scope="module")
def plain_node(node_factory, kvk_testserver, pki, wachtwoord_bestand):
    afnemers = VRAAG_AFNEMERS + f"""
[[afnemers.afnemer]]
oin = "{INTERN}"
naam = "Intern zaaksysteem"
profiel = "intern"
gebruikersnaam = "demo-intern"
wachtwoord_bestand = "{wachtwoord_bestand}"
certificaat_cn = "{INTERN_CN}"
autorisatieprofielen = ["handelsregister"]

[[afnemers.afnemer]]
oin = "00000099000000000006"
naam = "Intern met hash"
profiel = "intern"
gebruikersnaam = "crm"
wachtwoord_hash = "{hash_password('crm-wachtwoord')}"
autorisatieprofielen = ["handelsregister"]

[[afnemers.afnemer]]
oin = "{STUF_PKIO}"
naam = "PKIoverheid, plain StUF"
profiel = "2W-be"
binding = "stuf"
autorisatieprofielen = ["handelsregister"]
"""
    return node_factory(extra=kvk_extra(kvk_testserver), afnemers=afnemers,
                        tls={"intern_trust_anchors": str(pki.cert("intern-ca"))})


def basic(user: str = "demo-intern", password: str = "geheim-uit-bestand") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def plain_envelope(body: etree._Element, header: list[etree._Element] | None = None) -> bytes:
    env = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soapenv": SOAP11_ENV})
    if header:
        hdr = etree.SubElement(env, f"{{{SOAP11_ENV}}}Header")
        for element in header:
            hdr.append(element)
    etree.SubElement(env, f"{{{SOAP11_ENV}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def mac_vraag(zender: str = INTERN, **kwargs) -> etree._Element:
    return lv01("MAC", {"kvkNummer": KVK}, zender=zender, **kwargs)


def no_cert_client(node) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(node.pki.ca)), timeout=30)


def post(client, node, envelope: bytes, soap_action: str | None, headers: dict | None = None) -> httpx.Response:
    all_headers = {"Content-Type": "text/xml; charset=utf-8", **(headers or {})}
    if soap_action is not None:
        all_headers["SOAPAction"] = soap_action
    return client.post(node.url(BV), content=envelope, headers=all_headers)


def answer_of(response: httpx.Response) -> tuple[etree._Element, etree._Element | None]:
    assert response.status_code == 200, response.text[:800]
    root = etree.fromstring(response.content)
    return root.find(f"{{{SOAP11_ENV}}}Body")[0], root.find(f"{{{SOAP11_ENV}}}Header")


@pytest.mark.parametrize("soap_action", [f'"{BG}/macLv01"', f"{BG}/macLv01", '""', "", None],
                         ids=["quoted", "unquoted", "empty-quoted", "empty", "absent"])
def test_basic_auth_without_wsa_gets_la01_without_wsa(plain_node, schema_registry, soap_action):
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(mac_vraag()), soap_action, basic())
    answer, header = answer_of(response)
    assert etree.QName(answer).localname == "macLa01"
    schema_registry.validate(answer)
    assert answer.findtext(f"{{{BG}}}antwoord/{{{BG}}}object/{{{BG}}}kvkNummer") == KVK
    # Answered in kind: a request without WS-Addressing gets none back.
    assert header is None or header.find(f"{{{WSA}}}Action") is None


def test_wsa_when_present_is_honoured_and_answered_in_kind(plain_node):
    message_id = f"urn:uuid:{uuid.uuid4()}"
    envelope = soap_envelope(mac_vraag(), to=plain_node.url(BV), sender_oin=INTERN, message_id=message_id)
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, envelope, f'"{BG}/macLv01"', basic())
    _, header = answer_of(response)
    assert header.findtext(f"{{{WSA}}}RelatesTo") == message_id
    assert header.findtext(f"{{{WSA}}}Action") == f"{BG}/macLa01"


def test_wsa_present_is_still_checked(plain_node):
    # An ?OIN= in wsa:From that is not the afnemer's is refused, as in Digikoppeling.
    envelope = soap_envelope(mac_vraag(), to=plain_node.url(BV), sender_oin="00000099000000000001")
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, envelope, None, basic())
    assert fault_code(response) == ("Fo02Bericht", "StUF052")


def test_soap_action_naming_another_operation_is_refused(plain_node, captured_logs):
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(mac_vraag()), f"{BG}/vesLv01", basic())
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    assert etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Header/{{{WSA}}}Action") is None
    wait_for_log(captured_logs, event="request refused", fout="OngeldigeSoapAction")


def test_unknown_must_understand_header_is_refused_other_headers_ignored(plain_node):
    ignored = etree.Element("{urn:example:esb}Correlatie")
    ignored.text = "abc"
    with no_cert_client(plain_node) as client:
        ok = post(client, plain_node, plain_envelope(mac_vraag(), [ignored]), "", basic())
        answer_of(ok)
        marked = etree.Element("{urn:example:esb}Correlatie", {f"{{{SOAP11_ENV}}}mustUnderstand": "1"})
        refused = post(client, plain_node, plain_envelope(mac_vraag(), [marked]), "", basic())
    assert fault_code(refused) == ("Fo02Bericht", "StUF055")


def test_password_hash_in_config_works_too(plain_node):
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(mac_vraag("00000099000000000006")), None,
                        basic("crm", "crm-wachtwoord"))
    answer_of(response)


@pytest.mark.parametrize("user, password", [("demo-intern", "fout"), ("onbekend", "geheim-uit-bestand")])
def test_wrong_credentials_refused(plain_node, user, password):
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(mac_vraag()), None, basic(user, password))
    assert fault_code(response) == ("Fo02Bericht", "StUF052")


def test_client_certificate_of_internal_ca_identifies_the_afnemer(plain_node, pki):
    with plain_node.client("intern-demo") as client:
        response = post(client, plain_node, plain_envelope(mac_vraag()), None)
    answer, _ = answer_of(response)
    assert etree.QName(answer).localname == "macLa01"
    peers = []

    def recorder(request):
        peers.append(request.peer)
        return la01_skeleton("MAC", request.stuurgegevens)

    with handlers.replaced(f"{{{BG}}}macLv01", recorder), plain_node.client("intern-demo") as client:
        answer_of(post(client, plain_node, plain_envelope(mac_vraag()), None))
    peer = peers[-1]
    assert (peer.oin, peer.profiel, peer.via, peer.binding) == (INTERN, "intern", "intern-certificaat", "stuf")
    assert peer.certificate.subject.rfc4514_string().startswith("CN=intern-demo.knoop-esb.test")


def test_internal_ca_certificate_is_not_a_pkioverheid_identity(plain_node):
    # Same internal certificate, but the message claims to come from the Digikoppeling demo afnemer.
    with plain_node.client("intern-demo") as client:
        response = post(client, plain_node, plain_envelope(mac_vraag("00000099000000000001")), None)
    assert fault_code(response) == ("Fo02Bericht", "StUF052")


def test_untrusted_certificate_still_refused_with_internal_cas_configured(plain_node, captured_logs):
    with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        with plain_node.client("other-ca") as client:
            post(client, plain_node, plain_envelope(mac_vraag()), None)
    wait_for_log(captured_logs, event="tls handshake refused", reason="untrusted")


def test_pkioverheid_afnemer_with_binding_stuf(plain_node):
    with plain_node.client("unknown-afnemer") as client:
        response = post(client, plain_node, plain_envelope(mac_vraag(STUF_PKIO)), '""')
    answer_of(response)


def test_digikoppeling_afnemer_still_needs_wsa(plain_node, captured_logs):
    with plain_node.client("afnemer-demo") as client:
        response = post(client, plain_node, plain_envelope(mac_vraag("00000099000000000001")), f'"{BG}/macLv01"')
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    wait_for_log(captured_logs, event="request refused", fout="OntbrekendeWsaHeader")


def test_ontvanger_must_be_the_node(plain_node):
    vraag = mac_vraag()
    vraag.find(f"{{{BG}}}stuurgegevens/{{{STUF}}}ontvanger/{{{STUF}}}organisatie").text = "00000099000000000077"
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(vraag), None, basic())
    assert fault_code(response) == ("Fo02Bericht", "StUF010")


def test_zeep_with_basic_auth(plain_node, pki):
    zeep_compat.apply()
    session = requests.Session()
    session.trust_env = False
    session.verify = str(pki.ca)
    session.auth = ("demo-intern", "geheim-uit-bestand")
    client = zeep.Client(plain_node.url(f"{BV}?wsdl"), transport=Transport(session=session))
    result = client.service.macLv01(
        stuurgegevens={"berichtcode": "Lv01", "zender": {"organisatie": INTERN, "applicatie": "CRM"},
                       "ontvanger": {"organisatie": NODE_OIN, "applicatie": "KNOOP"},
                       "referentienummer": uuid.uuid4().hex, "tijdstipBericht": "20261123120000000",
                       "entiteittype": "MAC"},
        parameters={"sortering": 0, "indicatorVervolgvraag": False},
        gelijk={"entiteittype": "MAC", "kvkNummer": KVK},
        scope={"object": {"entiteittype": "MAC", "scope": "alles"}},
    )
    assert result.stuurgegevens.berichtcode == "La01"


@pytest.mark.parametrize("afnemer, match", [
    ('oin = "00000099000000000002"\nprofiel = "2W-be-S"\nbinding = "stuf"\n', "no WS-Security"),
    ('oin = "00000099000000000001"\nbinding = "soap"\n', "binding"),
    (f'oin = "{INTERN}"\nprofiel = "intern"\ncertificaat_cn = "x"\n', "intern_trust_anchors"),
    (f'oin = "{INTERN}"\nprofiel = "intern"\ngebruikersnaam = "x"\nwachtwoord_bestand = "/nonexistent"\n', "cannot read"),
])
def test_binding_config_errors(pki, stuf_schemas_dir, tmp_path, afnemer, match):
    from knoop_esb.config import ConfigError
    from knoop_esb.endpoints.app import build_app
    from tests.fixtures.node import node_config

    with pytest.raises(ConfigError, match=match):
        build_app(node_config(pki, tmp_path, stuf_schemas_dir, afnemers=f"[[afnemers.afnemer]]\n{afnemer}"))


def test_without_credentials_a_basic_challenge(plain_node):
    # urllib, suds and many ESBs send Basic credentials only after a 401 challenge.
    with no_cert_client(plain_node) as client:
        response = post(client, plain_node, plain_envelope(mac_vraag()), None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="knoop-esb"')
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
