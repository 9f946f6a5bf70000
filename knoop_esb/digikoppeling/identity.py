"""Who is on the other end of a request: the :class:`Peer` every later layer trusts.

The TLS layer (or a trusted TLS-offloading proxy, or the internal Basic-auth profile) decides the
peer once, before any SOAP processing, and puts it in ``environ["knoop.peer"]``. Later layers
(WS-Security, stuurgegevens checks, authorisation, protocol log) read it and never look at the
socket again.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.x509.oid import NameOID

from knoop_esb.config import Config, ConfigError
from knoop_esb.digikoppeling import intern
from knoop_esb.digikoppeling.certificates import CertificateRefused, TrustStore, parse_pem

ENVIRON_KEY = "knoop.peer"

# How the identity was established.
VIA_TLS = "tls"          # client certificate in our own mutual-TLS handshake
VIA_PROXY = "proxy"      # client certificate passed by a trusted TLS-offloading proxy
VIA_INTERN = "intern"    # internal profile: server-auth TLS + HTTP Basic
VIA_INTERN_CERT = "intern-certificaat"  # internal profile: a client certificate from tls.intern_trust_anchors


@dataclass(frozen=True)
class Peer:
    """An authenticated afnemer: its OIN, its certificate (None for HTTP Basic), its configured
    WUS profile (2W-be, 2W-be-S, 2W-be-SE or intern), how it was identified, the binding it speaks
    (``digikoppeling`` or ``stuf``: :mod:`knoop_esb.digikoppeling.stufbinding`) and whether its
    known deviations are repaired (``tolerant``: :mod:`knoop_esb.stuf.tolerant`)."""

    oin: str
    certificate: x509.Certificate | None
    profiel: str
    via: str
    binding: str = "digikoppeling"
    tolerant: bool = False


class PeerRefused(Exception):
    """The request may not proceed. ``reason`` is a stable short code for logs and tests;
    ``str()`` is the human sentence that goes in the log (and, shortened, in the Fo02)."""

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)


# --- deciding the peer -------------------------------------------------------------------------

_PEM_BODY = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


def header_pem(value: str) -> str:
    """A certificate as proxies put it in a header: URL-escaped PEM (nginx ``$ssl_client_escaped_cert``),
    PEM with its newlines turned into spaces or tabs (Apache, some load balancers), or bare base64."""
    text = unquote(value) if "%" in value else value
    match = _PEM_BODY.search(text)
    body = re.sub(r"\s+", "", match.group(1) if match else text)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


class PeerResolver:
    """environ → :class:`Peer`, or :class:`PeerRefused` with the reason. Built once per process.
    ``afnemers`` looks afnemers up (``get(oin)``, ``by_gebruikersnaam(name)``): the afnemers registry,
    so afnemers added to the store at run time are admitted."""

    def __init__(self, config: Config, trust: TrustStore, afnemers, intern_trust: TrustStore | None = None):
        self._trust = trust
        self._intern_trust = intern_trust
        self._afnemers = afnemers
        try:
            self._proxies = [ipaddress.ip_network(p, strict=False) for p in config.tls.trusted_proxies]
        except ValueError as exc:
            raise ConfigError("tls.trusted_proxies", f"not an IP address or network: {exc}") from None
        self._header = config.tls.client_cert_header
        self._header_key = "HTTP_" + self._header.upper().replace("-", "_")

    def _trusted_proxy(self, remote: str | None) -> bool:
        try:
            address = ipaddress.ip_address(remote or "")
        except ValueError:
            return False
        return any(address in net for net in self._proxies)

    def _certificate(self, environ: dict) -> tuple[str | None, str]:
        header = environ.get(self._header_key)
        remote = environ.get("REMOTE_ADDR")
        if self._trusted_proxy(remote):
            # From a proxy only the header counts: the proxy's own TLS certificate is never an
            # afnemer's identity (no header = the afnemer presented no certificate to the proxy).
            return (header_pem(header) if header and header.strip() else None), VIA_PROXY
        if header is not None:
            raise PeerRefused("untrusted-proxy", f"header {self._header} from {remote}, "
                              "which is not in tls.trusted_proxies")
        return environ.get("SSL_CLIENT_CERT") or None, VIA_TLS

    def resolve(self, environ: dict) -> Peer:
        pem, via = self._certificate(environ)
        authorization = environ.get("HTTP_AUTHORIZATION")
        if pem is not None:
            if intern.basic_credentials(authorization):
                raise PeerRefused("mixed-profile", "client certificate and HTTP Basic in one request: "
                                  "the intern profile is never mixed with Digikoppeling profiles")
            certificate = parse_pem(pem)
            try:
                verified = self._trust.verify(certificate)
            except CertificateRefused as exc:
                if exc.reason == "untrusted" and self._intern_trust is not None:
                    return self._intern_certificate_peer(certificate, via)
                raise PeerRefused(exc.reason, f"client certificate refused: {exc}") from None
            afnemer = self._afnemers.get(verified.oin)
            if afnemer is None:
                raise PeerRefused("unknown-afnemer", f"OIN {verified.oin} is not a configured afnemer")
            if afnemer.profiel == intern.PROFIEL:
                raise PeerRefused("unknown-afnemer", f"afnemer {verified.oin} has profiel intern: it signs in with "
                                  "HTTP Basic, never with a certificate")
            if not getattr(afnemer, "actief", True):
                raise PeerRefused("inactive-afnemer", f"afnemer {verified.oin} is not active")
            return Peer(verified.oin, verified.certificate, afnemer.profiel, via, *_binding(afnemer))
        return self._intern_peer(authorization)

    def _intern_certificate_peer(self, certificate: x509.Certificate, via: str) -> Peer:
        """A client certificate from an internal CA (not PKIoverheid): the intern afnemer whose
        ``certificaat_cn`` is its subject CN, only for the plain StUF binding."""
        try:
            self._intern_trust.verify(certificate)
        except CertificateRefused as exc:
            raise PeerRefused(exc.reason, f"client certificate refused (neither PKIoverheid nor an internal CA "
                              f"accepts it): {exc}") from None
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        cn = str(names[0].value) if names else ""
        afnemer = self._afnemers.by_certificaat_cn(cn)
        if afnemer is None or afnemer.profiel != intern.PROFIEL:
            raise PeerRefused("unknown-afnemer", f"no intern afnemer has certificaat_cn {cn!r}")
        if not getattr(afnemer, "actief", True):
            raise PeerRefused("inactive-afnemer", f"afnemer {afnemer.oin} is not active")
        return Peer(afnemer.oin, certificate, intern.PROFIEL,
                    VIA_INTERN_CERT if via == VIA_TLS else via, *_binding(afnemer))

    def _intern_peer(self, authorization: str | None) -> Peer:
        credentials = intern.basic_credentials(authorization)
        if credentials is None:
            raise PeerRefused("no-certificate", "no client certificate (mutual TLS is required)")
        user, password = credentials
        afnemer = self._afnemers.by_gebruikersnaam(user) if user else None
        if (afnemer is None or afnemer.profiel != intern.PROFIEL or not getattr(afnemer, "actief", True)
                or not intern.verify_password(password, afnemer.wachtwoord_hash)):
            raise PeerRefused("bad-credentials", f"intern profile: wrong user name or password for {user!r}")
        return Peer(afnemer.oin, None, intern.PROFIEL, VIA_INTERN, *_binding(afnemer))


def _binding(afnemer) -> tuple[str, bool]:
    return getattr(afnemer, "binding", "digikoppeling"), bool(getattr(afnemer, "tolerant", False))
