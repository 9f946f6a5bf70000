"""The OIN (Organisatie-identificatienummer): how Digikoppeling names an organisation.

It travels in three places that must agree: the certificate's subject serialNumber (PKI001), the
``?OIN=`` parameter of wsa:To / wsa:From, and StUF ``zender/organisatie``. Real OINs are not all
digits (BRIN-based ones carry letters), so the format is 8 digits + 12 digits or capitals.
"""
from __future__ import annotations

import re

from cryptography import x509
from cryptography.x509.oid import NameOID

OIN_PATTERN = re.compile(r"^[0-9]{8}[0-9A-Z]{12}$")


class OinError(ValueError):
    """No usable OIN; ``str()`` says why in one line."""


def is_valid(oin: str) -> bool:
    return bool(OIN_PATTERN.fullmatch(oin or ""))


def from_certificate(cert: x509.Certificate) -> str:
    """The OIN in subject serialNumber (OID 2.5.4.5); raises :class:`OinError` when absent or malformed."""
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        raise OinError("certificate has no subject serialNumber (no OIN)")
    if len(values) > 1:
        raise OinError("certificate has more than one subject serialNumber")
    oin = str(values[0].value)
    if not is_valid(oin):
        raise OinError(f"subject serialNumber {oin!r} is not an OIN (20 characters: 8 digits + 12 digits/capitals)")
    return oin
