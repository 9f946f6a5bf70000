"""Client-certificate checks in Python (certificates.py, oin.py, identity.header_pem) and the
example PKI itself (certs.example/make_pki.py): PKI001-005, WT004/005."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from knoop_esb.digikoppeling import oin, wsa
from knoop_esb.digikoppeling.certificates import (CertificateRefused, TrustStore, load_trust,
                                                   verify_client_certificate)
from knoop_esb.digikoppeling.identity import header_pem
from tests.fixtures.pki import REPO, make_pki_module


@pytest.fixture(scope="module")
def trust(pki):
    return load_trust(pki.ca, pki.crls)


def test_PKI005_four_level_chain_to_the_root(pki, trust):
    verified = verify_client_certificate(pki.certificate("afnemer-demo"), trust)
    assert verified.oin == "00000099000000000001"
    names = [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in verified.chain]
    assert len(names) == 4 and names[-1] == "TEST Staat der Nederlanden Private Root CA - G1"
    assert "Private Services CA" in names[2]


def test_PKI_example_leaf_profile(pki):
    cert = pki.certificate("server")
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "00000099000000000000"
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier.dotted_string for p in policies] == ["2.16.528.1.1003.1.2.8.6"]
    assert cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert len(x509.load_pem_x509_certificates(pki.cert("server").read_bytes())) == 3  # leaf + intermediates


@pytest.mark.parametrize("name, reason", [
    ("expired", "expired"), ("revoked", "revoked"), ("wrong-eku", "wrong-eku"),
    ("no-serial", "no-oin"), ("other-ca", "untrusted"),
])
def test_PKI002_PKI004_refusals(pki, trust, name, reason):
    with pytest.raises(CertificateRefused) as err:
        verify_client_certificate(pki.certificate(name), trust)
    assert err.value.reason == reason


def test_WT005_missing_crl_refuses(pki):
    without_tsp_crl = load_trust(pki.ca, [p for p in pki.crls if p.name != "tsp.crl"])
    with pytest.raises(CertificateRefused) as err:
        verify_client_certificate(pki.certificate("afnemer-demo"), without_tsp_crl)
    assert err.value.reason == "crl-missing"


def test_WT005_expired_crl_refuses(pki, trust):
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    with pytest.raises(CertificateRefused) as err:
        verify_client_certificate(pki.certificate("afnemer-demo"), trust, now=later)
    assert err.value.reason in ("crl-expired", "expired")


def test_crl_must_be_signed_by_a_known_ca(pki, tmp_path):
    bogus = tmp_path / "bogus.crl"
    bogus.write_bytes((pki.dir / "tsp.crl").read_bytes().replace(b"A", b"B", 1))
    with pytest.raises(ValueError):
        load_trust(pki.ca, [bogus])


def test_WT005_trust_store_rereads_a_republished_crl(pki, tmp_path, monkeypatch):
    import shutil

    for path in [pki.ca, *pki.crls]:
        shutil.copy(path, tmp_path / path.name)
    store = TrustStore(tmp_path / "ca.pem", sorted(tmp_path.glob("*.crl")))
    demo = pki.certificate("afnemer-demo")
    assert store.verify(demo).oin == "00000099000000000001"
    _republish_tsp_crl_revoking(pki, tmp_path / "tsp.crl", demo)
    monkeypatch.setattr(TrustStore, "RECHECK_SECONDS", 0.0)
    with pytest.raises(CertificateRefused) as err:
        store.verify(demo)
    assert err.value.reason == "revoked"


def _republish_tsp_crl_revoking(pki, path, cert):
    # The TSP CA republishes its CRL with one more entry, as a real TSP does within 4 hours.
    old = x509.load_pem_x509_crl(path.read_bytes())
    builder = x509.CertificateRevocationListBuilder().issuer_name(old.issuer).last_update(old.last_update_utc) \
        .next_update(old.next_update_utc)
    for revoked in old:
        builder = builder.add_revoked_certificate(revoked)
    builder = builder.add_revoked_certificate(
        x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
        .revocation_date(dt.datetime.now(dt.timezone.utc)).build())
    key = serialization.load_pem_private_key((pki.dir / "tsp-ca.key").read_bytes(), None)
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


@pytest.mark.parametrize("value, valid", [
    ("00000099000000000001", True), ("0000000700025BE00000", True), ("00000001123456789000", True),
    ("0000009900000000000", False), ("000000990000000000001", False), ("00000099abcdefghijkl", False),
    ("A0000099000000000001", False), ("", False),
])
def test_PKI001_oin_format(value, valid):
    assert oin.is_valid(value) is valid


def test_oin_from_wsa_address_any_case():
    assert wsa.oin_in("https://x/y?OIN=00000099000000000001") == "00000099000000000001"
    assert wsa.oin_in("http://www.w3.org/2005/08/addressing/anonymous?oin=00000099000000000002") \
        == "00000099000000000002"
    assert wsa.oin_in("https://x/y") is None


def test_header_pem_forms(pki):
    from urllib.parse import quote

    pem = pki.pem_text("afnemer-demo")
    for value in (quote(pem, safe=""), pem.replace("\n", " "), pem.replace("\n", "\t"),
                  "".join(pem.strip().splitlines()[1:-1])):
        assert x509.load_pem_x509_certificate(header_pem(value).encode()) == pki.certificate("afnemer-demo")


def test_make_pki_is_idempotent_and_cli_runs(tmp_path):
    out = tmp_path / "pki"
    script = REPO / "certs.example" / "make_pki.py"
    first = subprocess.run([sys.executable, str(script), "--out", str(out)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    before = (out / "ca.pem").read_bytes()
    second = subprocess.run([sys.executable, str(script), "--out", str(out)], capture_output=True, text=True)
    assert second.returncode == 0 and "nothing to do" in second.stdout
    assert (out / "ca.pem").read_bytes() == before
    assert make_pki_module().is_complete(out)
