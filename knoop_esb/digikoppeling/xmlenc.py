"""XML Encryption of soap:Body for Digikoppeling 2W-be-SE (WB005, WB006, WB012, ENC001-004).

Only the *content* of soap:Body is encrypted (Type=Content; the Body keeps its wsu:Id so the
signature reference still resolves), after signing; on receipt it is decrypted before verifying.
Content: AES-256-GCM (XML-Enc 1.1: IV ‖ ciphertext ‖ tag). Key transport: RSA-OAEP
(rsa-oaep-mgf1p; digest per profile, default SHA-1 for interoperability) in an xenc:EncryptedKey inside wsse:Security that names the
recipient's certificate (X509IssuerSerial) and lists the EncryptedData in a ReferenceList.

cryptography does the primitives; lxml the structure.
"""
from __future__ import annotations

import base64
import os
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from knoop_esb.digikoppeling.errors import (
    AlgoritmeNietToegestaan, OntsleutelingMislukt, VersleutelingVereist,
)
from knoop_esb.digikoppeling.profiles import AES128_GCM, AES256_GCM, RSA_OAEP_MGF1P, SHA1, WusProfiel
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSSE, XENC, XENC11

__all__ = ["encrypt_body", "decrypt_body", "is_encrypted"]

CONTENT = f"{XENC}Content"
ELEMENT = f"{XENC}Element"
_DIGESTS = {
    SHA1: hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}
_MGFS = {
    f"{XENC11}mgf1sha1": hashes.SHA1, f"{XENC11}mgf1sha256": hashes.SHA256, f"{XENC11}mgf1sha512": hashes.SHA512,
}
_KEY_BYTES = {AES256_GCM: 32, AES128_GCM: 16}


def _x(name: str) -> str:
    return f"{{{XENC}}}{name}"


def is_encrypted(root: etree._Element) -> bool:
    return root.find(f"{{{SOAP11_ENV}}}Body/{_x('EncryptedData')}") is not None


def _key_reference(recipient: x509.Certificate) -> etree._Element:
    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    token_ref = etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference", nsmap={"wsse": WSSE})
    issuer_serial = etree.SubElement(etree.SubElement(token_ref, f"{{{DS}}}X509Data"), f"{{{DS}}}X509IssuerSerial")
    etree.SubElement(issuer_serial, f"{{{DS}}}X509IssuerName").text = recipient.issuer.rfc4514_string()
    etree.SubElement(issuer_serial, f"{{{DS}}}X509SerialNumber").text = str(recipient.serial_number)
    return key_info


def encrypt_body(root: etree._Element, recipient: x509.Certificate, profiel: WusProfiel) -> etree._Element:
    """Encrypt the content of soap:Body of a (signed) envelope for ``recipient``; in place."""
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
    if security is None:
        raise ValueError("sign the envelope before encrypting it (WB006: sign first, then encrypt)")
    algorithm = profiel.data_algoritmen[0]
    key = os.urandom(_KEY_BYTES[algorithm])
    plaintext = (body.text or "").encode() + b"".join(etree.tostring(child) for child in body)
    iv = os.urandom(12)
    cipher_value = iv + AESGCM(key).encrypt(iv, plaintext, None)
    data_id = f"ED-{uuid.uuid4().hex}"
    encrypted_data = etree.Element(_x("EncryptedData"), {"Id": data_id, "Type": CONTENT}, nsmap={"xenc": XENC})
    etree.SubElement(encrypted_data, _x("EncryptionMethod"), Algorithm=algorithm)
    etree.SubElement(etree.SubElement(encrypted_data, _x("CipherData")), _x("CipherValue")).text = \
        base64.b64encode(cipher_value).decode()
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(encrypted_data)

    public_key = recipient.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("2W-be-SE key transport needs an RSA recipient certificate")
    encrypted_key = etree.Element(_x("EncryptedKey"), {"Id": f"EK-{uuid.uuid4().hex}"}, nsmap={"xenc": XENC})
    method = etree.SubElement(encrypted_key, _x("EncryptionMethod"), Algorithm=RSA_OAEP_MGF1P)
    if profiel.oaep_digest != SHA1:
        etree.SubElement(method, f"{{{DS}}}DigestMethod", Algorithm=profiel.oaep_digest, nsmap={"ds": DS})
    encrypted_key.append(_key_reference(recipient))
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=_DIGESTS[profiel.oaep_digest](), label=None)
    wrapped = public_key.encrypt(key, oaep)
    etree.SubElement(etree.SubElement(encrypted_key, _x("CipherData")), _x("CipherValue")).text = \
        base64.b64encode(wrapped).decode()
    etree.SubElement(etree.SubElement(encrypted_key, _x("ReferenceList")), _x("DataReference"), URI=f"#{data_id}")
    # Before the Signature: a receiver processing the header in order decrypts, then verifies.
    signature = security.find(f"{{{DS}}}Signature")
    if signature is not None:
        signature.addprevious(encrypted_key)
    else:
        security.append(encrypted_key)
    return root


def _b64(element: etree._Element | None, what: str) -> bytes:
    if element is None:
        raise OntsleutelingMislukt(f"{what} is missing")
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except ValueError:
        raise OntsleutelingMislukt(f"{what} is not base64") from None


