"""WS-Security signing of a SOAP envelope as Digikoppeling 2W-be-S prescribes (WB001-WB010, WB014).

Layout written into soap:Header/wsse:Security (mustUnderstand="1"):
BinarySecurityToken (X509v3, first) → Timestamp (Created, Expires) → [SignatureConfirmation] →
ds:Signature with one Reference per wsu:Id'd part: soap:Body, every WS-A header, the Timestamp and
the SignatureConfirmation; exclusive c14n (InclusiveNamespaces per reference where a QName value
needs an unused prefix), SHA-256 digests, RSA-SHA256, KeyInfo = STR direct reference to the BST.

signxml builds SignedInfo and the signature value, through :mod:`~knoop_esb.digikoppeling.dsig`'s
subclass: ``WsuSigner.sign_elements`` takes the parts with the ids placed here, so nothing is looked
up in the document, and keeps no message state, so one signer per algorithm serves every message
(signxml's own ``sign()`` would keep ``id_attribute`` on a reused signer: LIBRARIES.md).
"""
from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureConstructionMethod, SignatureMethod

from knoop_esb.digikoppeling.dsig import IdIndex, WsuSigner
from knoop_esb.digikoppeling.profiles import EXC_C14N, WusProfiel
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSA, WSSE, WSSE11, WSU, XSI

__all__ = ["Ondertekenaar", "sign_envelope", "timestamp_text", "BST_VALUE_TYPE", "BASE64", "wsu_id",
           "signature_value"]

BST_VALUE_TYPE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
_WSU_ID = f"{{{WSU}}}Id"
_WSA_OPEN = f"{{{WSA}}}"
_XSI_TYPES = etree.XPath("//@xsi:type", namespaces={"xsi": XSI})  # compiled once: it runs on every answer
_EXC_C14N = CanonicalizationMethod(EXC_C14N)


@dataclass(frozen=True)
class Ondertekenaar:
    """The signing identity: private key and its certificate (PKIoverheid, OIN in serialNumber)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def from_files(cls, certificate: Path | str, key: Path | str, password: bytes | None = None) -> "Ondertekenaar":
        """Load PEM files; the first certificate in ``certificate`` is the leaf."""
        cert = x509.load_pem_x509_certificates(Path(certificate).read_bytes())[0]
        private = serialization.load_pem_private_key(Path(key).read_bytes(), password=password)
        return cls(private, cert)


def timestamp_text(moment: datetime) -> str:
    """xsd:dateTime in UTC with milliseconds and Z (WB002)."""
    m = moment.astimezone(timezone.utc)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond // 1000:03d}Z"


def wsu_id(element: etree._Element, prefix: str, token: str | None = None) -> str:
    """The element's wsu:Id, adding ``prefix-token`` (a fresh token by default) when it has none."""
    existing = element.get(_WSU_ID) or element.get("Id")
    if existing:
        return existing
    value = f"{prefix}-{token or uuid.uuid4().hex}"
    element.set(_WSU_ID, value)
    return value


def _security_header(root: etree._Element) -> etree._Element:
    hdr = root.find(f"{{{SOAP11_ENV}}}Header")
    if hdr is None:
        hdr = etree.Element(f"{{{SOAP11_ENV}}}Header")
        root.insert(0, hdr)
    for old in hdr.findall(f"{{{WSSE}}}Security"):
        hdr.remove(old)
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    security.set(f"{{{SOAP11_ENV}}}mustUnderstand", "1")
    hdr.insert(0, security)
    return security


def _qname_prefixes(root: etree._Element, parts: list[etree._Element]) -> list[list[str]]:
    """Per part, the prefixes used only inside attribute values (xsi:type="StUF:x"): exc-c14n would
    drop their declarations, so the part's reference names them (InclusiveNamespaces). One search
    of the whole envelope: StUF answers rarely carry xsi:type at all."""
    found: list[set[str]] = [set() for _ in parts]
    index = {id(part): n for n, part in enumerate(parts)}
    for value in _XSI_TYPES(root):
        if ":" not in value:
            continue
        element = value.getparent()
        for node in (element, *element.iterancestors()):
            if id(node) in index:
                found[index[id(node)]].add(value.split(":", 1)[0])
    return [sorted(prefixes) for prefixes in found]


