"""knoop_esb.digikoppeling.dsig against stock signxml: the same signatures and the same verdicts.

The subclasses only change how signxml reaches the elements it digests (an id index, no copy of the
document per reference, no copy of the Signature), so every outcome here must be the one signxml's
own XMLSigner/XMLVerifier gives."""
from __future__ import annotations

import base64
import copy
import hashlib
import re

import pytest
from lxml import etree
from signxml import (
    CanonicalizationMethod, InvalidDigest, InvalidInput, InvalidSignature, SignatureConfiguration,
    SignatureConstructionMethod, XMLSigner, XMLVerifier,
)
from signxml.signer import SignatureReference

from knoop_esb.digikoppeling.dsig import WsuSigner, WsuVerifier
from knoop_esb.digikoppeling.profiles import EXC_C14N
from knoop_esb.digikoppeling.signing import _key_info
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSA, WSSE, WSU
from tests.fixtures.wss import request_envelope

_WSU_ID = f"{{{WSU}}}Id"


def _envelope_bytes() -> bytes:
    """A request envelope with wsu:Ids on the Body and every WS-A header and an empty wsse:Security."""
    root = request_envelope()
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    root.find(f"{{{SOAP11_ENV}}}Body").set(_WSU_ID, "Body-1")
    for n, element in enumerate(header.iterchildren(f"{{{WSA}}}*")):
        element.set(_WSU_ID, f"WSA-{n}")
    # A namespace declared on the Envelope and used nowhere below it: exc-c14n renders it in a
    # referenced element only when the reference's InclusiveNamespaces name it.
    return etree.tostring(root).replace(b"<soapenv:Envelope ", b'<soapenv:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" ', 1)


_ENVELOPE = _envelope_bytes()


def _ready_envelope() -> etree._Element:
    """The same envelope each time (ids, MessageID, referentienummer), parsed as a receiver would."""
    return etree.fromstring(_ENVELOPE)


def _references(root, prefixes=None) -> list[SignatureReference]:
    ids = [e.get(_WSU_ID) for e in root.iter() if isinstance(e.tag, str) and e.get(_WSU_ID)]
    return [SignatureReference(URI=f"#{i}", c14n_method=CanonicalizationMethod(EXC_C14N), inclusive_ns_prefixes=prefixes)
            for i in ids]


def _sign(signer_class, root, identity, prefixes=None, key_info=None, **options) -> etree._Element:
    signer = signer_class(method=SignatureConstructionMethod.detached, signature_algorithm="rsa-sha256",
                          digest_algorithm="sha256", c14n_algorithm=EXC_C14N, **options)
    given = {"key_info": key_info()} if key_info is not None else {}
    return signer.sign(root, key=identity.key, reference_uri=_references(root, prefixes), id_attribute="Id", **given)


def _signed_bytes(root, identity, prefixes=None) -> bytes:
    signature = _sign(XMLSigner, root, identity, prefixes)
    root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security").append(signature)
    return etree.tostring(root)


def _outcome(verifier_class, raw: bytes, certificate, n_refs: int):
    """('ok', signed data per reference) or (error class, message) — what a verifier concluded."""
    config = SignatureConfiguration(expect_references=n_refs, location=f"./{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/")
    try:
        results = verifier_class().verify(etree.fromstring(raw), x509_cert=certificate, id_attribute="Id",
                                          expect_config=config, validate_schema=False)
    except (InvalidDigest, InvalidSignature, InvalidInput) as exc:
        return type(exc).__name__, str(exc)
    return "ok", [r.signed_data for r in results]


@pytest.fixture(scope="module")
def identity(wss_pki):
    return wss_pki.ondertekenaar("afnemer-signed")


