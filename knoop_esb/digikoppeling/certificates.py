"""Client-certificate verification in Python, with ``cryptography``.

Why not leave it all to OpenSSL: the handshake does not check CRLs here (WT004/005 demand it and
CRLs must be refreshable without restarting), cannot read the OIN (PKI001), and a certificate that
a TLS-offloading proxy passes in a header never went through our handshake at all. So every client
certificate, however it arrived, goes through :func:`verify_client_certificate`: validity dates,
chain to the configured trust anchors, extendedKeyUsage clientAuth, CRL of every issuing CA, OIN.
Each refusal is a :class:`CertificateRefused` with a stable ``reason`` code for logs and tests.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

from knoop_esb.digikoppeling import oin as oin_mod


class CertificateRefused(Exception):
    """A client certificate is not acceptable. ``reason`` is one of: expired, not-yet-valid,
    untrusted, wrong-eku, revoked, crl-missing, crl-expired, no-oin, unparsable."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class TrustMaterial:
    """Trust anchors (self-signed roots), the intermediates shipped beside them, and the CRLs by issuer."""

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    crls: dict[x509.Name, x509.CertificateRevocationList] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifiedCertificate:
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    oin: str


def load_certificates(path: Path) -> list[x509.Certificate]:
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def load_crl(path: Path) -> x509.CertificateRevocationList:
    data = Path(path).read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def load_trust(anchors: Path, crl_files: list[Path]) -> TrustMaterial:
    """Read the PEM bundle of CAs (roots and intermediates mixed) and the CRL files."""
    certs = load_certificates(anchors)
    roots = tuple(c for c in certs if c.subject == c.issuer)
    intermediates = tuple(c for c in certs if c.subject != c.issuer)
    if not roots:
        raise ValueError(f"{anchors} holds no self-signed root certificate")
    by_subject = {c.subject: c for c in certs}
    crls = {}
    for path in crl_files:
        crl = load_crl(path)
        issuer = by_subject.get(crl.issuer)
        # cast: cryptography's annotation of public_key() is wider than is_signature_valid()'s.
        if issuer is None or not crl.is_signature_valid(typing.cast(typing.Any, issuer.public_key())):
            raise ValueError(f"CRL {path} is not signed by any CA in {anchors}")
        crls[crl.issuer] = crl
    return TrustMaterial(roots, intermediates, crls)


def _extension_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    # WebPKI demands a SAN on the leaf; PKIoverheid client certificates need not carry one.
    ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    return ExtensionPolicy.webpki_defaults_ca(), ee


def _check_dates(cert: x509.Certificate, now: dt.datetime) -> None:
    if now > cert.not_valid_after_utc:
        raise CertificateRefused("expired", f"certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M:%SZ}")
    if now < cert.not_valid_before_utc:
        raise CertificateRefused("not-yet-valid",
                                 f"certificate not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M:%SZ}")


def _check_eku(cert: x509.Certificate) -> None:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise CertificateRefused("wrong-eku", "certificate has no extendedKeyUsage; clientAuth is required") from None
    if ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
        raise CertificateRefused("wrong-eku", "certificate extendedKeyUsage lacks clientAuth")


def _check_chain(cert: x509.Certificate, trust: TrustMaterial, now: dt.datetime,
                 extra: tuple[x509.Certificate, ...]) -> tuple[x509.Certificate, ...]:
    ca_policy, ee_policy = _extension_policies()
    verifier = (PolicyBuilder().store(Store(list(trust.roots))).time(now)
                .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy).build_client_verifier())
    try:
        verified = verifier.verify(cert, list(trust.intermediates) + list(extra))
    except VerificationError as exc:
        raise CertificateRefused("untrusted", f"certificate does not chain to a trust anchor: {exc}") from None
    return tuple(verified.chain)


def _check_revocation(chain: tuple[x509.Certificate, ...], trust: TrustMaterial, now: dt.datetime,
                      require_crl: bool = True) -> None:
    # chain = leaf, intermediates..., root; every certificate but the anchor is checked against its issuer's CRL.
    for cert, issuer in zip(chain, chain[1:]):
        crl = trust.crls.get(issuer.subject)
        if crl is None and not require_crl:
            continue
        if crl is None:
            raise CertificateRefused("crl-missing", f"no CRL configured for issuer {issuer.subject.rfc4514_string()}")
        if crl.next_update_utc is not None and now > crl.next_update_utc:
            raise CertificateRefused("crl-expired",
                                     f"CRL of {issuer.subject.rfc4514_string()} expired at {crl.next_update_utc:%Y-%m-%d %H:%M:%SZ}")
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None:
            who = "certificate" if cert is chain[0] else f"CA {cert.subject.rfc4514_string()}"
            raise CertificateRefused(
                "revoked", f"{who} (serial {cert.serial_number:x}) revoked on {entry.revocation_date_utc:%Y-%m-%d %H:%M:%SZ}")