@lru_cache(maxsize=16)
def _bst_text(certificate: x509.Certificate) -> str:
    # The node signs every signed answer with the same certificate: encode it once.
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def _key_info(bst_id: str) -> etree._Element:
    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    str_ = etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference", nsmap={"wsse": WSSE})
    etree.SubElement(str_, f"{{{WSSE}}}Reference", URI=f"#{bst_id}", ValueType=BST_VALUE_TYPE)
    return key_info


@lru_cache(maxsize=4)
def _wsu_signer(algorithm: SignatureMethod) -> WsuSigner:
    # One per algorithm, shared by every message and thread: sign_elements keeps no message state.
    return WsuSigner(method=SignatureConstructionMethod.detached, signature_algorithm=algorithm,
                     digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=_EXC_C14N)


def _signature_algorithm(key) -> SignatureMethod:
    return SignatureMethod.ECDSA_SHA256 if isinstance(key, ec.EllipticCurvePrivateKey) else SignatureMethod.RSA_SHA256


def sign_envelope(root: etree._Element, signer: Ondertekenaar, profiel: WusProfiel, *,
                  signature_confirmation: str | None = None, now: datetime | None = None) -> etree._Element:
    """Sign ``root`` (a SOAP 1.1 Envelope) in place and return it. Serialise it without pretty-printing.

    ``signature_confirmation``: on a response, the request's SignatureValue (WB014); ``""`` writes a
    SignatureConfirmation without Value (the request was unsigned).
    """
    now = now or datetime.now(timezone.utc)
    security = _security_header(root)
    token = secrets.token_hex(16)  # one per message: each part's prefix is unique in it
    # The BST is not signed; it joins the header after signxml has signed.
    bst_id = f"X509-{token}"
    timestamp = etree.SubElement(security, f"{{{WSU}}}Timestamp")
    etree.SubElement(timestamp, f"{{{WSU}}}Created").text = timestamp_text(now)
    etree.SubElement(timestamp, f"{{{WSU}}}Expires").text = timestamp_text(now + profiel.timestamp_geldigheid)
    parts = [(root.find(f"{{{SOAP11_ENV}}}Body"), "Body"), (timestamp, "TS")]
    if signature_confirmation is not None:
        confirmation = etree.SubElement(security, f"{{{WSSE11}}}SignatureConfirmation", nsmap={"wsse11": WSSE11})
        if signature_confirmation:
            confirmation.set("Value", signature_confirmation)
        parts.append((confirmation, "SC"))
    hdr = root.find(f"{{{SOAP11_ENV}}}Header")
    seen: dict[str, int] = {}
    for h in hdr:
        if isinstance(h.tag, str) and h.tag.startswith(_WSA_OPEN):
            name = h.tag[len(_WSA_OPEN):]  # RelatesTo may occur more than once
            seen[name] = taken = seen.get(name, 0) + 1
            parts.append((h, f"{name}{taken}" if taken > 1 else name))
    # A part without an id gets one with the message's token (unique in it: nothing to look up); an
    # id it already had must name it alone, or the receiver could not tell what was signed.
    signed, existing = [], []
    for (element, prefix), prefixes in zip(parts, _qname_prefixes(root, [element for element, _ in parts])):
        part_id = element.get(_WSU_ID) or element.get("Id")
        if part_id:
            existing.append(part_id)
        signed.append((part_id or wsu_id(element, prefix, token), element, prefixes))
    if existing:
        index = IdIndex(root, ("Id",))
        for part_id in existing:
            index.resolve(f"#{part_id}", ("Id",))  # signxml's InvalidInput when ambiguous
    signature = _wsu_signer(_signature_algorithm(signer.key)).sign_elements(
        signed, key=signer.key, key_info=_key_info(bst_id))
    bst = etree.Element(f"{{{WSSE}}}BinarySecurityToken", EncodingType=BASE64, ValueType=BST_VALUE_TYPE)
    security.insert(0, bst)  # inserted first, then filled: it takes the header's wsse/wsu prefixes
    bst.set(_WSU_ID, bst_id)
    bst.text = _bst_text(signer.certificate)
    security.append(signature)
    return root


def signature_value(root: etree._Element) -> str | None:
    """The SignatureValue of the envelope's WSS signature (for SignatureConfirmation)."""
    node = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/{{{DS}}}Signature/{{{DS}}}SignatureValue")
    return "".join((node.text or "").split()) if node is not None else None
