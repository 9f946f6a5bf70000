"""Replay cache (memory and store), 2W-be-SE encryption refusals, and key reference kinds."""
import base64
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from knoop_esb.digikoppeling import envelope, errors, signing, xmlenc
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.replay import MemoryReplayCache, StoreReplayCache, replay_key
from knoop_esb.digikoppeling.verify import SKI_VALUE_TYPE, verify_envelope
from knoop_esb.stuf.ns import DS, SOAP11_ENV, WSSE, XENC
from tests.fixtures.wss import SIGNED_OIN, request_envelope

S = profiel("2W-be-S")
SE = profiel("2W-be-SE")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("make", [lambda db: MemoryReplayCache(), lambda db: StoreReplayCache(db)], ids=["memory", "store"])
def test_WB002_replayed_message_id_refused_until_expiry(make, db):
    cache = make(db)
    message_id = f"urn:uuid:{NOW.timestamp()}-{id(cache)}"
    cache.remember(SIGNED_OIN, message_id, NOW + timedelta(minutes=5), now=NOW)
    with pytest.raises(errors.HerhaaldBericht) as info:
        cache.remember(SIGNED_OIN, message_id, NOW + timedelta(minutes=5), now=NOW + timedelta(minutes=1))
    assert info.value.stuf_code == "StUF016"
    # another signer may use the same MessageID: keys are scoped by OIN
    cache.remember("00000099000000000001", message_id, NOW + timedelta(minutes=5), now=NOW)
    # after expiry the timestamp check refuses the message anyway; the id is forgotten
    cache.remember(SIGNED_OIN, message_id, NOW + timedelta(minutes=20), now=NOW + timedelta(minutes=6))
    if isinstance(cache, StoreReplayCache):  # the store really answered: nothing went to the fallback
        assert len(cache._fallback) == 0



def test_replay_store_cache_forgets_expired_ids_on_its_autocommit_connection(db):
    """Every PURGE_EVERY-th message also deletes what has expired, as its own autocommitted
    statement next to the INSERT."""
    from sqlalchemy import select

    from knoop_esb.store.models import ReplayCache

    cache = StoreReplayCache(db)
    old, new = f"urn:uuid:old-{id(cache)}", f"urn:uuid:new-{id(cache)}"
    cache.remember(SIGNED_OIN, old, NOW + timedelta(minutes=1), now=NOW)
    cache._count = StoreReplayCache.PURGE_EVERY  # the next message purges
    cache.remember(SIGNED_OIN, new, NOW + timedelta(minutes=15), now=NOW + timedelta(minutes=10))
    with db.session() as session:
        left = set(session.scalars(select(ReplayCache.message_id).where(
            ReplayCache.message_id.in_([replay_key(SIGNED_OIN, old), replay_key(SIGNED_OIN, new)]))))
    assert left == {replay_key(SIGNED_OIN, new)} and len(cache._fallback) == 0

def test_replay_store_cache_keeps_refusing_through_a_store_failure(tmp_path):
    """The store refuses the write (here its table is gone): that message is remembered in memory
    (not refused, not forgotten), and stays refused after the store is back."""
    from knoop_esb.store.models import ReplayCache
    from tests.fixtures.store import fresh_database

    with fresh_database(tmp_path) as database:
        cache = StoreReplayCache(database)
        during, after = "urn:uuid:during-outage", "urn:uuid:after-outage"
        until = NOW + timedelta(minutes=5)
        ReplayCache.__table__.drop(database.engine)
        cache.remember(SIGNED_OIN, during, until, now=NOW)
        assert len(cache._fallback) == 1
        ReplayCache.__table__.create(database.engine)
        cache.remember(SIGNED_OIN, after, until, now=NOW)
        for replayed in (during, after):
            with pytest.raises(errors.HerhaaldBericht):
                cache.remember(SIGNED_OIN, replayed, until, now=NOW + timedelta(minutes=1))
        assert len(cache._fallback) == 1  # the store took the others
        # once expired, the memory forgets it too
        cache.remember(SIGNED_OIN, during, NOW + timedelta(minutes=20), now=NOW + timedelta(minutes=6))
        assert len(cache._fallback) == 0


def test_replay_store_cache_on_an_in_memory_store():
    """An in-memory SQLite store exists once per connection: the replay cache writes on the
    connection the pool gives the thread, where the schema is."""
    from knoop_esb.store.db import Database

    database = Database("sqlite://")
    database.migrate()
    try:
        cache = StoreReplayCache(database)
        cache.remember(SIGNED_OIN, "urn:uuid:in-memory", NOW + timedelta(minutes=5), now=NOW)
        with pytest.raises(errors.HerhaaldBericht):
            cache.remember(SIGNED_OIN, "urn:uuid:in-memory", NOW + timedelta(minutes=5), now=NOW)
        assert len(cache._fallback) == 0
    finally:
        database.dispose()