def _find_encrypted_key(root: etree._Element, encrypted_data: etree._Element) -> etree._Element:
    embedded = encrypted_data.find(f"{{{DS}}}KeyInfo/{_x('EncryptedKey')}")
    if embedded is not None:
        return embedded
    data_id = encrypted_data.get("Id")
    security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
    for candidate in security.findall(_x("EncryptedKey")) if security is not None else ():
        uris = {r.get("URI") for r in candidate.findall(f"{_x('ReferenceList')}/{_x('DataReference')}")}
        if f"#{data_id}" in uris:
            return candidate
    raise OntsleutelingMislukt(f"no xenc:EncryptedKey in wsse:Security refers to EncryptedData {data_id}")


def _unwrap_key(encrypted_key: etree._Element, private_key: rsa.RSAPrivateKey, profiel: WusProfiel) -> bytes:
    method = encrypted_key.find(_x("EncryptionMethod"))
    algorithm = method.get("Algorithm") if method is not None else None
    if algorithm not in profiel.sleuteltransport_algoritmen:
        raise AlgoritmeNietToegestaan(f"key transport {algorithm} is not allowed (RSA-OAEP required)", regel="ENC004")
    digest_node = method.find(f"{{{DS}}}DigestMethod")
    digest_uri = digest_node.get("Algorithm") if digest_node is not None else SHA1
    mgf_node = method.find(f"{{{XENC11}}}MGF")
    mgf_uri = mgf_node.get("Algorithm") if mgf_node is not None else f"{XENC11}mgf1sha1"
    if algorithm == RSA_OAEP_MGF1P:
        mgf_uri = f"{XENC11}mgf1sha1"
    if digest_uri not in _DIGESTS or mgf_uri not in _MGFS:
        raise AlgoritmeNietToegestaan(f"RSA-OAEP digest {digest_uri} / MGF {mgf_uri} not supported", regel="ENC004")
    params = method.find(_x("OAEPparams"))
    label = _b64(params, "OAEPparams") if params is not None else None
    wrapped = _b64(encrypted_key.find(f"{_x('CipherData')}/{_x('CipherValue')}"), "EncryptedKey CipherValue")
    try:
        return private_key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(_MGFS[mgf_uri]()),
                                                         algorithm=_DIGESTS[digest_uri](), label=label))
    except ValueError:
        raise OntsleutelingMislukt("the content key was not encrypted for this node's certificate") from None


def _plaintext_nodes(body: etree._Element, plaintext: bytes) -> etree._Element:
    """Parse decrypted content in the namespace context of soap:Body (the sender's serialisation
    may rely on prefixes declared on Envelope)."""
    from xml.sax.saxutils import quoteattr

    from knoop_esb.stuf import xmlparse
    from knoop_esb.stuf.fouten import StufFout

    declarations = " ".join(f"xmlns:{p}={quoteattr(uri)}" if p else f"xmlns={quoteattr(uri)}"
                            for p, uri in body.nsmap.items())
    try:
        return xmlparse.parse(f"<w {declarations}>".encode() + plaintext + b"</w>", max_bytes=None)
    except StufFout as exc:
        raise OntsleutelingMislukt(f"decrypted Body is not well-formed XML: {exc.omschrijving}") from None


def decrypt_body(root: etree._Element, private_key: rsa.RSAPrivateKey, profiel: WusProfiel) -> bool:
    """Decrypt soap:Body in place (WB006: before verifying). Returns whether it was encrypted."""
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    if header is not None and header.find(f".//{_x('EncryptedData')}") is not None:
        raise OntsleutelingMislukt("only soap:Body may be encrypted (WB005), found xenc:EncryptedData in the Header")
    encrypted = body.findall(_x("EncryptedData"))
    if not encrypted:
        if profiel.versleuteld:
            raise VersleutelingVereist(f"profile {profiel.naam} requires an encrypted soap:Body (xenc:EncryptedData)")
        return False
    for encrypted_data in encrypted:
        method = encrypted_data.find(_x("EncryptionMethod"))
        algorithm = method.get("Algorithm") if method is not None else None
        if algorithm not in profiel.data_algoritmen:
            raise AlgoritmeNietToegestaan(f"content encryption {algorithm} is not allowed (AES-GCM required)", regel="ENC003")
        key = _unwrap_key(_find_encrypted_key(root, encrypted_data), private_key, profiel)
        if len(key) != _KEY_BYTES[algorithm]:
            raise OntsleutelingMislukt(f"content key has {len(key)} bytes, {algorithm} needs {_KEY_BYTES[algorithm]}")
        cipher_value = _b64(encrypted_data.find(f"{_x('CipherData')}/{_x('CipherValue')}"), "EncryptedData CipherValue")
        try:
            plaintext = AESGCM(key).decrypt(cipher_value[:12], cipher_value[12:], None)
        except InvalidTag:
            raise OntsleutelingMislukt("AES-GCM authentication failed: the encrypted Body was changed") from None
        wrapper = _plaintext_nodes(body, plaintext)
        _replace(encrypted_data, wrapper)
    return True


def _replace(encrypted_data: etree._Element, wrapper: etree._Element) -> None:
    parent = encrypted_data.getparent()
    index = parent.index(encrypted_data)
    previous = encrypted_data.getprevious()
    if wrapper.text:
        if previous is not None:
            previous.tail = (previous.tail or "") + wrapper.text
        else:
            parent.text = (parent.text or "") + wrapper.text
    tail = encrypted_data.tail
    parent.remove(encrypted_data)
    children = list(wrapper)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if tail:
        if children:
            children[-1].tail = (children[-1].tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
