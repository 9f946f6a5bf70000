"""Interop with independent WS-Security stacks (libxmlsec1 through python-xmlsec, the xmlsec1 CLI,
and zeep's xmlsec-based BinarySignature), in both directions.

- our signature verifies in python-xmlsec and in ``xmlsec1 --verify``;
- a signature made by python-xmlsec over Body, Timestamp and every WS-A header verifies with us;
- zeep's BinarySignature (RSA-SHA256/SHA256) signs only Body + Timestamp: the cryptography is
  accepted, but as soon as WS-A headers are present we refuse it (WB004, "not signed: wsa:To, ...");
- our 2W-be-SE encryption decrypts in python-xmlsec, and python-xmlsec's encryption decrypts with us.
"""
import base64
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from knoop_esb.digikoppeling import envelope, errors, signing, wsa, xmlenc
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSA, WSSE, WSU, XENC
from tests.fixtures.wss import SIGNED_OIN, envelope as make_envelope, la01_body, lv01_body, request_envelope

xmlsec = pytest.importorskip("xmlsec")
S = profiel("2W-be-S")
SE = profiel("2W-be-SE")


def _id_elements(root):
    security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
    yield root.find(f"{{{SOAP11_ENV}}}Body")
    yield from root.find(f"{{{SOAP11_ENV}}}Header").iterchildren(f"{{{WSA}}}*")
    yield from security.iter(f"{{{WSU}}}Timestamp", f"{{{WSSE}}}BinarySecurityToken")


def _signed_request(wss_pki) -> bytes:
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    return etree.tostring(root)


def test_WB007_our_signature_verifies_in_python_xmlsec(wss_pki):
    root = etree.fromstring(_signed_request(wss_pki))
    ctx = xmlsec.SignatureContext()
    for element in _id_elements(root):
        ctx.register_id(element, "Id", WSU)
    ctx.key = xmlsec.Key.from_file(str(wss_pki.dir / "afnemer-signed.pem"), xmlsec.KeyFormat.CERT_PEM)
    ctx.verify(root.find(f".//{{{DS}}}Signature"))  # raises xmlsec.Error when invalid


def test_WB007_our_tampered_signature_fails_in_python_xmlsec(wss_pki):
    raw = _signed_request(wss_pki).replace(b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>")
    root = etree.fromstring(raw)
    ctx = xmlsec.SignatureContext()
    for element in _id_elements(root):
        ctx.register_id(element, "Id", WSU)
    ctx.key = xmlsec.Key.from_file(str(wss_pki.dir / "afnemer-signed.pem"), xmlsec.KeyFormat.CERT_PEM)
    with pytest.raises(xmlsec.Error):
        ctx.verify(root.find(f".//{{{DS}}}Signature"))


def _xmlsec1(args, tmp_path, raw):
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 CLI not installed (apt-get install xmlsec1; CI installs it)")
    path = tmp_path / "signed.xml"
    path.write_bytes(raw)
    ids = []
    for tag in (f"{SOAP11_ENV}:Body", f"{WSU}:Timestamp", f"{WSSE}:BinarySecurityToken",
                *(f"{WSA}:{name}" for name in ("To", "Action", "MessageID", "From", "ReplyTo"))):
        ids += ["--id-attr:Id", tag]
    return subprocess.run(["xmlsec1", "--verify", *args, *ids, str(path)], capture_output=True, text=True)


def test_WB007_our_signature_verifies_in_xmlsec1_cli(wss_pki, tmp_path):
    result = _xmlsec1(["--pubkey-cert-pem", str(wss_pki.dir / "afnemer-signed.pem")], tmp_path,
                      _signed_request(wss_pki))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr


def test_WB007_tampered_signature_fails_in_xmlsec1_cli(wss_pki, tmp_path):
    raw = _signed_request(wss_pki).replace(b"BeantwoordVraag?OIN=", b"BeantwoordVraag2?OIN=")
    result = _xmlsec1(["--pubkey-cert-pem", str(wss_pki.dir / "afnemer-signed.pem")], tmp_path, raw)
    assert result.returncode != 0


def _xmlsec_sign(root, wss_pki, parts, inclusive: list[str] | None = None):
    """Sign with python-xmlsec: BST + STR, exc-c14n, RSA-SHA256/SHA256, a reference per part."""
    security = etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header"), f"{{{WSSE}}}Security",
                                nsmap={"wsse": WSSE, "wsu": WSU})
    cert = wss_pki.certificate("afnemer-signed")
    bst = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken", EncodingType=signing.BASE64,
                           ValueType=signing.BST_VALUE_TYPE)
    bst.text = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    bst.set(f"{{{WSU}}}Id", "X509-xmlsec")
    now = datetime.now(timezone.utc)
    timestamp = etree.SubElement(security, f"{{{WSU}}}Timestamp", {f"{{{WSU}}}Id": "TS-xmlsec"})
    etree.SubElement(timestamp, f"{{{WSU}}}Created").text = signing.timestamp_text(now)
    etree.SubElement(timestamp, f"{{{WSU}}}Expires").text = signing.timestamp_text(now + timedelta(minutes=5))
    signature = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    security.append(signature)
    if inclusive:
        # WSS4J/.NET style: a PrefixList on SignedInfo's CanonicalizationMethod too.
        xmlsec.template.transform_add_c14n_inclusive_namespaces(
            signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod"), inclusive)
    ctx = xmlsec.SignatureContext()
    for element in parts(root, timestamp):
        ref_id = signing.wsu_id(element, "xs")
        ctx.register_id(element, "Id", WSU)
        ref = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri=f"#{ref_id}")
        transform = xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
        if inclusive:
            xmlsec.template.transform_add_c14n_inclusive_namespaces(transform, inclusive)
    key_info = xmlsec.template.ensure_key_info(signature)
    token_ref = etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference")
    etree.SubElement(token_ref, f"{{{WSSE}}}Reference", URI="#X509-xmlsec", ValueType=signing.BST_VALUE_TYPE)
    ctx.key = xmlsec.Key.from_file(str(wss_pki.dir / "afnemer-signed.key"), xmlsec.KeyFormat.PEM)
    ctx.sign(signature)
    return etree.tostring(root)


