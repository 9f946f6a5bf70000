"""Mutual TLS of the running node: who gets in, who is refused where, and that every refusal is
logged with its reason (TLS001-006, WT001-005, PKI001-005)."""
from __future__ import annotations

import ssl

import httpx
import pytest

from tests.fixtures.node import fault_code, nnp_lv01, soap_envelope, soap_post, wait_for_log

BV = "/stuf/bg0310/BeantwoordVraag"
HANDSHAKE_ERRORS = (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)


def _health(node, name, **kwargs):
    with node.client(name, **kwargs) as client:
        return client.get(node.url("/health"))


def test_TLS002_health_over_mutual_tls(node):
    response = _health(node, "afnemer-demo")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report == {"status": "ok", "version": report["version"], "schemas_loaded": True,
                      "database_reachable": True}


def test_TLS004_tls12_and_tls13_both_accepted(node):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        ctx = node.pki.client_context("afnemer-demo", version=version)
        with httpx.Client(verify=ctx) as client:
            assert client.get(node.url("/health")).status_code == 200


@pytest.mark.parametrize("name, reason", [
    (None, "no-certificate"),
    ("other-ca", "untrusted"),
    ("expired", "expired"),
    ("wrong-eku", "wrong-eku"),
])
def test_TLS002_handshake_refusals_are_logged(node, captured_logs, name, reason):
    with pytest.raises(HANDSHAKE_ERRORS):
        _health(node, name)
    event = wait_for_log(captured_logs, event="tls handshake refused", reason=reason)
    assert event["peer"].startswith("127.0.0.1:")
    assert event["detail"]


def test_WT005_revoked_certificate_refused_with_StUF052(node, captured_logs):
    # OpenSSL does not check CRLs here: the Python layer does (CRLs refresh without a restart).
    with node.client("revoked") as client:
        response = soap_post(client, node.url(BV), soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    event = wait_for_log(captured_logs, event="peer refused", reason="revoked")
    assert "revoked on" in event["detail"]


def test_PKI001_certificate_without_oin_refused_with_StUF052(node, captured_logs):
    with node.client("no-serial") as client:
        response = soap_post(client, node.url(BV), soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    assert "serialNumber" in wait_for_log(captured_logs, event="peer refused", reason="no-oin")["detail"]


def test_unknown_afnemer_refused_with_StUF052(node, captured_logs):
    with node.client("unknown-afnemer") as client:
        envelope = soap_envelope(nnp_lv01("00000099000000000009"), to=node.url(BV),
                                 sender_oin="00000099000000000009")
        response = soap_post(client, node.url(BV), envelope)
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    assert response.headers["content-type"].startswith("text/xml")
    event = wait_for_log(captured_logs, event="peer refused", reason="unknown-afnemer")
    assert "00000099000000000009" in event["detail"]


def test_TLS004_tls11_client_refused(node, captured_logs):
    ctx = node.pki.client_context("afnemer-demo")
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(HANDSHAKE_ERRORS):
        with httpx.Client(verify=ctx) as client:
            client.get(node.url("/health"))
    wait_for_log(captured_logs, event="tls handshake refused", reason="protocol-version")


def test_TLS006_non_ncsc_cipher_refused(node, captured_logs):
    ctx = node.pki.client_context("afnemer-demo", version=ssl.TLSVersion.TLSv1_2)
    ctx.set_ciphers("AES128-SHA")  # RSA key exchange, CBC: not on the NCSC list
    with pytest.raises(HANDSHAKE_ERRORS):
        with httpx.Client(verify=ctx) as client:
            client.get(node.url("/health"))
    wait_for_log(captured_logs, event="tls handshake refused", reason="cipher")


def test_TLS001_server_presents_full_chain_and_oin(node):
    ctx = node.pki.client_context("afnemer-demo")
    import socket

    host, port = "127.0.0.1", node.server.port
    with socket.create_connection((host, port)) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "00000099000000000000"


def test_silent_client_does_not_block_the_handshakes_of_others(node):
    import socket
    import time

    # cheroot handshakes in its accept loop: a silent client may hold it up for the handshake
    # timeout (5 s), never for the 60 s idle timeout, so a client allowing 20 s still gets in.
    silent = socket.create_connection(("127.0.0.1", node.server.port))
    try:
        time.sleep(0.2)
        with node.client("afnemer-demo", timeout=20) as client:
            assert client.get(node.url("/health")).status_code == 200
    finally:
        silent.close()


def test_plain_http_to_the_tls_port_is_refused_and_logged(node, captured_logs):
    with pytest.raises(httpx.TransportError):
        with httpx.Client() as client:
            client.get(f"http://127.0.0.1:{node.server.port}/health")
    wait_for_log(captured_logs, event="tls handshake refused", reason="plain-http")
