"""Behind a TLS-offloading proxy (client certificate in a header, trusted only from
tls.trusted_proxies) and the internal profile (server-auth TLS + HTTP Basic, off by default)."""
from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from knoop_esb.digikoppeling.intern import hash_password
from knoop_esb.endpoints import handlers
from knoop_esb.stuf.ns import BG
from tests.fixtures.node import DEFAULT_AFNEMERS, fault_code, nnp_lv01, soap_envelope, soap_post, wait_for_log
from tests.fixtures.stuf import la01_skeleton

BV = "/stuf/bg0310/BeantwoordVraag"
NNP_LV01 = f"{{{BG}}}nnpLv01"
ACTION = f"{BG}/nnpLv01"
HEADER = "X-SSL-Client-Cert"
INTERN_OIN = "00000099000000000005"


class Recorder:
    def __init__(self):
        self.peers = []

    def __call__(self, request):
        self.peers.append(request.peer)
        return la01_skeleton("NNP", request.stuurgegevens)


@pytest.fixture
def recorder():
    rec = Recorder()
    with handlers.replaced(NNP_LV01, rec):
        yield rec


@pytest.fixture(scope="module")
def proxied_node(node_factory):
    return node_factory(tls={"trusted_proxies": ["127.0.0.1"]})


@pytest.fixture(scope="module")
def untrusting_node(node_factory):
    return node_factory(tls={"trusted_proxies": ["10.9.9.9"]})


@pytest.fixture(scope="module")
def intern_node(node_factory):
    afnemers = DEFAULT_AFNEMERS + f"""
[[afnemers.afnemer]]
oin = "{INTERN_OIN}"
naam = "Intern zaaksysteem"
profiel = "intern"
gebruikersnaam = "zaaksys"
wachtwoord_hash = "{hash_password('geheim wachtwoord')}"
"""
    return node_factory(afnemers=afnemers)


def _post(node, cert, zender, headers=None):
    with node.client(cert) as client:
        envelope = soap_envelope(nnp_lv01(zender), to=node.url(BV), sender_oin=zender)
        return soap_post(client, node.url(BV), envelope, ACTION, headers=headers)


@pytest.mark.parametrize("encoding", ["nginx-escaped", "spaces", "plain-base64"])
def test_proxy_header_from_trusted_proxy_identifies_afnemer(proxied_node, recorder, pki, encoding):
    pem = pki.pem_text("afnemer-demo")
    value = {
        "nginx-escaped": quote(pem, safe=""),
        "spaces": pem.replace("\n", " ").strip(),
        "plain-base64": "".join(pem.strip().splitlines()[1:-1]),
    }[encoding]
    # The proxy's own TLS certificate (afnemer-signed) is NOT the identity: the header is.
    response = _post(proxied_node, "afnemer-signed", "00000099000000000001", {HEADER: value})
    assert response.status_code == 200, response.text
    peer = recorder.peers[-1]
    assert (peer.oin, peer.via, peer.profiel) == ("00000099000000000001", "proxy", "2W-be")


def test_proxy_header_certificate_is_verified_too(proxied_node, pki, captured_logs):
    response = _post(proxied_node, "afnemer-demo", "00000099000000000001",
                     {HEADER: quote(pki.pem_text("revoked"), safe="")})
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    wait_for_log(captured_logs, event="peer refused", reason="revoked")


def test_proxy_header_from_untrusted_address_refused(untrusting_node, pki, recorder, captured_logs):
    response = _post(untrusting_node, "afnemer-demo", "00000099000000000001",
                     {HEADER: quote(pki.pem_text("afnemer-demo"), safe="")})
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    assert recorder.peers == []
    event = wait_for_log(captured_logs, event="peer refused", reason="untrusted-proxy")
    assert "127.0.0.1" in event["detail"]


def _basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_intern_profile_basic_auth_without_client_certificate(intern_node, recorder):
    response = _post(intern_node, None, INTERN_OIN, _basic("zaaksys", "geheim wachtwoord"))
    assert response.status_code == 200, response.text
    peer = recorder.peers[-1]
    assert (peer.oin, peer.profiel, peer.via, peer.certificate) == (INTERN_OIN, "intern", "intern", None)


