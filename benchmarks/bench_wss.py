"""WS-Security cost per message on a realistic ~9 KB nnpLa01 response envelope: signing and
verifying with signxml (what the node uses) against python-xmlsec (libxmlsec1) as the reference,
plus 2W-be-SE encryption/decryption. ``verify_signxml_ms`` is ``verify_envelope`` without the
certificate check; that check (``verify_chain_ms``) is the node's ``TrustStore``, which remembers a
verified certificate for 30 s while CAs and CRLs are unchanged, so per message it is a cache hit."""
from __future__ import annotations

import datetime as dt
import statistics
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from knoop_esb.digikoppeling import envelope, wsa, xmlenc
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSA, WSSE, WSU

OIN = "00000099000000000000"
S = profiel("2W-be-S")
SE = profiel("2W-be-SE")


def _identity() -> Ondertekenaar:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bench"), x509.NameAttribute(NameOID.SERIAL_NUMBER, OIN)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return Ondertekenaar(key, cert)


def _envelope() -> etree._Element:
    from tests.fixtures.wss import envelope as make_envelope, la01_body

    headers = wsa.response_headers(wsa.Addressing(message_id="urn:uuid:req"), action="urn:a", message_id="urn:uuid:r")
    headers.insert(0, wsa.request_headers(to=f"{wsa.ANONYMOUS}", action="x", message_id="y")[0])
    return make_envelope(la01_body(objecten=8), headers=headers)


def _per_message_ms(fn, n: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - started) / n * 1000)
    return statistics.median(runs)


def _xmlsec_sign(template: bytes, key_pem: bytes):
    import xmlsec

    def sign():
        root = etree.fromstring(template)
        security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
        old = security.find(f"{{{DS}}}Signature")
        security.remove(old)
        signature = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
        security.append(signature)
        ctx = xmlsec.SignatureContext()
        for element in _referenced(root):
            ctx.register_id(element, "Id", WSU)
            ref = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri=f"#{element.get(f'{{{WSU}}}Id')}")
            xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
        ctx.key = xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM)
        ctx.sign(signature)
        return root

    return sign


def _referenced(root):
    yield root.find(f"{{{SOAP11_ENV}}}Body")
    yield root.find(f".//{{{WSU}}}Timestamp")
    yield from root.find(f"{{{SOAP11_ENV}}}Header").iterchildren(f"{{{WSA}}}*")


def _xmlsec_verify(raw: bytes, cert_pem: bytes):
    import xmlsec

    def verify():
        root = etree.fromstring(raw)
        ctx = xmlsec.SignatureContext()
        for element in _referenced(root):
            ctx.register_id(element, "Id", WSU)
        ctx.key = xmlsec.Key.from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM)
        ctx.verify(root.find(f".//{{{DS}}}Signature"))

    return verify


def run() -> dict:
    me = _identity()
    template = etree.tostring(_envelope())
    key_pem = me.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    cert_pem = me.certificate.public_bytes(serialization.Encoding.PEM)

    def sign() -> bytes:
        return etree.tostring(sign_envelope(etree.fromstring(template), me, S))

    signed = sign()

    def verify():
        verify_envelope(envelope.parse(signed), S, vertrouwen=lambda cert: OIN, peer_oin=OIN)

    def encrypt() -> bytes:
        root = etree.fromstring(signed)
        return etree.tostring(xmlenc.encrypt_body(root, me.certificate, SE))

    encrypted = encrypt()

    def decrypt():
        xmlenc.decrypt_body(envelope.parse(encrypted), me.key, SE)

    def parse_only():
        envelope.parse(signed)

    n = 200
    figures = {
        "_doc": __doc__,
        "unsigned_envelope_bytes": len(template),
        "signed_envelope_bytes": len(signed),
        "parse_only_ms": _per_message_ms(parse_only, n),
        "sign_signxml_ms": _per_message_ms(sign, n),
        "verify_signxml_ms": _per_message_ms(verify, n),
        "encrypt_ms": _per_message_ms(encrypt, n),
        "decrypt_ms": _per_message_ms(decrypt, n),
    }
    try:
        figures["sign_xmlsec_ms"] = _per_message_ms(_xmlsec_sign(signed, key_pem), n)
        figures["verify_xmlsec_ms"] = _per_message_ms(_xmlsec_verify(signed, cert_pem), n)
    except ImportError:
        figures["xmlsec"] = "python-xmlsec not installed"
    figures["verify_chain_ms"] = _chain_ms()
    return figures


def _chain_ms() -> float:
    """The signer certificate check (4-level chain, CRLs, OIN) of the example PKI, per message."""
    import tempfile
    from pathlib import Path

    from knoop_esb.digikoppeling.certificates import TrustStore
    from tests.fixtures.pki import make_test_pki

    with tempfile.TemporaryDirectory() as tmp:
        pki = make_test_pki(Path(tmp))
        store = TrustStore(pki.ca, pki.crls)
        cert = pki.certificate("afnemer-signed")
        return _per_message_ms(lambda: store.verify(cert), 100)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
