"""KVK's TLS trust is configuration (kvk.ca_bundle): the client trusts exactly that bundle, and a
server it cannot verify is a permanent KvkVerbindingsfout, not something to retry. The test source
serves HTTPS here with the example PKI's server certificate."""
from __future__ import annotations

import ssl

import pytest

from knoop_esb.kvktest.server import start_in_thread
from knoop_esb.routing.sources.kvk_errors import KvkVerbindingsfout
from knoop_esb.routing.sources.kvk_recorder import InMemoryRecorder
from tests.fixtures.kvk import make_kvk_client


@pytest.fixture(scope="module")
def kvk_https(pki):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pki.cert("server")), str(pki.key("server")))
    base_url, stop = start_in_thread("127.0.0.1", 0, ssl_context=context)
    yield base_url
    stop()


def test_https_met_geconfigureerde_ca_bundle(kvk_https, pki):
    assert kvk_https.startswith("https://127.0.0.1:")
    client = make_kvk_client(kvk_https, ca_bundle=str(pki.ca))
    body = client.basisprofiel("68750110")
    assert body["links"][0]["href"].startswith(kvk_https)
    client.close()


def test_onbekende_ca_is_blijvende_fout(kvk_https):
    recorder = InMemoryRecorder()
    client = make_kvk_client(kvk_https, recorder)          # system trust does not know the test CA
    with pytest.raises(KvkVerbindingsfout) as exc:
        client.basisprofiel("68750110")
    assert not exc.value.tijdelijk and "TLS" in exc.value.omschrijving
    assert len(recorder.calls) == 1                         # not retried
    client.close()


def test_omgevingsvariabelen_overschrijven_de_bundle_niet(kvk_https, pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent.pem")
    client = make_kvk_client(kvk_https, ca_bundle=str(pki.ca))
    assert client.naamgeving("68750110")["kvkNummer"] == "68750110"
    client.close()
