"""The KVK client against the built-in test source over real HTTP: every endpoint, paging,
large companies, the special cases of the dataset."""
from __future__ import annotations

import pytest

from knoop_esb.routing.sources.kvk_errors import KvkFout, KvkNietGevonden


def test_zoeken_op_kvknummer_geeft_vestigingen(kvk_client):
    page = kvk_client.zoeken(kvkNummer="69599084")
    assert page["totaal"] == 2
    by_nummer = {r["vestigingsnummer"]: r for r in page["resultaten"]}
    assert by_nummer["000038509504"]["type"] == "hoofdvestiging"
    assert by_nummer["000038509520"]["adres"]["binnenlandsAdres"]["plaats"] == "Maastricht"
    assert "postcode" not in by_nummer["000038509504"]["adres"]["binnenlandsAdres"]


def test_zoeken_rechtspersoon_heeft_geen_vestigingsnummer(kvk_client):
    page = kvk_client.zoeken(kvkNummer="68750110", type="rechtspersoon")
    [item] = page["resultaten"]
    assert item["type"] == "rechtspersoon" and "vestigingsnummer" not in item
    assert set(item["_links"]) == {"basisprofiel"}


@pytest.mark.parametrize("criteria, expected", [
    ({"naam": "Donald"}, {"000037178598", "000037178601"}),
    ({"rsin": "887501102", "type": "hoofdvestiging"}, {"000037178598"}),
    ({"vestigingsnummer": "000038509520"}, {"000038509520"}),
    ({"postcode": "1034WL", "huisnummer": 17}, {"000038509504"}),
    ({"straatnaam": "Geneinde", "plaats": "Maastricht"}, {"000038509520"}),
    ({"kvkNummer": "68750110", "type": ["hoofdvestiging", "nevenvestiging"]}, {"000037178598", "000037178601"}),
])
def test_zoeken_filters(kvk_client, criteria, expected):
    found = {r.get("vestigingsnummer") for r in kvk_client.zoeken(**criteria)["resultaten"]}
    assert found - {None} == expected


def test_zoeken_postcode_wordt_getoond_als_erop_gezocht_is(kvk_client):
    [item] = kvk_client.zoeken(postcode="1034WL", huisnummer=17)["resultaten"]
    assert item["adres"]["binnenlandsAdres"]["postcode"] == "1034WL"
    assert item["adres"]["binnenlandsAdres"]["huisnummer"] == 17


def test_zoeken_zonder_resultaat_is_leeg_geen_fout(kvk_client, kvk_recorder):
    page = kvk_client.zoeken(naam="Bestaatnietbijkvk")
    assert page["resultaten"] == [] and page["totaal"] == 0
    assert kvk_recorder.calls[-1].status == 404 and kvk_recorder.calls[-1].ipd_code == "IPD5200"


def test_zoeken_paging_volgt_kvk(kvk_client):
    first = kvk_client.zoeken(kvkNummer="99100002", pagina=1, resultatenPerPagina=100)
    assert first["totaal"] == 1000           # KVK shows at most 1000 results
    assert first["pagina"] == 1 and len(first["resultaten"]) == 100
    assert "pagina=2" in first["_links"]["volgende"]["href"]
    last = kvk_client.zoeken(kvkNummer="99100002", pagina=10, resultatenPerPagina=100)
    assert "volgende" not in last["_links"] and "vorige" in last["_links"]


def test_zoeken_alle_pagineert_tot_het_einde(kvk_client):
    items = list(kvk_client.zoeken_alle(kvkNummer="90006577", type=["hoofdvestiging", "nevenvestiging"]))
    assert len(items) == 1000 and len({i["vestigingsnummer"] for i in items}) == 1000


def test_zoeken_ongeldige_parameter_is_kvkfout(kvk_client):
    with pytest.raises(KvkFout) as exc:
        kvk_client.zoeken(kvkNummer="123")
    assert exc.value.code == "IPD0004" and exc.value.status == 400


def test_zoeken_inactieve_registraties(kvk_client):
    assert kvk_client.zoeken(kvkNummer="99100029")["resultaten"] == []
    items = kvk_client.zoeken(kvkNummer="99100029", inclusiefInactieveRegistraties=True)["resultaten"]
    assert {i["type"] for i in items} == {"rechtspersoon", "hoofdvestiging"}
    assert {i["actief"] for i in items} == {"Nee"}


def test_basisprofiel(kvk_client):
    body = kvk_client.basisprofiel("69599084")
    assert body["naam"] == "Test EMZ Dagobert"
    assert body["_embedded"]["eigenaar"]["rechtsvorm"] == "Eenmanszaak"
    hoofd = body["_embedded"]["hoofdvestiging"]
    assert hoofd["vestigingsnummer"] == "000038509504" and "rsin" not in hoofd
    assert [h["volgorde"] for h in body["handelsnamen"]] == [0, 1]
    assert all("geoData" not in a for a in hoofd["adressen"])
    assert {link["rel"] for link in body["links"]} >= {"self", "vestigingen"}


def test_basisprofiel_geodata(kvk_client):
    hoofd = kvk_client.basisprofiel("68750110", geo_data=True)["_embedded"]["hoofdvestiging"]
    assert set(hoofd["adressen"][0]["geoData"]) >= {"addresseerbaarObjectId", "gpsLatitude", "rijksdriehoekX"}


def test_eigenaar_en_hoofdvestiging(kvk_client):
    eigenaar = kvk_client.eigenaar("68750110")
    assert eigenaar["rechtsvorm"] == "Besloten Vennootschap" and len(eigenaar["rsin"]) == 9
    hoofd = kvk_client.hoofdvestiging("68750110")
    assert hoofd["vestigingsnummer"] == "000037178598" and hoofd["indHoofdvestiging"] == "Ja"