def _all_parts(root, timestamp):
    yield root.find(f"{{{SOAP11_ENV}}}Body")
    yield timestamp
    yield from root.find(f"{{{SOAP11_ENV}}}Header").iterchildren(f"{{{WSA}}}*")


def test_WB004_python_xmlsec_signature_over_all_parts_accepted(wss_pki):
    raw = _xmlsec_sign(request_envelope(), wss_pki, _all_parts)
    result = verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert result.signer_oin == SIGNED_OIN and len(result.signed_ids) == 7


def test_WB013_python_xmlsec_signature_that_also_signs_the_bst_accepted(wss_pki):
    """WSS4J signs the BinarySecurityToken too; the verifier must keep it in the tree for signxml
    then (it sets unreferenced tokens aside while signxml works)."""
    def with_bst(root, timestamp):
        yield from _all_parts(root, timestamp)
        yield timestamp.getparent().find(f"{{{WSSE}}}BinarySecurityToken")

    raw = _xmlsec_sign(request_envelope(), wss_pki, with_bst)
    result = verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert "X509-xmlsec" in result.signed_ids and len(result.signed_ids) == 8
    tampered = raw.replace(b'wsu:Id="X509-xmlsec"', b'wsu:Id="X509-xmlsec" Extra="1"')
    assert tampered != raw
    with pytest.raises(errors.GewijzigdeInhoud):
        verify_envelope(envelope.parse(tampered), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)


def test_WB007_inclusive_namespaces_on_signed_info_accepted(wss_pki):
    """Peers like WSS4J (DUO/Edukoppeling) put an InclusiveNamespaces PrefixList on SignedInfo."""
    raw = _xmlsec_sign(request_envelope(), wss_pki, _all_parts, inclusive=["soapenv", "wsa", "BG"])
    assert b"InclusiveNamespaces" in raw
    result = verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert result.signer_oin == SIGNED_OIN
    tampered = raw.replace(b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>")
    with pytest.raises(errors.GewijzigdeInhoud):
        verify_envelope(envelope.parse(tampered), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)


def _zeep_binary_signature(wss_pki, root):
    from zeep.wsse.signature import BinarySignature

    # zeep signs a Timestamp only when one is already there.
    security = etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header"), f"{{{WSSE}}}Security",
                                nsmap={"wsse": WSSE, "wsu": WSU})
    now = datetime.now(timezone.utc)
    timestamp = etree.SubElement(security, f"{{{WSU}}}Timestamp")
    etree.SubElement(timestamp, f"{{{WSU}}}Created").text = signing.timestamp_text(now)
    etree.SubElement(timestamp, f"{{{WSU}}}Expires").text = signing.timestamp_text(now + timedelta(minutes=5))
    signer = BinarySignature(str(wss_pki.dir / "afnemer-signed.key"), str(wss_pki.dir / "afnemer-signed.pem"),
                             signature_method=xmlsec.Transform.RSA_SHA256, digest_method=xmlsec.Transform.SHA256)
    signed, _ = signer.apply(root, {})
    return etree.tostring(signed)