def verify_client_certificate(cert: x509.Certificate, trust: TrustMaterial, now: dt.datetime | None = None,
                              extra_intermediates: tuple[x509.Certificate, ...] = (), *,
                              intern: bool = False) -> VerifiedCertificate:
    """Everything Digikoppeling asks of a client certificate; raises :class:`CertificateRefused`.
    ``intern``: a certificate of the municipality's own CA (tls.intern_trust_anchors) needs no OIN
    (``oin`` is then "") and is checked against the CRLs that are configured for its CAs."""
    now = now or dt.datetime.now(dt.timezone.utc)
    _check_dates(cert, now)
    _check_eku(cert)
    chain = _check_chain(cert, trust, now, extra_intermediates)
    _check_revocation(chain, trust, now, require_crl=not intern)
    if intern:
        return VerifiedCertificate(cert, chain, "")
    try:
        oin = oin_mod.from_certificate(cert)
    except oin_mod.OinError as exc:
        raise CertificateRefused("no-oin", str(exc)) from None
    return VerifiedCertificate(cert, chain, oin)


@lru_cache(maxsize=1024)
def parse_pem(pem: bytes | str) -> x509.Certificate:
    """One PEM certificate (as cheroot's SSL_CLIENT_CERT or a proxy header gives it); an afnemer
    presents the same one on every request, so each is parsed once (the same object then hits
    TrustStore's cache of verdicts)."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise CertificateRefused("unparsable", f"client certificate is not a PEM certificate ({exc})") from None


class TrustStore:
    """The trust material of a running node, re-read when a CA or CRL file changes (CRLs are
    republished every few hours; the node must pick them up without a restart)."""

    RECHECK_SECONDS = 30.0

    def __init__(self, anchors: Path, crl_files: list[Path], *, intern: bool = False):
        self._intern = intern
        self._anchors = Path(anchors)
        self._crl_files = [Path(p) for p in crl_files]
        self._lock = threading.Lock()
        self._stamp = self._mtimes()
        self._material = load_trust(self._anchors, self._crl_files)
        self._checked = time.monotonic()
        self._verified: dict = {}

    def _mtimes(self) -> tuple[float, ...]:
        return tuple(p.stat().st_mtime_ns for p in [self._anchors, *self._crl_files])

    def reload(self) -> None:
        """Re-read the files now (SIGHUP), not at the next mtime check."""
        material = load_trust(self._anchors, self._crl_files)
        with self._lock:
            self._material, self._stamp, self._checked = material, self._mtimes(), time.monotonic()

    def current(self) -> TrustMaterial:
        if time.monotonic() - self._checked < self.RECHECK_SECONDS:
            return self._material
        with self._lock:
            self._checked = time.monotonic()
            stamp = self._mtimes()
            if stamp != self._stamp:
                self._material = load_trust(self._anchors, self._crl_files)
                self._stamp = stamp
        return self._material

    def verify(self, cert: x509.Certificate, extra_intermediates: tuple[x509.Certificate, ...] = ()) -> VerifiedCertificate:
        """Verified against the current trust material. A keep-alive afnemer presents the same
        certificate on every request: a success is remembered for at most RECHECK_SECONDS and
        only while the trust material (CAs, CRLs) is unchanged; the dates are checked every time.
        Refusals are never remembered."""
        material = self.current()
        key = (cert, tuple(extra_intermediates))
        found = self._verified.get(key)
        now = dt.datetime.now(dt.timezone.utc)
        if found is not None and found[0] is material and time.monotonic() < found[1]:
            _check_dates(cert, now)
            return found[2]
        verified = verify_client_certificate(cert, material, now, extra_intermediates=extra_intermediates,
                                             intern=self._intern)
        if self.RECHECK_SECONDS > 0:
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[key] = (material, time.monotonic() + self.RECHECK_SECONDS, verified)
        return verified
