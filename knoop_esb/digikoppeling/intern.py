"""The internal profile "intern": server-auth TLS + HTTP Basic for systems inside the municipality.

Why: some internal applications (behind the municipality's own Digikoppeling adapter, "Koppelvlak
Digikoppeling adapter intern") cannot present a PKIoverheid client certificate. The profile is off
unless an afnemer is configured with ``profiel = "intern"``; it is never mixed with the
Digikoppeling profiles (a request with a client certificate is never matched against an intern
afnemer and vice versa). Passwords are stored only as scrypt hashes.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

PROFIEL = "intern"
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$<salt b64>$<hash b64>``: the value for ``wachtwoord_hash`` in knoop.toml."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
        digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(digest, expected)


def is_hash(stored: str) -> bool:
    parts = stored.split("$")
    return len(parts) == 6 and parts[0] == "scrypt"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an ``Authorization: Basic …`` header, None when absent or not Basic."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None