def test_replay_memory_cache_is_bounded():
    cache = MemoryReplayCache(max_entries=3)
    for i in range(5):
        cache.remember(None, f"m{i}", NOW + timedelta(minutes=5), now=NOW)
    assert len(cache) == 3


def test_replay_key_of_long_message_id_fits_the_table():
    assert len(replay_key(SIGNED_OIN, "x" * 1000)) <= 255


def _signed_encrypted(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), SE)
    xmlenc.encrypt_body(root, wss_pki.certificate("server"), SE)
    return root


def test_ENC003_decrypt_then_verify(wss_pki):
    root = envelope.parse(etree.tostring(_signed_encrypted(wss_pki)))
    assert xmlenc.decrypt_body(root, wss_pki.ondertekenaar("server").key, SE)
    assert verify_envelope(root, SE, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN).signer_oin == SIGNED_OIN


def test_ENC004_oaep_with_sha256_digest_accepted(wss_pki):
    import dataclasses

    from knoop_esb.digikoppeling.profiles import SHA256

    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), SE)
    xmlenc.encrypt_body(root, wss_pki.certificate("server"), dataclasses.replace(SE, oaep_digest=SHA256))
    assert b"xmlenc#sha256" in etree.tostring(root.find(f".//{{{XENC}}}EncryptedKey"))
    assert xmlenc.decrypt_body(envelope.parse(etree.tostring(root)), wss_pki.ondertekenaar("server").key, SE)


def test_ENC003_tampered_ciphertext_refused(wss_pki):
    root = _signed_encrypted(wss_pki)
    value = root.find(f".//{{{XENC}}}EncryptedData//{{{XENC}}}CipherValue")
    data = bytearray(base64.b64decode(value.text))
    data[20] ^= 1
    value.text = base64.b64encode(bytes(data)).decode()
    with pytest.raises(errors.OntsleutelingMislukt, match="AES-GCM"):
        xmlenc.decrypt_body(root, wss_pki.ondertekenaar("server").key, SE)


def test_ENC003_cbc_content_encryption_refused(wss_pki):
    root = _signed_encrypted(wss_pki)
    root.find(f".//{{{XENC}}}EncryptedData/{{{XENC}}}EncryptionMethod").set(
        "Algorithm", "http://www.w3.org/2001/04/xmlenc#tripledes-cbc")
    with pytest.raises(errors.AlgoritmeNietToegestaan, match="tripledes"):
        xmlenc.decrypt_body(root, wss_pki.ondertekenaar("server").key, SE)


def test_WB012_encrypted_for_another_certificate_refused(wss_pki):
    root = _signed_encrypted(wss_pki)
    with pytest.raises(errors.OntsleutelingMislukt, match="not encrypted for this node"):
        xmlenc.decrypt_body(root, wss_pki.ondertekenaar("afnemer-demo").key, SE)


def test_WB005_plain_body_refused_on_SE_profile(wss_pki):
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), SE)
    with pytest.raises(errors.VersleutelingVereist):
        xmlenc.decrypt_body(root, wss_pki.ondertekenaar("server").key, SE)


def test_WB005_encrypted_header_refused(wss_pki):
    root = _signed_encrypted(wss_pki)
    root.find(f"{{{SOAP11_ENV}}}Header").append(etree.Element(f"{{{XENC}}}EncryptedData"))
    with pytest.raises(errors.OntsleutelingMislukt, match="only soap:Body"):
        xmlenc.decrypt_body(root, wss_pki.ondertekenaar("server").key, SE)


def _ski_referenced(wss_pki) -> bytes:
    """Signed, then KeyInfo switched to an X509SubjectKeyIdentifier (KeyInfo is not signed)."""
    root = request_envelope()
    signing.sign_envelope(root, wss_pki.ondertekenaar("afnemer-signed"), S)
    token_ref = root.find(f".//{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference")
    token_ref.remove(token_ref[0])
    from cryptography import x509

    ski = wss_pki.certificate("afnemer-signed").extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    identifier = etree.SubElement(token_ref, f"{{{WSSE}}}KeyIdentifier", ValueType=SKI_VALUE_TYPE,
                                  EncodingType=signing.BASE64)
    identifier.text = base64.b64encode(ski).decode()
    bst = root.find(f".//{{{WSSE}}}BinarySecurityToken")
    bst.getparent().remove(bst)
    return etree.tostring(root), ski


def test_WB010_subject_key_identifier_accepted_when_known(wss_pki):
    raw, ski = _ski_referenced(wss_pki)
    cert = wss_pki.certificate("afnemer-signed")
    result = verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN,
                             by_ski=lambda wanted: cert if wanted == ski else None)
    assert result.signer_oin == SIGNED_OIN


def test_WB010_subject_key_identifier_refused_without_lookup(wss_pki):
    raw, _ = _ski_referenced(wss_pki)
    with pytest.raises(errors.OngeldigeSleutelverwijzing):
        verify_envelope(envelope.parse(raw), S, vertrouwen=wss_pki.vertrouwen, peer_oin=SIGNED_OIN)