@pytest.mark.parametrize("key_info", [None, lambda: _key_info("X509-1")], ids=["signxml-keyinfo", "wss-keyinfo"])
@pytest.mark.parametrize("prefixes", [None, ["soapenv", "xsd"]])
def test_WB008_signature_is_byte_identical_to_stock_signxml(identity, prefixes, key_info):
    """signxml's sign() with the overridden parts, with and without a KeyInfo given (the STR a
    WS-Security signature carries)."""
    root = _ready_envelope()
    before = etree.tostring(root)
    ours = etree.tostring(_sign(WsuSigner, root, identity, prefixes, key_info))
    assert etree.tostring(root) == before  # detached signing leaves the document alone
    stock = etree.tostring(_sign(XMLSigner, _ready_envelope(), identity, prefixes, key_info))
    assert ours == stock



@pytest.mark.parametrize("prefixes", [None, ["soapenv", "xsd"]])
def test_WB008_sign_elements_signs_like_stock_signxml(identity, prefixes):
    """The parts handed over with their ids give signxml's signature of those references, from
    one signer used for several messages."""
    signer = WsuSigner(method=SignatureConstructionMethod.detached, signature_algorithm="rsa-sha256",
                       digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
    for _ in range(2):
        root = _ready_envelope()
        parts = [(e.get(_WSU_ID), e, prefixes or []) for e in root.iter() if isinstance(e.tag, str) and e.get(_WSU_ID)]
        ours = etree.tostring(signer.sign_elements(parts, key=identity.key, key_info=_key_info("X509-1")))
        stock = etree.tostring(_sign(XMLSigner, _ready_envelope(), identity, prefixes, lambda: _key_info("X509-1")))
        assert ours == stock


def _unchanged(raw):
    return raw


def _tamper_body(raw):
    return raw.replace(b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>")


def _tamper_action(raw):
    return raw.replace(b"/nnpLv01</wsa:Action>", b"/vesLv01</wsa:Action>")


def _duplicate_id(raw):
    # signature wrapping: a second element carrying the Body's id, outside the Body
    return raw.replace(b"</soapenv:Header>", b'<x:Extra xmlns:x="urn:x" Id="Body-1">evil</x:Extra></soapenv:Header>')


def _dangling_reference(raw):
    return raw.replace(b'wsu:Id="WSA-0"', b'wsu:Id="WSA-gone"')


def _tamper_signed_info(raw):
    return raw.replace(b"#WSA-1", b"#Body-1", 1)


def _whitespace_outside_references(raw):
    return raw.replace(b"<wsse:Security", b"\n  <wsse:Security")


def _without(tag):
    def change(raw):
        changed = re.sub(rb"<ds:%s\b[^>]*/>|<ds:%s\b.*?</ds:%s>" % (tag, tag, tag), b"", raw, count=1, flags=re.S)
        assert changed != raw
        return changed
    change.__name__ = f"_without_{tag.decode()}"
    return change


@pytest.mark.parametrize("change", [
    _unchanged, _tamper_body, _tamper_action, _duplicate_id, _dangling_reference, _tamper_signed_info,
    _whitespace_outside_references, _without(b"SignedInfo"), _without(b"SignatureValue"),
    _without(b"SignatureMethod"),
], ids=["valid", "body", "action", "duplicate-id", "dangling", "signedinfo", "whitespace", "no-signedinfo",
        "no-signaturevalue", "no-signaturemethod"])
@pytest.mark.parametrize("prefixes", [None, ["xsd"]], ids=["plain", "inclusive-ns"])
def test_WB013_verdict_equals_stock_signxml(identity, change, prefixes):
    root = _ready_envelope()
    n_refs = len(_references(root))
    raw = change(_signed_bytes(root, identity, prefixes))
    ours = _outcome(WsuVerifier, raw, identity.certificate, n_refs)
    assert ours == _outcome(XMLVerifier, raw, identity.certificate, n_refs)
    if change in (_unchanged, _whitespace_outside_references):
        assert ours[0] == "ok"
    if change in (_tamper_body, _tamper_action):
        assert ours[0] == "InvalidDigest"
    if change is _duplicate_id:
        assert ours[0] == "InvalidInput" and "Ambiguous" in ours[1]
    if change.__name__.startswith("_without_"):
        assert ours[0] == "InvalidInput" and change.__name__.removeprefix("_without_") in ours[1]



def _verdict(outcome):
    # signxml's certificate messages end in the moment of checking, which differs per call.
    kind, detail = outcome
    return kind, detail if kind == "ok" else detail.split(" at validation time")[0]


@pytest.mark.parametrize("signer, given", [("afnemer-demo", "afnemer-signed"), ("expired", "expired")],
                         ids=["other-certificate", "expired-certificate"])
def test_WB013_certificate_verdict_equals_stock_signxml(wss_pki, signer, given):
    root = _ready_envelope()
    raw = _signed_bytes(root, wss_pki.ondertekenaar(signer))
    certificate = wss_pki.certificate(given)
    ours = _outcome(WsuVerifier, raw, certificate, len(_references(root)))
    assert _verdict(ours) == _verdict(_outcome(XMLVerifier, raw, certificate, len(_references(root))))
    assert ours[0] == ("InvalidSignature" if signer != given else "InvalidCertificate")

def test_WB008_inclusive_prefix_of_an_ancestor_is_rendered(identity):
    """The case signxml's copy exists for: the namespace is in scope only through the Envelope."""
    root = _ready_envelope()
    signature = _sign(WsuSigner, root, identity, ["xsd"])
    body_digest = signature.find(f".//{{{DS}}}Reference[@URI='#Body-1']/{{{DS}}}DigestValue").text
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    with_xsd = etree.tostring(body, method="c14n", exclusive=True, inclusive_ns_prefixes=["xsd"])
    assert b'xmlns:xsd="http://www.w3.org/2001/XMLSchema"' in with_xsd
    assert body_digest == base64.b64encode(hashlib.sha256(with_xsd).digest()).decode()


def test_WB013_verifier_leaves_the_received_tree_unchanged(identity):
    raw = _signed_bytes(_ready_envelope(), identity)
    root = etree.fromstring(raw)
    config = SignatureConfiguration(expect_references=len(_references(root)),
                                    location=f"./{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/")
    WsuVerifier().verify(root, x509_cert=identity.certificate, id_attribute="Id", expect_config=config,
                         validate_schema=False)
    assert etree.tostring(root) == raw


def test_enveloped_reference_takes_signxml_own_path(identity):
    """An enveloped signature (not WS-Security, but the class must stay right for it) verifies the same."""
    document = etree.fromstring(b'<doc xmlns="urn:d" Id="d1"><a>1</a></doc>')
    signed = etree.tostring(XMLSigner(c14n_algorithm=EXC_C14N).sign(copy.deepcopy(document), key=identity.key,
                                                                   reference_uri="#d1"))
    for raw in (signed, signed.replace(b"<a>1</a>", b"<a>2</a>")):
        outcomes = [_enveloped(cls, raw, identity) for cls in (WsuVerifier, XMLVerifier)]
        assert outcomes[0] == outcomes[1]
    assert _enveloped(WsuVerifier, signed, identity)[0] == "ok"
    assert _enveloped(WsuVerifier, signed.replace(b"<a>1</a>", b"<a>2</a>"), identity)[0] == "InvalidDigest"


def _enveloped(verifier_class, raw, identity):
    try:
        result = verifier_class().verify(etree.fromstring(raw), x509_cert=identity.certificate, id_attribute="Id",
                                         validate_schema=False)
    except (InvalidDigest, InvalidSignature, InvalidInput) as exc:
        return type(exc).__name__, str(exc)
    return "ok", result.signed_data


def test_signer_refuses_other_construction_methods():
    with pytest.raises(ValueError, match="detached only"):
        WsuSigner(method=SignatureConstructionMethod.enveloped)
