"""The Digikoppeling WUS profiles (2W-be, 2W-be-S, 2W-be-SE) as data: what a receiver expects.

A profile is chosen per service and applies to request and response alike (WB011). Each field is
an expectation the verifier enforces; the comment says what goes wrong if it is loosened.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

__all__ = ["WusProfiel", "PROFIELEN", "profiel"]

# Algorithm URIs (XMLDSIG, XMLDSIG-more, XML-Enc 1.0/1.1).
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
AES128_GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
RSA_OAEP = "http://www.w3.org/2009/xmlenc11#rsa-oaep"


@dataclass(frozen=True)
class WusProfiel:
    """Expectations for one WUS profile. Frozen: a profile is shared by every message of a service."""

    naam: str
    # WB003: when True an unsigned request is refused; when False a Security header that is
    # present is still verified (a signature is never ignored once sent).
    ondertekend: bool
    # WB005/ENC: when True a request Body that is not xenc:EncryptedData is refused and responses
    # are encrypted to the requester's certificate (WB012).
    versleuteld: bool
    # SIGN001-004: SHA-1 (and anything unlisted) is refused; loosening re-opens collision forgery.
    handtekening_algoritmen: frozenset[str] = frozenset({RSA_SHA256, RSA_SHA384, RSA_SHA512})
    digest_algoritmen: frozenset[str] = frozenset({SHA256, SHA384, SHA512})
    # WB007: only exclusive c14n; other transforms (XPath, enveloped) let a signer hide content.
    c14n_algoritmen: frozenset[str] = frozenset({EXC_C14N})
    # WB004: parts that must be among the signed references besides every WS-A header present.
    # Dropping one lets an attacker change that part of a validly signed message.
    verplicht_ondertekend: tuple[str, ...] = ("Body", "Timestamp")
    # WB002: clock drift tolerated on Created/Expires.
    timestamp_skew: timedelta = timedelta(minutes=5)
    # How long a signed message stays acceptable when the sender gave no (or a longer) Expires;
    # also how long its MessageID is remembered for replay refusal.
    replay_venster: timedelta = timedelta(minutes=15)
    # Lifetime written in our own Timestamp/Expires.
    timestamp_geldigheid: timedelta = timedelta(minutes=5)
    # WB010: how the signer's certificate may be referenced: "bst" (direct reference to a
    # BinarySecurityToken, the DK default) and optionally "ski" (X509SubjectKeyIdentifier,
    # resolved against known afnemer certificates; Suwinet practice).
    sleutelverwijzingen: frozenset[str] = frozenset({"bst", "ski"})
    # ENC003/004: content and key-transport algorithms accepted and (first listed) used.
    data_algoritmen: tuple[str, ...] = (AES256_GCM, AES128_GCM)
    sleuteltransport_algoritmen: tuple[str, ...] = (RSA_OAEP_MGF1P, RSA_OAEP)
    # Digest inside RSA-OAEP when we encrypt. SHA-1 (the XML-Enc default, so no DigestMethod is
    # written) because xmlsec1 1.2 and WSS4J/.NET defaults accept nothing else for rsa-oaep-mgf1p;
    # OAEP's security does not rest on collision resistance. SHA-256 is accepted on receipt.
    oaep_digest: str = SHA1
    aliassen: tuple[str, ...] = field(default=())


PROFIELEN: dict[str, WusProfiel] = {
    "2W-be": WusProfiel("2W-be", ondertekend=False, versleuteld=False, aliassen=("osb-be",)),
    "2W-be-S": WusProfiel("2W-be-S", ondertekend=True, versleuteld=False, aliassen=("osb-be-s",)),
    "2W-be-SE": WusProfiel("2W-be-SE", ondertekend=True, versleuteld=True, aliassen=("osb-be-e",)),
}


def profiel(naam: str | WusProfiel) -> WusProfiel:
    """The profile by its DK name (case-insensitive; the old osb-* names are accepted)."""
    if isinstance(naam, WusProfiel):
        return naam
    wanted = naam.strip().lower()
    for p in PROFIELEN.values():
        if wanted == p.naam.lower() or wanted in p.aliassen:
            return p
    raise ValueError(f"unknown WUS profile {naam!r}; expected one of {', '.join(PROFIELEN)}")
