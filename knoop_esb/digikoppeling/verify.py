"""Verification of a received WS-Security header (WB002-WB013) against a :class:`WusProfiel`.

A valid signature proves nothing about *what* was signed, so besides the cryptography this module
checks: exactly one Security header with one Timestamp and one Signature; allowed algorithms only
(SHA-1 refused); the signer's certificate reached through a BST direct reference (or an SKI the
node knows), chained to the trust anchors with CRLs, carrying an OIN equal to the TLS peer's; and
coverage: soap:Body, the Timestamp and every WS-A header are among the signed references, with no
duplicate Id anywhere (signature wrapping). signxml checks digests and the signature value on the
tree parsed from the raw received bytes (through :mod:`~knoop_esb.digikoppeling.dsig`).
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from typing import Callable

from cryptography import x509
from lxml import etree
from signxml import InvalidDigest, InvalidInput, InvalidSignature, SignatureConfiguration
from signxml.algorithms import DigestAlgorithm, SignatureMethod

from knoop_esb.digikoppeling.dsig import (
    C14N_METHOD, DIGEST_METHOD, DIGEST_VALUE, KEY_INFO, REFERENCE, SIGNATURE_METHOD, SIGNATURE_VALUE, SIGNED_INFO,
    TRANSFORM, TRANSFORMS, IdIndex, WsuVerifier,
)
from knoop_esb.digikoppeling.errors import (
    AlgoritmeNietToegestaan, DubbelId, GewijzigdeInhoud, OinMismatch, OnbetrouwbaarCertificaat,
    OndertekeningOntbreekt, OngeldigeOndertekening, OngeldigeSleutelverwijzing, OngeldigeTimestamp,
    OnvolledigeOndertekening,
)
from knoop_esb.digikoppeling.profiles import WusProfiel
from knoop_esb.digikoppeling.signing import BST_VALUE_TYPE
from knoop_esb.stuf.ns import DS, EXC_C14N, SOAP11_ENV, WSA, WSSE, WSSE11, WSU

__all__ = ["WssResultaat", "verify_envelope", "parse_timestamp", "SKI_VALUE_TYPE"]

SKI_VALUE_TYPE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier"
_ID_ATTRS = ("Id", "ID", "id")
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_ALLOWED_TRANSFORMS = {EXC_C14N}
_PREFIXES = {SOAP11_ENV: "soap:", WSA: "wsa:", WSU: "wsu:", WSSE11: "wsse11:"}
# Every certificate check (chain, CRL, OIN) is delegated: cert → OIN, raising on refusal.
Vertrouwen = Callable[[x509.Certificate], str]


@dataclass(frozen=True)
class WssResultaat:
    """What the receiver established about a message's WS-Security (``environ["knoop.wss"]``)."""

    ondertekend: bool
    signer_oin: str | None = None
    certificate: x509.Certificate | None = None
    signature_value: str | None = None
    signed_ids: frozenset[str] = frozenset()
    created: datetime | None = None
    expires: datetime | None = None
    versleuteld: bool = False


def parse_timestamp(text: str | None, what: str) -> datetime:
    value = (text or "").strip()
    if not value:
        raise OngeldigeTimestamp(f"wsu:Timestamp/{what} is missing or empty")
    if not value.endswith("Z"):
        raise OngeldigeTimestamp(f"wsu:Timestamp/{what} {value!r} is not in UTC (Z)")
    try:
        return datetime.fromisoformat(value[:-1]).replace(tzinfo=timezone.utc)
    except ValueError:
        raise OngeldigeTimestamp(f"wsu:Timestamp/{what} {value!r} is not an xsd:dateTime") from None


def _element_id(element: etree._Element) -> str | None:
    return element.get(f"{{{WSU}}}Id") or element.get("Id") or element.get(_XML_ID)


def _check_unique_ids(root: etree._Element) -> IdIndex:
    # One XPath pass in libxml2 over every Id/ID/id attribute in any namespace (wsu:Id, plain Id,
    # xml:id): the same attributes signxml resolves references by, so no id can be ambiguous. The
    # verifier resolves the references through the same index.
    index = IdIndex(root, _ID_ATTRS)
    duplicates = index.duplicates()
    if duplicates:
        raise DubbelId(f"Id value(s) used more than once: {', '.join(duplicates)}")
    return index



