"""The HTTPS server's TLS: context (TLS001-006, WT001-008) and a cheroot adapter that logs refusals.

Two layers refuse client certificates (docs/tls.md says why):
- the handshake (OpenSSL): no certificate, a chain that does not reach ``tls.trust_anchors``,
  outside its validity dates, or not usable for clientAuth. cheroot swallows handshake errors,
  so :class:`LoggingSSLAdapter` logs each with its reason and the peer address before cheroot
  drops the connection.
- the HTTP layer (:mod:`knoop_esb.digikoppeling.identity`): everything OpenSSL cannot know
  (CRL, OIN, configured afnemers), answered with a StUF052 Fo02 in a SOAP Fault.
"""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from cheroot.ssl.builtin import BuiltinSSLAdapter

from knoop_esb import logs, paths
from knoop_esb.config import Config, ConfigError
from knoop_esb.digikoppeling.intern import PROFIEL as INTERN

log = logs.get("knoop_esb.tls")

HANDSHAKE_TIMEOUT_SECONDS = 5.0
_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path
    private_key: Path
    trust_anchors: Path
    crl_files: tuple[Path, ...]
    intern_trust_anchors: Path | None = None
    intern_crl_files: tuple[Path, ...] = ()


def tls_files(config: Config) -> TlsFiles:
    """The configured files, with the example PKI in ``<data_dir>/pki`` as default; each must exist."""
    files = configured_tls_files(config)
    for key, path in (("tls.certificate", files.certificate), ("tls.private_key", files.private_key),
                      ("tls.trust_anchors", files.trust_anchors), *(("tls.crl_files", p) for p in files.crl_files),
                      *_intern_files(files)):
        if not path.is_file():
            raise ConfigError(key, f"file {path} does not exist (make the example PKI with `make pki`)")
    return files


def _intern_files(files: TlsFiles) -> tuple[tuple[str, Path], ...]:
    anchors = (("tls.intern_trust_anchors", files.intern_trust_anchors),) if files.intern_trust_anchors else ()
    return anchors + tuple(("tls.intern_crl_files", p) for p in files.intern_crl_files)


def configured_tls_files(config: Config) -> TlsFiles:
    """The paths ``[tls]`` names (or the example PKI's), whether or not they exist."""
    pki = paths.pki_dir(config)
    tls = config.tls
    crls = tuple(Path(p) for p in tls.crl_files) or tuple(sorted(pki.glob("*.crl")))
    return TlsFiles(
        certificate=Path(tls.certificate) if tls.certificate else pki / "server.pem",
        private_key=Path(tls.private_key) if tls.private_key else pki / "server.key",
        trust_anchors=Path(tls.trust_anchors) if tls.trust_anchors else pki / "ca.pem",
        crl_files=crls,
        intern_trust_anchors=Path(tls.intern_trust_anchors) if tls.intern_trust_anchors else None,
        intern_crl_files=tuple(Path(p) for p in tls.intern_crl_files),
    )


def intern_trust(config: Config):
    """The TrustStore of the internal CAs (``tls.intern_trust_anchors``), None when none are configured."""
    from knoop_esb.digikoppeling.certificates import TrustStore

    files = tls_files(config)
    if files.intern_trust_anchors is None:
        return None
    try:
        return TrustStore(files.intern_trust_anchors, list(files.intern_crl_files), intern=True)
    except ValueError as exc:
        raise ConfigError("tls.intern_trust_anchors", str(exc)) from None


def intern_enabled(config: Config) -> bool:
    """The intern profile (TLS without client certificate + Basic) is on only when an afnemer in
    knoop.toml or in the store has it (checked at start-up: a new intern afnemer needs a restart)."""
    if any(a.profiel == INTERN for a in config.afnemers.afnemer):
        return True
    try:
        from knoop_esb.afnemers.registry import Registry
        from knoop_esb.store.db import database

        return any(a.profiel == INTERN and a.actief for a in Registry(config, database(config)).alle())
    except Exception as exc:  # no store yet (fresh install): only knoop.toml counts
        log.info("afnemers in store not read for the intern profile", reason=str(exc))
        return False


