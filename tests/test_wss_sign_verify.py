"""WS-Security 2W-be-S: our signer's layout and the verifier's refusals (WB002-WB014, SIGN001-004)."""
import base64
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from knoop_esb.digikoppeling import envelope, errors, signing
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSA, WSSE, WSSE11, WSU
from tests.fixtures.wss import SIGNED_OIN, request_envelope

S = profiel("2W-be-S")
BE = profiel("2W-be")


def _signed(wss_pki, name="afnemer-signed", **kwargs) -> bytes:
    root = request_envelope(**kwargs)
    signing.sign_envelope(root, wss_pki.ondertekenaar(name), S)
    return etree.tostring(root)


def _verify(wss_pki, raw: bytes, prof=S, peer_oin=SIGNED_OIN, now=None):
    return verify_envelope(envelope.parse(raw), prof, vertrouwen=wss_pki.vertrouwen, peer_oin=peer_oin, now=now)


def test_WB004_layout_bst_first_one_reference_per_part(wss_pki):
    root = envelope.parse(_signed(wss_pki))
    security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
    assert security.get(f"{{{SOAP11_ENV}}}mustUnderstand") == "1"
    children = [etree.QName(c).localname for c in security]
    assert children == ["BinarySecurityToken", "Timestamp", "Signature"]
    uris = [r.get("URI") for r in security.iter(f"{{{DS}}}Reference")]
    parts = [root.find(f"{{{SOAP11_ENV}}}Body"), security.find(f"{{{WSU}}}Timestamp")]
    parts += list(root.find(f"{{{SOAP11_ENV}}}Header").iterchildren(f"{{{WSA}}}*"))
    assert sorted(uris) == sorted(f"#{p.get(f'{{{WSU}}}Id')}" for p in parts)
    assert len(uris) == 2 + 5  # Body, Timestamp, To, Action, MessageID, From, ReplyTo
    signed_info = security.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo")
    assert signed_info.find(f"{{{DS}}}SignatureMethod").get("Algorithm").endswith("rsa-sha256")
    assert {d.get("Algorithm") for d in signed_info.iter(f"{{{DS}}}DigestMethod")} == {"http://www.w3.org/2001/04/xmlenc#sha256"}
    ref = security.find(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference")
    assert ref.get("URI") == "#" + security.find(f"{{{WSSE}}}BinarySecurityToken").get(f"{{{WSU}}}Id")


def test_WB007_qname_prefix_in_attribute_value_named_per_reference(wss_pki):
    """xsi:type="q:T" uses prefix q only inside a value: exc-c14n would drop its declaration, so the
    Body's reference (and no other) lists it as InclusiveNamespaces, and the result verifies."""
    body = etree.fromstring(b'<x:a xmlns:x="urn:x" xmlns:q="urn:q" '
                            b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="q:T">1</x:a>')
    root = request_envelope(body_child=body)
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    lists = {r.get("URI").split("-")[0]: [n.get("PrefixList") for n in r.iter("{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces")]
             for r in root.iter(f"{{{DS}}}Reference")}
    assert lists.pop("#Body") == ["q"]
    assert all(prefixes == [] for prefixes in lists.values())
    result = verify_envelope(envelope.parse(etree.tostring(root)), BE, vertrouwen=wss_pki.vertrouwen, peer_oin=None)
    assert result.ondertekend


def test_WB004_ids_unique_with_repeated_wsa_header(wss_pki):
    """WS-A allows several RelatesTo: each gets its own wsu:Id."""
    root = request_envelope()
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    for n in range(2):
        etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = f"urn:uuid:{n}"
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    ids = [e.get(f"{{{WSU}}}Id") for e in header.iterchildren(f"{{{WSA}}}RelatesTo")]
    assert len(set(ids)) == 2 and ids[0].startswith("RelatesTo-") and ids[1].startswith("RelatesTo2-")
    assert verify_envelope(envelope.parse(etree.tostring(root)), BE, vertrouwen=wss_pki.vertrouwen,
                           peer_oin=None).ondertekend


def test_WB004_part_keeps_its_own_id_and_an_ambiguous_one_is_not_signed(wss_pki):
    """A part that already carries a wsu:Id is signed under it; when another element carries the
    same Id the receiver could not tell which was signed, so signing refuses."""
    from signxml import InvalidInput

    root = request_envelope()
    root.find(f"{{{SOAP11_ENV}}}Body").set(f"{{{WSU}}}Id", "Body-eigen")
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    assert "#Body-eigen" in [r.get("URI") for r in root.iter(f"{{{DS}}}Reference")]
    assert _verify(wss_pki, etree.tostring(root)).ondertekend

    root = request_envelope()
    root.find(f"{{{SOAP11_ENV}}}Body").set(f"{{{WSU}}}Id", "Body-eigen")
    etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header"), "{urn:x}Extra", Id="Body-eigen")
    with pytest.raises(InvalidInput, match="Ambiguous"):
        signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)


def test_WB013_valid_signature_accepted(wss_pki):
    result = _verify(wss_pki, _signed(wss_pki))
    assert result.ondertekend and result.signer_oin == SIGNED_OIN
    assert result.signature_value and len(result.signed_ids) == 7


def test_WB013_verified_tree_is_left_as_received(wss_pki):
    """The verifier digests the received tree itself (no copy per reference); it must not change it."""
    raw = _signed(wss_pki)
    root = envelope.parse(raw)
    before = etree.tostring(root)
    verify_envelope(root, S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
    security = root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security")
    assert [etree.QName(c).localname for c in security] == ["BinarySecurityToken", "Timestamp", "Signature"]
    assert etree.tostring(root, method="c14n") == etree.tostring(etree.fromstring(before), method="c14n")


def test_WB003_unsigned_message_refused_when_profile_signs(wss_pki):
    raw = etree.tostring(request_envelope())
    with pytest.raises(errors.OndertekeningOntbreekt):
        _verify(wss_pki, raw)
    assert _verify(wss_pki, raw, prof=BE).ondertekend is False


def test_WB003_signature_present_is_verified_even_under_2W_be(wss_pki):
    raw = _signed(wss_pki).replace(b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>")
    with pytest.raises(errors.GewijzigdeInhoud):
        _verify(wss_pki, raw, prof=BE)


@pytest.mark.parametrize("old, new, part", [
    (b"123456789</BG:inn.nnpId>", b"987654321</BG:inn.nnpId>", "soap:Body"),
    (b"BeantwoordVraag?OIN=", b"BeantwoordVraag2?OIN=", "wsa:To"),
])
def test_WB013_tampered_signed_part_refused(wss_pki, old, new, part):
    raw = _signed(wss_pki)
    assert old in raw
    with pytest.raises(errors.GewijzigdeInhoud) as info:
        _verify(wss_pki, raw.replace(old, new))
    assert info.value.stuf_code == "StUF052"
    assert f"{part} (#" in info.value.reden


def test_WB013_tampered_timestamp_refused(wss_pki):
    raw = _signed(wss_pki)
    root = envelope.parse(raw)
    expires = root.find(f".//{{{WSU}}}Expires")
    later = datetime.now(timezone.utc) + timedelta(minutes=9)
    tampered = raw.replace(expires.text.encode(), signing.timestamp_text(later).encode())
    with pytest.raises(errors.GewijzigdeInhoud, match="wsu:Timestamp"):
        _verify(wss_pki, tampered)


def test_WB002_expired_timestamp_refused(wss_pki):
    raw = _signed(wss_pki)
    with pytest.raises(errors.OngeldigeTimestamp, match="expired"):
        _verify(wss_pki, raw, now=datetime.now(timezone.utc) + timedelta(minutes=11))


def test_WB002_created_in_future_refused(wss_pki):
    raw = _signed(wss_pki)
    with pytest.raises(errors.OngeldigeTimestamp, match="future"):
        _verify(wss_pki, raw, now=datetime.now(timezone.utc) - timedelta(minutes=6))


def test_WB002_created_missing_refused(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    created = root.find(f".//{{{WSU}}}Created")
    created.getparent().remove(created)
    with pytest.raises(errors.OngeldigeTimestamp, match="Created is missing"):
        _verify(wss_pki, etree.tostring(root))


def _resign_signed_info(root, key, mutate):
    """Change SignedInfo and sign it again with the right key, so only the algorithm is wrong."""
    signed_info = root.find(f".//{{{DS}}}SignedInfo")
    mutate(signed_info)
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = key.sign(c14n, padding.PKCS1v15(), hashes.SHA1())
    root.find(f".//{{{DS}}}SignatureValue").text = base64.b64encode(value).decode()


def test_SIGN004_sha1_signature_refused(wss_pki):
    signer = wss_pki.ondertekenaar("afnemer-signed")
    root = request_envelope()
    signing.sign_envelope(root, signer, S)
    _resign_signed_info(root, signer.key, lambda si: si.find(f"{{{DS}}}SignatureMethod").set(
        "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"))
    with pytest.raises(errors.AlgoritmeNietToegestaan, match="rsa-sha1"):
        _verify(wss_pki, etree.tostring(root))


def test_SIGN003_sha1_digest_refused(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    root.find(f".//{{{DS}}}DigestMethod").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1")
    with pytest.raises(errors.AlgoritmeNietToegestaan, match="sha1"):
        _verify(wss_pki, etree.tostring(root))


def test_WB010_signer_of_other_ca_refused(wss_pki):
    raw = _signed(wss_pki, "other-ca", sender_oin="00000099000000000001")
    with pytest.raises(errors.OnbetrouwbaarCertificaat, match="untrusted"):
        _verify(wss_pki, raw, peer_oin="00000099000000000001")


def test_WB010_revoked_signer_refused(wss_pki):
    raw = _signed(wss_pki, "revoked", sender_oin="00000099000000000001")
    with pytest.raises(errors.OnbetrouwbaarCertificaat, match="revoked"):
        _verify(wss_pki, raw, peer_oin="00000099000000000001")


def test_WB010_signer_oin_differs_from_tls_oin_refused(wss_pki):
    raw = _signed(wss_pki, "afnemer-demo", sender_oin=SIGNED_OIN)
    with pytest.raises(errors.OinMismatch, match="signer OIN 00000099000000000001"):
        _verify(wss_pki, raw, peer_oin=SIGNED_OIN)


def test_WB004_unsigned_wsa_header_refused(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    # A WS-A header added after signing is not covered.
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    fault_to = etree.SubElement(header, f"{{{WSA}}}FaultTo")
    etree.SubElement(fault_to, f"{{{WSA}}}Address").text = f"{WSA}/anonymous"
    with pytest.raises(errors.OnvolledigeOndertekening, match="wsa:FaultTo"):
        _verify(wss_pki, etree.tostring(root))


def test_WB004_duplicate_id_refused(wss_pki):
    """Signature wrapping: a copy of the signed Body hidden in the header with the same Id."""
    root = envelope.parse(_signed(wss_pki))
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    wrapper = etree.SubElement(root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security"), f"{{{WSSE}}}Wrapper")
    wrapper.append(etree.fromstring(etree.tostring(body)))
    with pytest.raises(errors.DubbelId):
        _verify(wss_pki, etree.tostring(root))


def test_WB014_signature_confirmation_written_and_signed(wss_pki):
    request = _verify(wss_pki, _signed(wss_pki))
    response = request_envelope()
    signing.sign_envelope(response, wss_pki.ondertekenaar("server"), S,
                          signature_confirmation=request.signature_value)
    confirmation = response.find(f".//{{{WSSE11}}}SignatureConfirmation")
    assert confirmation.get("Value") == request.signature_value
    result = verify_envelope(envelope.parse(etree.tostring(response)), S, vertrouwen=wss_pki.vertrouwen,
                             peer_oin=None)
    assert confirmation.get(f"{{{WSU}}}Id") in result.signed_ids


def test_WB002_timestamp_created_is_utc_with_milliseconds():
    assert signing.timestamp_text(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)) == "2026-01-02T03:04:05.678Z"


@pytest.mark.parametrize("value", ["SignatureValue", "DigestValue"])
def test_an_empty_signature_or_digest_value_is_refused_as_StUF052(wss_pki, value):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    root.find(f".//{{{DS}}}{value}").text = ""  # stock signxml fails on it with a TypeError
    with pytest.raises(errors.OngeldigeOndertekening, match=f"empty (ds:)?{value}") as refused:
        _verify(wss_pki, etree.tostring(root))
    assert refused.value.stuf_code == "StUF052"
