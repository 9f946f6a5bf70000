from dataclasses import dataclass
from pathlib import Path

from knoop_esb.config.loader import doc, section


@section("tls")
@dataclass(frozen=True)
class TlsConfig:
    """Mutual TLS of the HTTPS server (Digikoppeling TLS001-006, WT001-008)."""

    certificate: Path | None = doc("Server certificate chain (leaf + intermediates, PEM); empty = <data_dir>/pki/server.pem.", default=None)
    private_key: Path | None = doc("Server private key (PEM); empty = <data_dir>/pki/server.key.", default=None)
    trust_anchors: Path | None = doc("CA certificates that client certificates must chain to (PEM); empty = <data_dir>/pki/ca.pem.", default=None)
    crl_files: list[Path] = doc("CRL files (PEM or DER) checked for every client certificate; empty = <data_dir>/pki/*.crl.", default_factory=list)
    intern_trust_anchors: Path | None = doc("Internal CAs (PEM; the municipality's own) whose client certificates identify intern afnemers by certificaat_cn (plain StUF binding); empty = none.", default=None)
    intern_crl_files: list[Path] = doc("CRL files of the internal CAs; checked when given (an internal CA without a CRL here is not checked for revocation).", default_factory=list)
    min_version: str = doc("Lowest TLS version accepted: 1.2 or 1.3.", default="1.2")
    ciphers: str = doc("OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are all NCSC 'good').", default="ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")
    trusted_proxies: list[str] = doc("Addresses of TLS-offloading proxies allowed to pass the client certificate in a header.", default_factory=list)
    client_cert_header: str = doc("Header in which a trusted proxy passes the (URL-escaped) client certificate.", default="X-SSL-Client-Cert")