def _check_timestamp(timestamp: etree._Element, profiel: WusProfiel, now: datetime) -> tuple[datetime, datetime | None]:
    created = parse_timestamp(timestamp.findtext(f"{{{WSU}}}Created"), "Created")
    expires_node = timestamp.find(f"{{{WSU}}}Expires")
    expires = parse_timestamp(expires_node.text, "Expires") if expires_node is not None else None
    skew = profiel.timestamp_skew
    if created > now + skew:
        raise OngeldigeTimestamp(f"wsu:Created {created:%Y-%m-%dT%H:%M:%SZ} lies in the future (skew {skew})")
    if expires is not None and expires < now - skew:
        raise OngeldigeTimestamp(f"message expired at {expires:%Y-%m-%dT%H:%M:%SZ}")
    if created < now - profiel.replay_venster - skew:
        raise OngeldigeTimestamp(f"wsu:Created {created:%Y-%m-%dT%H:%M:%SZ} is older than the replay window "
                                 f"({profiel.replay_venster})")
    return created, expires


_WSA_OPEN = f"{{{WSA}}}"
_STR, _STR_REFERENCE = f"{{{WSSE}}}SecurityTokenReference", f"{{{WSSE}}}Reference"
_BST, _KEY_IDENTIFIER = f"{{{WSSE}}}BinarySecurityToken", f"{{{WSSE}}}KeyIdentifier"


def _children(element: etree._Element) -> dict[str, list[etree._Element]]:
    """The element's children by tag, in document order: one pass instead of a search per tag."""
    groups: dict[str, list[etree._Element]] = {}
    for child in element:
        groups.setdefault(child.tag, []).append(child)
    return groups


def _exactly_one(groups: dict[str, list[etree._Element]], tag: str, what: str,
                 error=OngeldigeOndertekening) -> etree._Element:
    found = groups.get(tag, [])
    if len(found) != 1:
        raise error(f"wsse:Security holds {len(found)} {what}, expected exactly one")
    return found[0]


def _check_algorithms(signature: etree._Element, profiel: WusProfiel) -> list[etree._Element]:
    """Algorithms and the structure of ds:Signature. This is also what signxml's XMLDSig schema
    validation guarded (it is switched off in :func:`_verify_crypto`): exactly one SignedInfo,
    CanonicalizationMethod, SignatureMethod and SignatureValue, and per Reference one DigestMethod
    and one DigestValue, so signxml and these checks necessarily look at the same elements."""
    parts = _children(signature)
    signed_info = _exactly_one(parts, SIGNED_INFO, "SignedInfo")
    if not (_exactly_one(parts, SIGNATURE_VALUE, "SignatureValue").text or "").strip():
        raise OngeldigeOndertekening("empty ds:SignatureValue")  # signxml would fail on None (TypeError)
    info = _children(signed_info)
    c14n = _exactly_one(info, C14N_METHOD, "CanonicalizationMethod")
    if c14n.get("Algorithm") not in profiel.c14n_algoritmen:
        raise AlgoritmeNietToegestaan(f"SignedInfo canonicalization {c14n.get('Algorithm')} "
                                      "is not exclusive c14n", regel="WB007")
    algorithm = _exactly_one(info, SIGNATURE_METHOD, "SignatureMethod").get("Algorithm")
    if algorithm not in profiel.handtekening_algoritmen:
        raise AlgoritmeNietToegestaan(f"SignatureMethod {algorithm} is not allowed (SHA-2 RSA required)", regel="SIGN004")
    references = info.get(REFERENCE, [])
    for reference in references:
        _check_reference(reference, profiel)
    return references


def _check_reference(reference: etree._Element, profiel: WusProfiel) -> None:
    # One pass over the Reference's children (this runs for every reference of every message).
    digest = None
    digests = values = 0
    empty = False
    for field in reference:
        tag = field.tag
        if tag == DIGEST_METHOD:
            digests += 1
            digest = field
        elif tag == DIGEST_VALUE:
            values += 1
            empty = not (field.text or "").strip()
        elif tag == TRANSFORMS:
            for transform in field:
                if transform.tag == TRANSFORM and transform.get("Algorithm") not in _ALLOWED_TRANSFORMS:
                    raise AlgoritmeNietToegestaan(f"Transform {transform.get('Algorithm')} is not allowed", regel="WB007")
    if digests != 1 or digest.get("Algorithm") not in profiel.digest_algoritmen:
        raise AlgoritmeNietToegestaan(f"DigestMethod {digest.get('Algorithm') if digests == 1 else None} "
                                      f"of reference {reference.get('URI')} is not allowed", regel="SIGN003")
    if values != 1:
        raise OngeldigeOndertekening(f"reference {reference.get('URI')} holds no single DigestValue")
    if empty:
        raise OngeldigeOndertekening(f"reference {reference.get('URI')} has an empty DigestValue")
    uri = reference.get("URI") or ""
    if not uri.startswith("#") or len(uri) < 2:
        raise OngeldigeOndertekening(f"reference URI {uri!r} is not a same-document #Id reference")


