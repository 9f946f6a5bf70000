"""Certificate and CRL rotation without downtime: `kill -HUP` makes a serving node (two worker
processes) re-read its TLS files. A broken replacement is refused and the old certificate kept;
a good one is presented on every new connection; a republished CRL refuses at once."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.fixtures.node import fault_code, nnp_lv01, node_toml, soap_envelope, soap_post
from tests.fixtures.pki import NODE_OIN
from tests.test_serve_cli import free_port, wait_for_health
from tests.test_tls_certificates import _republish_tsp_crl_revoking

pytestmark = pytest.mark.slow

BV = "/stuf/bg0310/BeantwoordVraag"


def _new_server_certificate(pki, out) -> tuple[bytes, bytes]:
    """A renewed node certificate from the same TSP CA (what a rotation brings): (chain PEM, key PEM)."""
    ca_cert = x509.load_pem_x509_certificate((pki.dir / "tsp-ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((pki.dir / "tsp-ca.key").read_bytes(), None)
    old = pki.certificate("server")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                                     x509.NameAttribute(NameOID.SERIAL_NUMBER, NODE_OIN)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            # Python 3.13's default client context (VERIFY_X509_STRICT) refuses a certificate without them.
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
            .sign(ca_key, hashes.SHA256()))
    assert cert.serial_number != old.serial_number
    chain = (pki.cert("server").read_bytes().split(b"-----END CERTIFICATE-----\n", 1)[1])  # the intermediates
    pem = cert.public_bytes(serialization.Encoding.PEM) + chain
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem, key_pem


def _presented_serial(port: int, ctx: ssl.SSLContext) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number


def _serials(port, ctx, n=8) -> set[int]:
    return {_presented_serial(port, ctx) for _ in range(n)}


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.2)


def test_sighup_rotates_certificate_and_crl_without_downtime(pki, stuf_schemas_dir, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    for path in (pki.cert("server"), pki.key("server"), pki.ca, *pki.crls):
        shutil.copy(path, tls / path.name)
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    env.update(KNOOP_NODE_PORT=str(port), KNOOP_NODE_WORKERS="2", KNOOP_LOGGING_LEVEL="INFO",
               KNOOP_TLS_CERTIFICATE=str(tls / "server.pem"), KNOOP_TLS_PRIVATE_KEY=str(tls / "server.key"),
               KNOOP_TLS_TRUST_ANCHORS=str(tls / "ca.pem"),
               KNOOP_TLS_CRL_FILES=",".join(str(tls / p.name) for p in pki.crls))
    proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    ctx = pki.client_context("afnemer-demo")
    base = f"https://127.0.0.1:{port}"
    try:
        wait_for_health(base + "/health", ctx, proc)
        old = pki.certificate("server").serial_number
        assert _serials(port, ctx) == {old}

        # A key that does not belong to the certificate: refused, the node keeps serving the old one.
        new_pem, new_key = _new_server_certificate(pki, tls)
        (tls / "server.key").write_bytes(new_key)
        proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)
        assert _serials(port, ctx) == {old}

        # The matching certificate arrives: every new connection, on either worker, gets it.
        (tls / "server.pem").write_bytes(new_pem)
        proc.send_signal(signal.SIGHUP)
        new = x509.load_pem_x509_certificate(new_pem).serial_number
        _wait_for(lambda: _serials(port, ctx) == {new})
        with httpx.Client(verify=ctx, timeout=10) as client:
            assert client.get(base + "/health").status_code == 200

        # The TSP republishes its CRL revoking the demo afnemer: refused after SIGHUP, not 30 s later.
        _republish_tsp_crl_revoking(pki, tls / "tsp.crl", pki.certificate("afnemer-demo"))
        proc.send_signal(signal.SIGHUP)

        def refused() -> bool:
            with httpx.Client(verify=ctx, timeout=10) as client:  # new connections: each may reach either worker
                response = soap_post(client, base + BV, soap_envelope(nnp_lv01(), to=base + BV))
            return response.status_code == 500 and fault_code(response) == ("Fo02Bericht", "StUF052")

        _wait_for(lambda: all(refused() for _ in range(6)), timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "tls reload refused; keeping the current certificates" in output
    assert output.count("tls material reloaded") >= 4  # two workers, twice
    assert "tls reload failed" not in output
