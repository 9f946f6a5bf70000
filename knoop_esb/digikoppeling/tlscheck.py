"""The TLS material checked before serving: every file ``[tls]`` names is opened and parsed, the
private key must belong to the certificate, and what expires soon is named.

``knoop-esb config check`` reports every finding; ``serve`` refuses to start on the first error, so
an operator gets one line naming the key and the file instead of a library's traceback from deep in
the start-up (OpenSSL, cryptography and the WS-Security signer each load the same files).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from knoop_esb.config import Config, ConfigError
from knoop_esb.digikoppeling.certificates import load_certificates, load_crl, load_trust
from knoop_esb.digikoppeling.tls import configured_tls_files

# A PKIoverheid certificate or CRL that lapses stops the node (or refuses every afnemer): warn a month ahead.
WAARSCHUW_DAGEN = 30


@dataclass(frozen=True)
class Bevinding:
    """One finding: ``fout`` stops the node, ``waarschuwing`` is worth an operator's attention."""

    ernst: str  # "fout" | "waarschuwing"
    key: str
    tekst: str

    def __str__(self) -> str:
        return f"{self.key}: {self.tekst}"


def check_tls(config: Config, now: dt.datetime | None = None) -> list[Bevinding]:
    """Every finding about the configured TLS files, errors first."""
    now = now or dt.datetime.now(dt.timezone.utc)
    files = configured_tls_files(config)
    found: list[Bevinding] = []
    certs = _certificates(found, "tls.certificate", files.certificate, now)
    key = _private_key(found, files.private_key)
    if certs and key is not None and _public(key.public_key()) != _public(certs[0].public_key()):
        found.append(Bevinding("fout", "tls.private_key",
                               f"{files.private_key} is not the key of the certificate in {files.certificate}"))
    anchors = _certificates(found, "tls.trust_anchors", files.trust_anchors, now)
    crls_ok = all([_crl(found, path, now) for path in files.crl_files])
    if anchors and crls_ok:
        try:
            load_trust(files.trust_anchors, list(files.crl_files))
        except ValueError as exc:
            found.append(Bevinding("fout", "tls.trust_anchors", str(exc)))
    if files.intern_trust_anchors is not None:
        intern_anchors = _certificates(found, "tls.intern_trust_anchors", files.intern_trust_anchors, now)
        intern_crls_ok = all([_crl(found, path, now, key="tls.intern_crl_files") for path in files.intern_crl_files])
        if intern_anchors and intern_crls_ok:
            try:
                load_trust(files.intern_trust_anchors, list(files.intern_crl_files))
            except ValueError as exc:
                found.append(Bevinding("fout", "tls.intern_trust_anchors", str(exc)))
    return sorted(found, key=lambda b: b.ernst != "fout")


def check_ca_bundles(config: Config, now: dt.datetime | None = None) -> list[Bevinding]:
    """The CA bundles the node's own clients trust (KVK, Handelsdata), when configured."""
    now = now or dt.datetime.now(dt.timezone.utc)
    found: list[Bevinding] = []
    for key, path in (("kvk.ca_bundle", config.kvk.ca_bundle), ("handelsdata.ca_bundle", config.handelsdata.ca_bundle)):
        if path:
            _certificates(found, key, Path(path), now)
    return sorted(found, key=lambda b: b.ernst != "fout")


def refuse_broken_tls(config: Config) -> list[Bevinding]:
    """For ``serve``: raise the first error as a :class:`ConfigError`; return the warnings."""
    found = check_tls(config)
    for bevinding in found:
        if bevinding.ernst == "fout":
            raise ConfigError(bevinding.key, bevinding.tekst)
    return found


def _readable(found: list[Bevinding], key: str, path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        found.append(Bevinding("fout", key, f"file {path} does not exist (make the example PKI with `make pki`)"))
    except OSError as exc:
        found.append(Bevinding("fout", key, f"cannot read {path}: {exc.strerror or exc}"))
    return None


def _certificates(found: list[Bevinding], key: str, path: Path, now: dt.datetime) -> list[x509.Certificate]:
    if _readable(found, key, path) is None:
        return []
    try:
        certs = load_certificates(path)
    except ValueError:
        found.append(Bevinding("fout", key, f"{path} is not a PEM (or DER) certificate file"))
        return []
    for cert in certs:
        _expiry(found, key, f"certificate {cert.subject.rfc4514_string()} in {path}", cert.not_valid_after_utc, now)
    return certs


def _private_key(found: list[Bevinding], path: Path):
    data = _readable(found, "tls.private_key", path)
    if data is None:
        return None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        found.append(Bevinding("fout", "tls.private_key", f"{path} is encrypted; the node needs an unencrypted key file"))
    except (ValueError, UnsupportedAlgorithm):
        found.append(Bevinding("fout", "tls.private_key", f"{path} is not a PEM private key"))
    return None


def _crl(found: list[Bevinding], path: Path, now: dt.datetime, key: str = "tls.crl_files") -> bool:
    if _readable(found, key, path) is None:
        return False
    try:
        crl = load_crl(path)
    except ValueError:
        found.append(Bevinding("fout", key, f"{path} is not a PEM or DER CRL"))
        return False
    if crl.next_update_utc is not None:
        _expiry(found, key, f"CRL {path} (next update)", crl.next_update_utc, now)
    return True


def _expiry(found: list[Bevinding], key: str, what: str, until: dt.datetime, now: dt.datetime) -> None:
    if until < now:
        # The server certificate is refused by every afnemer: an error. An expired CA or CRL refuses
        # only the afnemers it covers, and a CRL is re-read when its file is replaced: a warning.
        ernst = "fout" if key == "tls.certificate" else "waarschuwing"
        found.append(Bevinding(ernst, key, f"{what} expired on {until:%Y-%m-%d %H:%M}Z"))
    elif until < now + dt.timedelta(days=WAARSCHUW_DAGEN):
        days = (until - now).days
        found.append(Bevinding("waarschuwing", key, f"{what} expires on {until:%Y-%m-%d %H:%M}Z (in {days} days)"))


def _public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


__all__ = ["Bevinding", "WAARSCHUW_DAGEN", "check_ca_bundles", "check_tls", "refuse_broken_tls"]