@pytest.mark.parametrize("kvk_nummer, rechtsvorm", [
    ("69599084", "Eenmanszaak"), ("68727720", "Naamloze Vennootschap"), ("68750110", "Besloten Vennootschap"),
    ("69599068", "Stichting"), ("69599076", "Vennootschap onder firma"), ("55344526", "Coöperatie"),
    ("90002520", "Kerkgenootschap"), ("90002490", "Onderlinge Waarborg Maatschappij"),
    ("90000749", "Vereniging van Eigenaars"), ("90001745", "Maatschap"),
    ("90003942", "Commanditaire Vennootschap"), ("55505201", "Overige Privaatrechtelijke Rechtspersoon"),
])
def test_een_bedrijf_per_rechtsvorm(kvk_client, kvk_nummer, rechtsvorm):
    assert kvk_client.eigenaar(kvk_nummer)["rechtsvorm"] == rechtsvorm


def test_vestigingsprofiel_afgeschermd_adres(kvk_client):
    body = kvk_client.vestigingsprofiel("990000541921")
    [adres] = body["adressen"]
    assert adres["indAfgeschermd"] == "Ja" and "straatnaam" not in adres and "postcode" not in adres
    lijst = kvk_client.vestigingen_lijst("90001354")
    assert lijst["vestigingen"][0]["indAdresAfgeschermd"] == "Ja"


def test_vestigingsprofiel_geodata_en_links(kvk_client):
    body = kvk_client.vestigingsprofiel("990064773193", geo_data=True)
    assert body["kvkNummer"] == "90006623" and body["adressen"][0]["geoData"]["gpsLatitude"]
    assert {"self", "basisprofiel"} <= {link["rel"] for link in body["links"]}


def test_buitenlands_adres(kvk_client):
    [adres] = kvk_client.vestigingsprofiel("990099100101")["adressen"]
    assert adres["land"] == "België" and adres["straatHuisnummer"] == "Rue de la Loi 16"
    [item] = kvk_client.zoeken(kvkNummer="99100010", type="hoofdvestiging")["resultaten"]
    assert item["adres"]["buitenlandsAdres"]["land"] == "België"


def test_opgeheven_en_overgedragen_bedrijf(kvk_client):
    oud = kvk_client.basisprofiel("99100037")
    assert oud["materieleRegistratie"]["datumEinde"] == "20250301"
    assert kvk_client.vestigingen_lijst("99100037")["totaalAantalVestigingen"] == 0
    assert kvk_client.vestigingsprofiel("990099100371")["kvkNummer"] == "99100045"
    assert kvk_client.eigenaar("99100029")["datumUitschrijving"] == "20240630"


def test_naamgeving(kvk_client):
    body = kvk_client.naamgeving("69599068")
    assert body["naam"] == "Test Stichting Bolderbast" and body["statutaireNaam"] == body["naam"]
    [ves] = body["vestigingen"]
    assert "naam" in ves and "eersteHandelsnaam" not in ves      # a niet-commerciële vestiging
    assert kvk_client.naamgeving("68750110")["vestigingen"][0]["handelsnamen"][0]["naam"] == "Test BV Donald"


def test_onbekend_nummer_is_niet_gevonden(kvk_client):
    with pytest.raises(KvkNietGevonden) as exc:
        kvk_client.basisprofiel("12345678")
    assert exc.value.code == "IPD0005" and exc.value.status == 404
    assert "12345678" in exc.value.omschrijving
    with pytest.raises(KvkNietGevonden) as exc:
        kvk_client.vestigingsprofiel("000000000001")
    assert exc.value.code == "IPD0007"


def test_ongeldig_nummer_gaat_niet_over_de_lijn(kvk_client, kvk_recorder):
    with pytest.raises(KvkFout) as exc:
        kvk_client.basisprofiel("1234")
    assert exc.value.code == "IPD0004"
    with pytest.raises(KvkFout):
        kvk_client.vestigingsprofiel("12")
    assert kvk_recorder.calls == []


def test_vestigingen_tot_duizend_in_een_lijst(kvk_client, kvk_recorder):
    lijst = kvk_client.vestigingen("90006577")
    assert lijst["totaalAantalVestigingen"] == 1000 and len(lijst["vestigingen"]) == 1000
    assert [c.endpoint for c in kvk_recorder.calls] == ["basisprofiel.vestigingen"]


def test_vestigingen_boven_duizend_volledig(kvk_client, kvk_recorder):
    raw = kvk_client.vestigingen_lijst("99100002")
    assert raw["totaalAantalVestigingen"] == 2500 and len(raw["vestigingen"]) == 1000
    lijst = kvk_client.vestigingen("99100002")
    nummers = {v["vestigingsnummer"] for v in lijst["vestigingen"]}
    assert len(nummers) == 2500 == len(lijst["vestigingen"])
    aangevuld = next(v for v in lijst["vestigingen"] if v["vestigingsnummer"] == "971000002499")
    assert aangevuld["kvkNummer"] == "99100002" and aangevuld["volledigAdres"]
    assert aangevuld["links"][0]["href"].endswith("/api/v1/vestigingsprofielen/971000002499")
    # completing the list costs only free Zoeken calls
    paid = [c for c in kvk_recorder.calls if c.paid]
    assert [c.endpoint for c in paid] == ["basisprofiel.vestigingen", "basisprofiel.vestigingen"]
