"""The test source itself: KVK's test-environment numbers, headers, error bodies, admin endpoints,
and the ``knoop-esb kvk-testserver`` command as a user starts it."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.fixtures.kvk import KVK_TEST_KEY

H = {"apikey": KVK_TEST_KEY}
VESTIGINGEN = {  # kvk/FACTS.md: KVK's Vestigingsprofiel test numbers and their legal form
    "000038509504": "Eenmanszaak", "000038509520": "Eenmanszaak", "000037178598": "Besloten Vennootschap",
    "000037178601": "Besloten Vennootschap", "990000541921": "Besloten Vennootschap",
    "000037143557": "Naamloze Vennootschap", "990064773193": "Stichting", "990064773207": "Stichting",
    "000038509474": "Vennootschap onder firma", "000038509490": "Vennootschap onder firma",
    "990000216645": "Vennootschap onder firma", "990000821206": "Vennootschap onder firma",
    "990001987781": "Coöperatie", "990000246858": "Onderlinge Waarborg Maatschappij",
    "990000637800": "Maatschap", "990000008288": "Commanditaire Vennootschap",
    "990000246530": "Commanditaire Vennootschap", "990000768218": "Commanditaire Vennootschap",
    "990000852070": "Commanditaire Vennootschap",
}


@pytest.mark.parametrize("nummer, rechtsvorm", sorted(VESTIGINGEN.items()))
def test_vestigingsnummers_van_de_kvk_testomgeving(kvk_client, nummer, rechtsvorm):
    body = kvk_client.vestigingsprofiel(nummer)
    assert body["vestigingsnummer"] == nummer
    assert kvk_client.eigenaar(body["kvkNummer"])["rechtsvorm"] == rechtsvorm


def test_kvknummers_van_de_kvk_testomgeving(kvk_client):
    for kvk_nummer in ["69599084", "68727720", "90004760", "68750110", "90001354", "69599068", "90000102",
                       "90006623", "69599076", "90005414", "55344526", "90002520", "90002490", "90000749",
                       "90001745", "90003942", "55505201", "90006577", "96354429"]:
        assert kvk_client.basisprofiel(kvk_nummer)["kvkNummer"] == kvk_nummer


def test_headers_zoals_kvk(kvk_testserver):
    ok = httpx.get(f"{kvk_testserver}/api/v1/basisprofielen/69599084", headers=H)
    assert ok.headers["content-type"] == "application/hal+json" and ok.headers["api-version"] == "1.5.0"
    assert httpx.get(f"{kvk_testserver}/api/v2/zoeken?naam=Donald", headers=H).headers["api-version"] == "2.1.0"
    fout = httpx.get(f"{kvk_testserver}/api/v1/basisprofielen/12345678", headers=H)
    assert fout.status_code == 404 and fout.headers["content-type"] == "application/json"
    assert fout.json() == {"fout": [{"code": "IPD0005", "omschrijving":
                                     "Op basis van het KVK-nummer 12345678 kan het product niet worden geleverd."}]}


def test_test_prefix_zoals_api_kvk_nl_test(kvk_testserver):
    body = httpx.get(f"{kvk_testserver}/test/api/v2/zoeken?kvkNummer=69599084", headers=H).json()
    assert body["resultaten"][0]["_links"]["basisprofiel"]["href"].startswith(f"{kvk_testserver}/test/api/v1/")


def test_zonder_apikey_401(kvk_testserver):
    response = httpx.get(f"{kvk_testserver}/api/v1/basisprofielen/69599084")
    assert response.status_code == 401 and response.json()["fout"][0]["omschrijving"]
    problem = httpx.get(f"{kvk_testserver}/api/v1/abonnementen")
    assert problem.status_code == 401 and problem.json()["status"] == 401
    assert problem.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("query, code", [
    ("", "IPD1998"), ("kvkNummer=1", "IPD0004"), ("rsin=12", "IPD0010"), ("vestigingsnummer=1", "IPD0006"),
    ("type=filiaal&naam=x", "IPD5203"), ("huisnummer=1", "IPD1999"), ("naam=x&resultatenPerPagina=101", "IPD1999"),
    ("naam=x&pagina=1001", "IPD1999"),
])
def test_zoeken_validatie(kvk_testserver, query, code):
    response = httpx.get(f"{kvk_testserver}/api/v2/zoeken?{query}", headers=H)
    assert response.status_code == 400 and response.json()["fout"][0]["code"] == code


def test_admin_faults(kvk_testserver, kvk_faults):
    assert httpx.post(f"{kvk_testserver}/_faults", json={"kind": "teapot"}).status_code == 400
    armed = kvk_faults.arm("500", path="/api/v1/naamgevingen/*", count=None)
    assert httpx.get(f"{kvk_testserver}/_faults").json() == [armed]
    assert httpx.get(f"{kvk_testserver}/api/v1/naamgevingen/kvknummer/68750110", headers=H).status_code == 500
    assert httpx.get(f"{kvk_testserver}/api/v1/basisprofielen/68750110", headers=H).status_code == 200
    kvk_faults.clear()
    assert httpx.get(f"{kvk_testserver}/api/v1/naamgevingen/kvknummer/68750110", headers=H).status_code == 200


def test_cli_kvk_testserver(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "KNOOP_CONFIG"}
    env["KNOOP_KVK_API_KEY"] = "cli-sleutel"          # the configured key is accepted too
    process = subprocess.Popen([sys.executable, "-m", "knoop_esb", "kvk-testserver", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                               cwd=tmp_path)
    try:
        line = process.stdout.readline()
        assert line.startswith("KVK test source: http://127.0.0.1:")
        base_url = line.split(": ", 1)[1].strip()
        response = httpx.get(f"{base_url}/api/v2/zoeken?kvkNummer=69599084", headers={"apikey": "cli-sleutel"})
        assert response.status_code == 200 and response.json()["totaal"] == 2
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_accept_header_zoals_kvk(kvk_testserver):
    url = f"{kvk_testserver}/api/v1/basisprofielen/69599084"
    assert httpx.get(url, headers={**H, "Accept": "application/xml"}).status_code == 406
    assert httpx.get(url, headers={**H, "Accept": "application/json;q=0.9, */*;q=0.1"}).status_code == 200