def server_context(config: Config) -> ssl.SSLContext:
    files = tls_files(config)
    tls = config.tls
    if tls.min_version not in _VERSIONS:
        raise ConfigError("tls.min_version", f"must be 1.2 or 1.3, got {tls.min_version!r}")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = _VERSIONS[tls.min_version]  # TLS003/TLS004: never below 1.2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    try:
        ctx.set_ciphers(tls.ciphers)  # TLS006/TLSCIPH001: the NCSC list applies to TLS 1.2
    except ssl.SSLError:
        raise ConfigError("tls.ciphers", f"OpenSSL accepts none of {tls.ciphers!r}") from None
    # NCSC: no compression, no renegotiation; no session tickets so a session's lifetime is the
    # server session cache's (WT008), not an unbounded ticket.
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_NO_TICKET
    ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_SINGLE_ECDH_USE
    try:
        ctx.load_cert_chain(str(files.certificate), str(files.private_key))
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError("tls.certificate", f"cannot load {files.certificate} with {files.private_key}: {exc}") from None
    ctx.load_verify_locations(cafile=str(files.trust_anchors))
    if files.intern_trust_anchors is not None:
        # The municipality's own CAs: their client certificates pass the handshake and are then
        # admitted only for intern afnemers (identity.PeerResolver), never as PKIoverheid.
        ctx.load_verify_locations(cafile=str(files.intern_trust_anchors))
    # TLS002: mutual TLS. OPTIONAL only when the intern profile is configured; the HTTP layer then
    # refuses certificate-less requests that are not intern Basic auth (still a presented
    # certificate is verified by OpenSSL in the handshake either way).
    ctx.verify_mode = ssl.CERT_OPTIONAL if intern_enabled(config) else ssl.CERT_REQUIRED
    return ctx


# OpenSSL's words → stable reason codes shared with the Python checks (certificates.py).
_REASONS = (
    ("certificate has expired", "expired"),
    ("certificate is not yet valid", "not-yet-valid"),
    ("unsupported certificate purpose", "wrong-eku"),
    ("unsuitable certificate purpose", "wrong-eku"),
    ("unable to get local issuer certificate", "untrusted"),
    ("self-signed certificate", "untrusted"),
    ("self signed certificate", "untrusted"),
    ("certificate signature failure", "untrusted"),
    ("peer did not return a certificate", "no-certificate"),
    ("certificate required", "no-certificate"),
    ("unsupported protocol", "protocol-version"),
    ("no protocols available", "protocol-version"),
    ("wrong version number", "protocol-version"),
    ("version too low", "protocol-version"),
    ("no shared cipher", "cipher"),
    ("http request", "plain-http"),
    ("timed out", "timeout"),
)


def refusal_reason(exc: BaseException) -> str:
    text = (getattr(exc, "verify_message", "") or "") + " " + str(exc)
    text = text.lower().replace("_", " ")
    for needle, reason in _REASONS:
        if needle in text:
            return reason
    return "handshake-failed"


class LoggingSSLAdapter(BuiltinSSLAdapter):
    """cheroot's adapter with our context, logging every refused handshake with its reason."""

    def __init__(self, config: Config):
        files = tls_files(config)
        super().__init__(str(files.certificate), str(files.private_key), str(files.trust_anchors))
        self.config = config
        self.context = server_context(config)
        from knoop_esb.digikoppeling.reload import on_reload

        on_reload(self.reload)

    def reload(self) -> None:
        """A new context from the files as they are now; cheroot wraps every new connection with
        ``self.context``, connections already open keep theirs."""
        self.context = server_context(self.config)

    def wrap(self, sock):
        try:
            peer = "%s:%s" % sock.getpeername()[:2]
        except OSError:
            peer = "?"
        # cheroot handshakes in its accept loop: a client that connects and stays silent must not
        # hold up everyone else for the whole idle timeout (cheroot re-applies that afterwards).
        sock.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
        try:
            return super().wrap(sock)
        except Exception as exc:
            cause = exc.__cause__ or exc
            reason = refusal_reason(cause)
            if reason in ("handshake-failed", "plain-http") and isinstance(cause, (ssl.SSLEOFError, OSError)) \
                    and not isinstance(cause, ssl.SSLError):
                log.info("tls connection dropped", peer=peer, detail=str(cause))
            else:
                log.warning("tls handshake refused", peer=peer, reason=reason,
                            detail=getattr(cause, "verify_message", None) or str(cause))
            raise
