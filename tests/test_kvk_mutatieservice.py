"""Mutatieservice: abonnementen, signalen in vanaf/tot windows paged to the end, signal details of
all six types, over real HTTP against the test source."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from knoop_esb.kvktest.mutaties import SIGNAALTYPES
from knoop_esb.routing.sources.kvk_errors import KvkNietGevonden

VANAF = datetime(2026, 1, 5, tzinfo=timezone.utc)


@pytest.fixture
def abonnement(kvk_client) -> str:
    body = kvk_client.abonnementen()
    [abonnement] = body["abonnementen"]
    assert abonnement["actief"] is True and body["klantId"]
    return abonnement["id"]


def test_signalen_venster_tot_het_einde(kvk_client, kvk_recorder, abonnement):
    tot = VANAF + timedelta(hours=9)               # 30 s per signal: 1080 signals, 3 pages of 500
    signalen = list(kvk_client.signalen(abonnement, VANAF, tot))
    assert len(signalen) == 1080 == len({s["id"] for s in signalen})
    assert signalen[0]["timestamp"] == "2026-01-05T00:00:00Z"
    assert signalen[-1]["timestamp"] == "2026-01-05T08:59:30Z"      # `tot` itself is excluded
    assert [c.endpoint for c in kvk_recorder.calls].count("mutatieservice.signalen") == 3
    assert {s["signaalType"] for s in signalen} == set(SIGNAALTYPES)
    assert all(not c.paid for c in kvk_recorder.calls)


def test_signalen_pagina_vorm(kvk_client, abonnement):
    page = kvk_client.signalen_pagina(abonnement, VANAF, VANAF + timedelta(hours=1), pagina=2, aantal=50)
    assert (page["pagina"], page["aantal"], page["totaal"], page["totaalPaginas"]) == (2, 50, 120, 3)
    item = page["signalen"][0]
    assert set(item) >= {"id", "timestamp", "kvknummer", "signaalType"}


def test_geen_signalen_uit_de_toekomst(kvk_client, abonnement):
    now = datetime.now(timezone.utc)
    assert list(kvk_client.signalen(abonnement, now + timedelta(hours=1), now + timedelta(days=1))) == []


def test_details_van_alle_zes_soorten(kvk_client, abonnement):
    signalen = list(kvk_client.signalen(abonnement, VANAF, VANAF + timedelta(minutes=10)))
    per_type = {}
    for s in signalen:
        per_type.setdefault(s["signaalType"], s)
    assert set(per_type) == set(SIGNAALTYPES)
    for soort, info in per_type.items():
        signaal = kvk_client.signaal(abonnement, info["id"])["signaal"]
        assert signaal["signaalType"] == soort and signaal["berichtId"] == info["id"]
        assert signaal["heeftBetrekkingOp"]["kvkNummer"] == info["kvknummer"]
        assert {"registratieId", "registratieTijdstip"} <= set(signaal)
        if soort == "SignaalGewijzigdeVestiging":
            assert signaal["heeftGewijzigdeVestiging"]["vestigingsnummer"] == info["vestigingsnummer"]
        if soort == "SignaalVoortzettingEnOverdracht_2025_01":
            vo = signaal["voortzettingEnOverdracht"]
            # the world's VOF A(j) continued by its eenmanszaak B(j) (kvktest/wereld.py)
            assert vo["rolBijVoortzettingOverdracht"]["code"] == "VG"
            assert vo["kvkNummer"] == "8" + info["kvknummer"][1:] and vo["persoonRechtsvorm"] == "Eenmanszaak"
            # the continuing company exists and holds the vestigingen, so a poller can follow the signal up
            assert kvk_client.basisprofiel(vo["kvkNummer"])["kvkNummer"] == vo["kvkNummer"]
            for nummer in vo["betrokkenVestigingen"]["vestigingsnummers"]:
                assert kvk_client.vestigingsprofiel(nummer)["kvkNummer"] == vo["kvkNummer"]
        if soort == "SignaalRechtsvormwijziging_2025_01":
            assert signaal["persoonRechtsvormOud"] == "Naamloze Vennootschap"
        if soort == "SignaalNieuweInschrijving":
            assert signaal["heeftNieuweGegevens"]["aanleiding"]["code"] == "OR"
        if soort == "SignaalBeeindiging_2025_01":
            assert signaal["aanleiding"]["code"] == "OO"


def test_signalen_zijn_deterministisch(kvk_client, abonnement):
    window = (VANAF, VANAF + timedelta(minutes=5))
    assert list(kvk_client.signalen(abonnement, *window)) == list(kvk_client.signalen(abonnement, *window))


def test_onbekend_signaal_en_abonnement(kvk_client, abonnement):
    with pytest.raises(KvkNietGevonden):
        kvk_client.signaal(abonnement, "00000000-0000-4000-8000-000000000001")
    with pytest.raises(KvkNietGevonden) as exc:
        kvk_client.signalen_pagina("onbekend", VANAF, VANAF + timedelta(hours=1))
    assert "onbekend" in exc.value.omschrijving      # RFC 7807 detail kept
