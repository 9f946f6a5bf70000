"""Going live changes only kvk.base_url and kvk.api_key: the URLs the client builds for KVK's
production and test environments (KVK itself is the internet, so it is a mock transport here)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import httpx
import pytest

from knoop_esb.routing.sources.kvk_api import TEST_API_KEY, KvkApiClient
from knoop_esb.routing.sources.kvk_recorder import InMemoryRecorder
from tests.fixtures.kvk import kvk_test_config

BODIES = {"/api/v2/zoeken": {"resultaten": []}, "/api/v1/abonnementen": {"abonnementen": []}}


def _client(base_url: str, api_key: str, seen: list[httpx.Request]) -> KvkApiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        body = next((b for p, b in BODIES.items() if path.endswith(p)), None)
        if body is None:
            body = {"kvkNummer": "68750110", "vestigingsnummer": "000037178598", "vestigingen": [],
                    "signalen": [], "totaalPaginas": 1, "signaal": {}}
        return httpx.Response(200, content=json.dumps(body), headers={"content-type": "application/hal+json"})

    http = httpx.Client(transport=httpx.MockTransport(handler),
                        headers={"apikey": api_key, "Accept": "application/hal+json"})
    return KvkApiClient.from_config(kvk_test_config(base_url, api_key=api_key), recorder=InMemoryRecorder(),
                                    http=http)


@pytest.mark.parametrize("base_url", ["https://api.kvk.nl", "https://api.kvk.nl/test"])
def test_urls_voor_kvk(base_url):
    seen: list[httpx.Request] = []
    client = _client(base_url, "prod-sleutel", seen)
    client.zoeken(kvkNummer="68750110", type=["hoofdvestiging", "nevenvestiging"])
    client.basisprofiel("68750110", geo_data=True)
    client.eigenaar("68750110")
    client.hoofdvestiging("68750110")
    client.vestigingen_lijst("68750110")
    client.vestigingsprofiel("000037178598")
    client.naamgeving("68750110")
    client.abonnementen()
    moment = datetime(2026, 1, 1, tzinfo=timezone.utc)
    client.signalen_pagina("abc-123", moment, moment.replace(day=8), pagina=2, aantal=500)
    client.signaal("abc-123", "sig-1")
    assert [str(r.url) for r in seen] == [
        f"{base_url}/api/v2/zoeken?kvkNummer=68750110&type=hoofdvestiging&type=nevenvestiging",
        f"{base_url}/api/v1/basisprofielen/68750110?geoData=true",
        f"{base_url}/api/v1/basisprofielen/68750110/eigenaar",
        f"{base_url}/api/v1/basisprofielen/68750110/hoofdvestiging",
        f"{base_url}/api/v1/basisprofielen/68750110/vestigingen",
        f"{base_url}/api/v1/vestigingsprofielen/000037178598",
        f"{base_url}/api/v1/naamgevingen/kvknummer/68750110",
        f"{base_url}/api/v1/abonnementen",
        f"{base_url}/api/v1/abonnementen/abc-123?vanaf=2026-01-01T00%3A00%3A00Z&tot=2026-01-08T00%3A00%3A00Z&pagina=2&aantal=500",
        f"{base_url}/api/v1/abonnementen/abc-123/signalen/sig-1",
    ]
    assert all(r.headers["apikey"] == "prod-sleutel" for r in seen)


def test_lege_api_key_is_de_publieke_testsleutel():
    client = KvkApiClient.from_config(kvk_test_config("https://api.kvk.nl/test", api_key=""))
    assert client.transport._http.headers["apikey"] == TEST_API_KEY
    assert client.transport.key_id.startswith("sha256:") and TEST_API_KEY not in client.transport.key_id
    client.close()


def test_key_id_komt_uit_configuratie():
    client = KvkApiClient.from_config(kvk_test_config("https://api.kvk.nl", api_key="geheim", key_id="productie-1"))
    assert client.transport.key_id == "productie-1"
    client.close()