def _signer_certificate(security: etree._Element, signature: etree._Element, profiel: WusProfiel,
                        by_ski: Callable[[bytes], x509.Certificate | None] | None) -> x509.Certificate:
    """WB010: the certificate behind KeyInfo/wsse:SecurityTokenReference."""
    key_info = next(signature.iterchildren(KEY_INFO), None)
    token_ref = next(key_info.iterchildren(_STR), None) if key_info is not None else None
    if token_ref is None:
        raise OngeldigeSleutelverwijzing("ds:KeyInfo holds no wsse:SecurityTokenReference")
    reference = next(token_ref.iterchildren(_STR_REFERENCE), None)
    if reference is not None and "bst" in profiel.sleutelverwijzingen:
        uri = reference.get("URI") or ""
        tokens = [t for t in security if t.tag == _BST and uri == f"#{_element_id(t)}"]
        if len(tokens) != 1:
            raise OngeldigeSleutelverwijzing(f"SecurityTokenReference {uri!r} names no BinarySecurityToken in wsse:Security")
        if tokens[0].get("ValueType") != BST_VALUE_TYPE:
            raise OngeldigeSleutelverwijzing(f"BinarySecurityToken ValueType {tokens[0].get('ValueType')} is not X509v3")
        try:
            return _token_certificate(tokens[0].text or "")
        except ValueError as exc:
            raise OngeldigeSleutelverwijzing(f"BinarySecurityToken is not a DER X.509 certificate: {exc}") from None
    identifier = next(token_ref.iterchildren(_KEY_IDENTIFIER), None)
    if (identifier is not None and identifier.get("ValueType") == SKI_VALUE_TYPE
            and "ski" in profiel.sleutelverwijzingen and by_ski is not None):
        try:
            ski = base64.b64decode("".join((identifier.text or "").split()))
        except ValueError:
            raise OngeldigeSleutelverwijzing("X509SubjectKeyIdentifier is not base64") from None
        cert = by_ski(ski)
        if cert is None:
            raise OngeldigeSleutelverwijzing(f"no known certificate has SubjectKeyIdentifier {ski.hex()}")
        return cert
    kinds = ", ".join(sorted(profiel.sleutelverwijzingen))
    raise OngeldigeSleutelverwijzing(f"key reference kind not accepted (accepted: {kinds})")


@lru_cache(maxsize=256)
def _token_certificate(text: str) -> x509.Certificate:
    # An afnemer signs every message with the same certificate, so the same token text: decode
    # and parse it once (the same object also hits TrustStore's cache of verified certificates).
    return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))


def _check_coverage(root: etree._Element, security: etree._Element, timestamp: etree._Element,
                    references: list[etree._Element], profiel: WusProfiel) -> frozenset[str]:
    """WB004: Body, Timestamp, every WS-A header (and SignatureConfirmation) must be signed."""
    signed = frozenset(r.get("URI")[1:] for r in references)
    required: list[tuple[str, etree._Element]] = []
    if "Body" in profiel.verplicht_ondertekend:
        required.append(("soap:Body", root.find(f"{{{SOAP11_ENV}}}Body")))
    if "Timestamp" in profiel.verplicht_ondertekend:
        required.append(("wsu:Timestamp", timestamp))
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    required += [(f"wsa:{h.tag[len(_WSA_OPEN):]}", h) for h in header
                 if isinstance(h.tag, str) and h.tag.startswith(_WSA_OPEN)]
    required += [("wsse11:SignatureConfirmation", c) for c in security.findall(f"{{{WSSE11}}}SignatureConfirmation")]
    unsigned = [name for name, element in required if _element_id(element) not in signed]
    if unsigned:
        raise OnvolledigeOndertekening(f"not signed: {', '.join(unsigned)}")
    return signed