def test_WB004_zeep_binary_signature_refused_because_wsa_headers_unsigned(wss_pki):
    """zeep's stock BinarySignature covers Body + Timestamp only: not Digikoppeling-compliant."""
    raw = _zeep_binary_signature(wss_pki, request_envelope())
    with pytest.raises(errors.OnvolledigeOndertekening) as info:
        verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert "wsa:To, wsa:Action, wsa:MessageID" in info.value.reden


def test_WB013_zeep_binary_signature_cryptography_interoperates(wss_pki):
    """Without WS-A headers zeep's coverage is complete: its signature verifies with us."""
    raw = _zeep_binary_signature(wss_pki, make_envelope(lv01_body()))
    result = verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert result.signer_oin == SIGNED_OIN


def _signed_encrypted_response(wss_pki):
    root = make_envelope(la01_body(), headers=wsa.response_headers(
        wsa.Addressing(message_id="urn:uuid:req"), action="urn:a", message_id="urn:uuid:resp"))
    signing.sign_envelope(root, wss_pki.ondertekenaar("server"), SE)
    plain_body = etree.tostring(root.find(f"{{{SOAP11_ENV}}}Body"), method="c14n", exclusive=True)
    xmlenc.encrypt_body(root, wss_pki.certificate("afnemer-signed"), SE)
    return etree.tostring(root), plain_body


def test_ENC003_our_encryption_decrypts_in_python_xmlsec(wss_pki):
    raw, plain_body = _signed_encrypted_response(wss_pki)
    root = etree.fromstring(raw)
    ctx = xmlsec.EncryptionContext()
    ctx.key = xmlsec.Key.from_file(str(wss_pki.dir / "afnemer-signed.key"), xmlsec.KeyFormat.PEM)
    key = ctx.decrypt(root.find(f".//{{{XENC}}}EncryptedKey"))
    data_ctx = xmlsec.EncryptionContext()
    data_ctx.key = xmlsec.Key.from_binary_data(xmlsec.KeyData.AES, key)
    data_ctx.decrypt(root.find(f".//{{{XENC}}}EncryptedData"))
    assert etree.tostring(root.find(f"{{{SOAP11_ENV}}}Body"), method="c14n", exclusive=True) == plain_body


def test_ENC004_python_xmlsec_encryption_decrypts_with_us(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), SE)
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    template = xmlsec.template.encrypted_data_create(root, xmlsec.Transform.AES256_GCM, type=xmlsec.EncryptionType.CONTENT,
                                                     ns="xenc")
    xmlsec.template.encrypted_data_ensure_cipher_value(template)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(template, ns="ds")
    encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.Transform.RSA_OAEP)
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)
    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_file(str(wss_pki.dir / "server.pem"), xmlsec.KeyFormat.CERT_PEM))
    ctx = xmlsec.EncryptionContext(manager)
    ctx.key = xmlsec.Key.generate(xmlsec.KeyData.AES, 256, xmlsec.KeyDataType.SESSION)
    ctx.encrypt_xml(template, body)
    received = envelope.parse(etree.tostring(root))
    assert xmlenc.decrypt_body(received, wss_pki.ondertekenaar("server").key, SE) is True
    result = verify_envelope(received, SE, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    assert result.signer_oin == SIGNED_OIN


def test_ENC003_our_encryption_decrypts_in_xmlsec1_cli(wss_pki, tmp_path):
    """xmlsec1 follows neither a WSS ReferenceList nor a SecurityTokenReference, so the EncryptedKey
    is moved into the EncryptedData's KeyInfo (where XML-Enc processors look) without its STR;
    its EncryptionMethod and CipherValue are ours, unchanged."""
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 CLI not installed (apt-get install xmlsec1; CI installs it)")
    raw, plain_body = _signed_encrypted_response(wss_pki)
    root = etree.fromstring(raw)
    encrypted_key = root.find(f".//{{{XENC}}}EncryptedKey")
    encrypted_data = root.find(f".//{{{XENC}}}EncryptedData")
    encrypted_key.remove(encrypted_key.find(f"{{{DS}}}KeyInfo"))
    etree.SubElement(encrypted_data, f"{{{DS}}}KeyInfo", nsmap={"ds": DS}).append(encrypted_key)
    encrypted_data.insert(1, encrypted_data[-1])  # KeyInfo after EncryptionMethod, before CipherData
    path = tmp_path / "encrypted.xml"
    path.write_bytes(etree.tostring(root))
    result = subprocess.run(["xmlsec1", "--decrypt", "--privkey-pem", str(wss_pki.dir / "afnemer-signed.key"),
                             str(path)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    decrypted = etree.fromstring(result.stdout)
    assert etree.tostring(decrypted.find(f"{{{SOAP11_ENV}}}Body"), method="c14n", exclusive=True) == plain_body
