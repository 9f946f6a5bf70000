#!/usr/bin/env python3
"""Make a throw-away, PKIoverheid-shaped test PKI for knoop-esb.

Why: Digikoppeling needs mutual TLS with PKIoverheid Private Root certificates carrying the OIN in
subject serialNumber. Real ones cannot be handed out in a repository, so this script imitates the
four-level hierarchy (root → domain "Private Services" CA → TSP CA → end entity) with the same
extensions, plus the certificates every negative test needs.

    python certs.example/make_pki.py --out var/pki [--force]

Idempotent: when every file exists and the leaves stay valid for at least 30 more days it does
nothing. Only `cryptography` is needed. NEVER use these keys for anything but testing.

Files written (all PEM):
  ca.pem                         trust anchors: root + domain CA + TSP CA
  root.crl, domain.crl, tsp.crl  one CRL per CA; tsp.crl lists revoked.pem
  server.pem / server.key        the node: leaf + intermediates, CN/SAN localhost + 127.0.0.1,
                                 serialNumber = 00000099000000000000
  afnemer-demo.pem/.key          afnemer 00000099000000000001 (profile 2W-be in knoop.toml)
  afnemer-signed.pem/.key        afnemer 00000099000000000002 (profile 2W-be-S)
  unknown-afnemer.pem/.key       valid chain, OIN 00000099000000000009, not configured as afnemer
  expired.pem/.key               validity ended yesterday
  revoked.pem/.key               listed in tsp.crl
  wrong-eku.pem/.key             extendedKeyUsage serverAuth only (no clientAuth)
  no-serial.pem/.key             no subject serialNumber (no OIN)
  other-ca.pem/.key              valid-looking leaf under other-root.pem, which is NOT in ca.pem
  other-root.pem                 that other root
  root-ca, domain-ca, tsp-ca     each CA's certificate and key (.pem/.key), to republish CRLs or
                                 issue more test certificates
"""
from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NODE_OIN = "00000099000000000000"
DEMO_OIN = "00000099000000000001"
SIGNED_OIN = "00000099000000000002"
UNKNOWN_OIN = "00000099000000000009"
# PKIoverheid Private Services server certificates (PoR 3h); the CAs carry the sibling policies.
POLICY_LEAF = "2.16.528.1.1003.1.2.8.6"
POLICY_CA = "2.16.528.1.1003.1.2.8.4"
CRL_BASE = "http://crl.knoop-esb.test"
KEY_BITS = 2048
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    revoked: list[x509.Certificate] = field(default_factory=list)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def _name(cn: str, org: str, oin: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    if oin:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
    return x509.Name(attrs)


def _ca(cn: str, org: str, crl_name: str, issuer: Issued | None, path_length: int | None) -> Issued:
    key = _key()
    subject = _name(cn, org)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = (
            builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
            .add_extension(_crl_dp(crl_name), critical=False)
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(POLICY_CA), None)]),
                           critical=False)
        )
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def _crl_dp(crl_name: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([
        x509.DistributionPoint([x509.UniformResourceIdentifier(f"{CRL_BASE}/{crl_name}")], None, None, None)])


@dataclass(frozen=True)
class Leaf:
    """What differs between end-entity certificates; the defaults make a valid PKIo server cert."""

    cn: str
    org: str
    oin: str | None
    eku: tuple = (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH)
    expired: bool = False
    san_ip: bool = False


def _leaf(spec: Leaf, issuer: Issued, crl_name: str) -> Issued:
    key = _key()
    if spec.expired:
        before, after = NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=1)
    else:
        before, after = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=3 * 365)
    san: list[x509.GeneralName] = [x509.DNSName(spec.cn)]
    if spec.san_ip:
        san.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(spec.cn, spec.org, spec.oin))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(before)
        .not_valid_after(after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(spec.eku)), critical=False)
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        .add_extension(_crl_dp(crl_name), critical=False)
        .add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(POLICY_LEAF), None)]),
                       critical=False)
    )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def _crl(ca: Issued) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(NOW - dt.timedelta(hours=1))
        .next_update(NOW + dt.timedelta(days=365))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    for cert in ca.revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(NOW - dt.timedelta(hours=2))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build())
    return builder.sign(ca.key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


LEAVES: dict[str, Leaf] = {
    "server": Leaf("localhost", "knoop-esb test node", NODE_OIN, san_ip=True),
    "afnemer-demo": Leaf("afnemer-demo.knoop-esb.test", "Gemeente Demo (test)", DEMO_OIN),
    "afnemer-signed": Leaf("afnemer-signed.knoop-esb.test", "Gemeente Ondertekend (test)", SIGNED_OIN),
    "unknown-afnemer": Leaf("unknown-afnemer.knoop-esb.test", "Onbekende afnemer (test)", UNKNOWN_OIN),
    "expired": Leaf("expired.knoop-esb.test", "Verlopen (test)", DEMO_OIN, expired=True),
    "revoked": Leaf("revoked.knoop-esb.test", "Ingetrokken (test)", DEMO_OIN),
    "wrong-eku": Leaf("wrong-eku.knoop-esb.test", "Verkeerde EKU (test)", DEMO_OIN,
                      eku=(ExtendedKeyUsageOID.SERVER_AUTH,)),
    "no-serial": Leaf("no-serial.knoop-esb.test", "Zonder OIN (test)", None),
}
EXPECTED = (["ca.pem", "root.crl", "domain.crl", "tsp.crl", "other-root.pem", "other-ca.pem", "other-ca.key",
             "root-ca.pem", "root-ca.key", "domain-ca.pem", "domain-ca.key", "tsp-ca.pem", "tsp-ca.key"]
            + [f"{name}{ext}" for name in LEAVES for ext in (".pem", ".key")])


def is_complete(out: Path, min_days: int = 30) -> bool:
    """True when every file exists and no valid-by-design leaf expires within ``min_days``."""
    if not all((out / name).exists() for name in EXPECTED):
        return False
    horizon = NOW + dt.timedelta(days=min_days)
    for name in ("server", "afnemer-demo", "afnemer-signed", "unknown-afnemer"):
        cert = x509.load_pem_x509_certificates((out / f"{name}.pem").read_bytes())[0]
        if cert.not_valid_after_utc < horizon:
            return False
    crl = x509.load_pem_x509_crl((out / "tsp.crl").read_bytes())
    return crl.next_update_utc is not None and crl.next_update_utc > horizon


def make(out: Path) -> None:
    root = _ca("TEST Staat der Nederlanden Private Root CA - G1", "Staat der Nederlanden (TEST)", "root.crl",
               None, None)
    domain = _ca("TEST Staat der Nederlanden Private Services CA - G1", "Staat der Nederlanden (TEST)",
                 "root.crl", root, 1)
    tsp = _ca("TEST knoop-esb PKIoverheid Private Services Server CA - G1", "knoop-esb test TSP", "domain.crl",
              domain, 0)
    other_root = _ca("TEST Other Root CA", "Niet vertrouwd (test)", "other.crl", None, None)
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in LEAVES.items():
        leaf = _leaf(spec, tsp, "tsp.crl")
        if name == "revoked":
            tsp.revoked.append(leaf.cert)
        chain = _pem(leaf.cert, tsp.cert, domain.cert) if name == "server" else _pem(leaf.cert)
        _write(out, name, chain, leaf.key)
    other = _leaf(Leaf("other-ca.knoop-esb.test", "Andere CA (test)", DEMO_OIN), other_root, "other.crl")
    _write(out, "other-ca", _pem(other.cert), other.key)
    (out / "other-root.pem").write_bytes(_pem(other_root.cert))
    for name, ca in (("root", root), ("domain", domain), ("tsp", tsp)):
        (out / f"{name}.crl").write_bytes(_crl(ca).public_bytes(serialization.Encoding.PEM))
        # Kept so tests and operators can republish a CRL or issue more test certificates.
        _write(out, f"{name}-ca", _pem(ca.cert), ca.key)
    # Written last: the Makefile treats ca.pem as "the PKI is there".
    (out / "ca.pem").write_bytes(_pem(root.cert, domain.cert, tsp.cert))


def _write(out: Path, name: str, chain: bytes, key: rsa.RSAPrivateKey) -> None:
    (out / f"{name}.pem").write_bytes(chain)
    key_path = out / f"{name}.key"
    key_path.write_bytes(_key_pem(key))
    key_path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="var/pki", help="directory to write to (default var/pki)")
    parser.add_argument("--force", action="store_true", help="make a new PKI even when a valid one exists")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if not args.force and is_complete(out):
        print(f"test PKI in {out} is complete and valid; nothing to do")
        return 0
    make(out)
    print(f"test PKI written to {out} (root, domain CA, TSP CA, node and afnemer certificates, CRLs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