@lru_cache(maxsize=32)
def _expected(n_refs: int) -> SignatureConfiguration:
    # One configuration object per reference count, not per message.
    return SignatureConfiguration(
        expect_references=n_refs, location=f"./{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/",
        signature_methods=frozenset(sm for sm in SignatureMethod if "SHA1" not in sm.name),
        digest_algorithms=frozenset(da for da in DigestAlgorithm if "SHA1" not in da.name),
    )


def _verify_crypto(root: etree._Element, cert: x509.Certificate, n_refs: int, index: IdIndex) -> None:
    # validate_schema=False: signxml's XMLDSig schema check of ds:Signature costs a validation per
    # message and refuses WSS4J/.NET's InclusiveNamespaces on SignedInfo. What it guarded is checked
    # before this call: the structure (_check_algorithms: one SignedInfo/CanonicalizationMethod/
    # SignatureMethod/SignatureValue, one DigestMethod/DigestValue per Reference), the algorithms,
    # same-document #Id references only, transforms exc-c14n only, the key reference (STR → BST),
    # unique Ids. signxml still checks every digest and the signature value.
    try:
        WsuVerifier(index).verify(root, x509_cert=cert, id_attribute="Id", expect_config=_expected(n_refs),
                             validate_schema=False)
    except InvalidDigest as exc:
        raise GewijzigdeInhoud(f"digest mismatch: {_changed_part(root, str(exc))} was changed after signing") from None
    except (InvalidSignature, InvalidInput) as exc:
        raise OngeldigeOndertekening(f"signature does not verify: {exc}") from None
    except ValueError as exc:  # a DigestValue/SignatureValue that is not base64
        raise OngeldigeOndertekening(f"signature does not verify: {exc}") from None


def _changed_part(root: etree._Element, message: str) -> str:
    """Name the element of the failing reference (signxml says only ``(#id)``)."""
    match = re.search(r"\(#([^)]+)\)", message)
    if match:
        for node in root.iter():
            if isinstance(node.tag, str) and _element_id(node) == match.group(1):
                qname = etree.QName(node)
                return f"{_PREFIXES.get(qname.namespace, '')}{qname.localname} (#{match.group(1)})"
    return "a signed part"


def verify_envelope(root: etree._Element, profiel: WusProfiel, *, vertrouwen: Vertrouwen,
                    peer_oin: str | None, now: datetime | None = None,
                    by_ski: Callable[[bytes], x509.Certificate | None] | None = None) -> WssResultaat:
    """Verify the WS-Security of ``root`` (decrypt first for 2W-be-SE). Raises a :class:`WusFout`."""
    now = now or datetime.now(timezone.utc)
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    blocks = header.findall(f"{{{WSSE}}}Security") if header is not None else []
    if not blocks:
        if profiel.ondertekend:
            raise OndertekeningOntbreekt(f"profile {profiel.naam} requires a WS-Security signature; none present")
        return WssResultaat(ondertekend=False)
    if len(blocks) > 1:
        raise OngeldigeOndertekening(f"{len(blocks)} wsse:Security headers, expected one")
    security = blocks[0]
    index = _check_unique_ids(root)
    blocks_in_security = _children(security)
    timestamp = _exactly_one(blocks_in_security, f"{{{WSU}}}Timestamp", "wsu:Timestamp", OngeldigeTimestamp)
    created, expires = _check_timestamp(timestamp, profiel, now)
    signature = _exactly_one(blocks_in_security, f"{{{DS}}}Signature", "ds:Signature",
                             OndertekeningOntbreekt if profiel.ondertekend else OngeldigeOndertekening)
    references = _check_algorithms(signature, profiel)
    signed = _check_coverage(root, security, timestamp, references, profiel)
    cert = _signer_certificate(security, signature, profiel, by_ski)
    try:
        signer_oin = vertrouwen(cert)
    except Exception as exc:  # the trust callable's own refusal type (CertificateRefused, ...)
        reason = getattr(exc, "reason", type(exc).__name__)
        raise OnbetrouwbaarCertificaat(f"signing certificate refused ({reason}): {exc}") from None
    if peer_oin is not None and signer_oin.upper() != peer_oin.upper():
        raise OinMismatch(f"signer OIN {signer_oin} differs from the TLS client certificate OIN {peer_oin}", regel="WB010")
    _verify_crypto(root, cert, len(references), index)
    value = signature.findtext(f"{{{DS}}}SignatureValue") or ""
    return WssResultaat(ondertekend=True, signer_oin=signer_oin, certificate=cert,
                        signature_value="".join(value.split()), signed_ids=signed, created=created, expires=expires)