@pytest.mark.parametrize("cert, headers, reason", [
    (None, _basic("zaaksys", "fout"), "bad-credentials"),
    (None, _basic("onbekend", "geheim wachtwoord"), "bad-credentials"),
    (None, {}, "no-certificate"),
    ("afnemer-demo", _basic("zaaksys", "geheim wachtwoord"), "mixed-profile"),
])
def test_intern_profile_refusals(intern_node, captured_logs, cert, headers, reason):
    response = _post(intern_node, cert, INTERN_OIN, headers)
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    wait_for_log(captured_logs, event="peer refused", reason=reason)


def test_intern_profile_is_off_by_default(node, captured_logs):
    # Without an intern afnemer the handshake itself demands a client certificate.
    import httpx

    with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        _post(node, None, INTERN_OIN, _basic("zaaksys", "geheim wachtwoord"))
    wait_for_log(captured_logs, event="tls handshake refused", reason="no-certificate")


def test_intern_afnemer_without_hash_is_a_config_error(pki, stuf_schemas_dir, tmp_path):
    from knoop_esb.config import ConfigError
    from knoop_esb.endpoints.app import build_app
    from tests.fixtures.node import node_config

    afnemers = f'[[afnemers.afnemer]]\noin = "{INTERN_OIN}"\nprofiel = "intern"\ngebruikersnaam = "x"\n'
    # Checked when the configuration loads (AfnemersConfig.validate), so build_app is never reached.
    with pytest.raises(ConfigError, match="wachtwoord_hash"):
        build_app(node_config(pki, tmp_path, stuf_schemas_dir, afnemers=afnemers))
    digikoppeling_with_password = ('[[afnemers.afnemer]]\noin = "00000099000000000001"\nprofiel = "2W-be"\n'
                                   f'gebruikersnaam = "x"\nwachtwoord_hash = "{hash_password("y")}"\n')
    with pytest.raises(ConfigError, match="certificate only"):
        build_app(node_config(pki, tmp_path, stuf_schemas_dir, afnemers=digikoppeling_with_password))


def test_afnemer_added_to_the_store_at_run_time_is_admitted(node_factory, recorder, captured_logs):
    from knoop_esb.afnemers import registry
    from knoop_esb.store.db import database

    node = node_factory()
    unknown = "00000099000000000009"
    assert fault_code(_post(node, "unknown-afnemer", unknown)) == ("Fo02Bericht", "StUF052")
    with database(node.config).session() as session:
        registry.toevoegen(session, unknown, naam="Later toegevoegd", profiel="2W-be")
    response = _post(node, "unknown-afnemer", unknown)
    assert response.status_code == 200, response.text
    assert (recorder.peers[-1].oin, recorder.peers[-1].profiel) == (unknown, "2W-be")
    with database(node.config).session() as session:
        registry.zet_actief(session, unknown, False)
    assert fault_code(_post(node, "unknown-afnemer", unknown)) == ("Fo02Bericht", "StUF052")
    wait_for_log(captured_logs, event="peer refused", reason="inactive-afnemer")


def test_request_from_trusted_proxy_without_header_is_not_the_proxy_itself(proxied_node, recorder, captured_logs):
    # The proxy's own certificate (here a configured afnemer's) must never become the identity.
    response = _post(proxied_node, "afnemer-demo", "00000099000000000001")
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    assert recorder.peers == []
    wait_for_log(captured_logs, event="peer refused", reason="no-certificate")


def test_invalid_trusted_proxy_is_a_config_error(pki, stuf_schemas_dir, tmp_path):
    from knoop_esb.config import ConfigError
    from knoop_esb.endpoints.app import build_app
    from tests.fixtures.node import node_config

    config = node_config(pki, tmp_path, stuf_schemas_dir, tls={"trusted_proxies": ["proxy.example"]})
    with pytest.raises(ConfigError, match="tls.trusted_proxies"):
        build_app(config)
