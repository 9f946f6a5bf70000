"""Handelsdata client against a real HTTP test server: sticky token, rotation on 429, credit
budgets refused before they are exceeded, monthly reset, exportSelectie, source adapter."""
from datetime import datetime, timezone

import pytest

from knoop_esb.config.handelsdata import Abonnement, HandelsdataConfig
from knoop_esb.routing.sources.base import BronFout, Vraag
from knoop_esb.routing.sources.credits import GeheugenBoek
from knoop_esb.routing.sources.handelsdata import HandelsdataClient, HandelsdataFout
from knoop_esb.routing.sources.handelsdata_source import HandelsdataSource

VES = {
    "vestigingsnummer": "000038509504", "kvkNummer": "69599084", "eersteHandelsnaam": "Test EMZ Dagobert",
    "indHoofdvestiging": "Ja", "indCommercieleVestiging": "Ja", "totaalWerkzamePersonen": 3,
    "adressen": [{"type": "bezoekadres", "straatnaam": "Abebe Bikilalaan", "huisnummer": 17,
                  "postcode": "1034WL", "plaats": "Amsterdam"}],
    "websites": ["www.dagobert.example"], "email": "info@dagobert.example", "telefoon": "0201234567",
}
BEDRIJF = {"kvkNummer": "69599084", "naam": "Test EMZ Dagobert", "vestigingen": [VES]}


class Klok:
    def __init__(self):
        self.wanneer = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
        self.sec = 1000.0

    def __call__(self):
        return self.wanneer

    def mono(self):
        return self.sec


@pytest.fixture
def hd(handelsdata_server):
    handelsdata_server.vestigingen = {VES["vestigingsnummer"]: VES}
    handelsdata_server.bedrijven = {BEDRIJF["kvkNummer"]: BEDRIJF}
    handelsdata_server.script.clear()
    handelsdata_server.remaining.clear()
    handelsdata_server.calls.clear()
    return handelsdata_server


def client(server, *budgets, klok=None):
    config = HandelsdataConfig(base_url=server.url, abonnement=[
        Abonnement(f"abo{i}", f"token{i}", b) for i, b in enumerate(budgets, 1)])
    klok = klok or Klok()
    return HandelsdataClient(config, GeheugenBoek(), klok=klok, monotoon=klok.mono)


def tokens(server):
    return [c[0] for c in server.calls]


def test_sticky_token(hd):
    c = client(hd, 100, 100, 100)
    for _ in range(4):
        assert c.vestiging("000038509504")["kvkNummer"] == "69599084"
    assert tokens(hd) == ["token1"] * 4
    assert c.verbruik() == {"abo1": (4, 100), "abo2": (0, 100), "abo3": (0, 100)}


def test_rotation_on_429_and_the_new_token_sticks(hd):
    klok = Klok()
    c = client(hd, 100, 100, 100, klok=klok)
    hd.script["token1"] = [429]
    hd.script["token2"] = [429]
    assert c.vestiging("000038509504") is not None
    assert c.vestiging("000038509504") is not None
    assert tokens(hd) == ["token1", "token2", "token3", "token3"]
    assert c.verbruik()["abo1"][0] == 0 and c.verbruik()["abo3"][0] == 2
    # token1 rests for Retry-After (30 s); token3 stays sticky even after that.
    klok.sec += 31
    c.vestiging("000038509504")
    assert tokens(hd)[-1] == "token3"


def test_all_tokens_rate_limited(hd):
    c = client(hd, 100, 100)
    hd.script["token1"] = [429]
    hd.script["token2"] = [429]
    with pytest.raises(HandelsdataFout) as exc:
        c.vestiging("000038509504")
    assert exc.value.code == "HTTP 429" and "abo1 (429)" in exc.value.omschrijving


def test_budget_refused_before_it_is_exceeded(hd):
    c = client(hd, 2, 1)
    c.vestiging("000038509504")
    c.vestiging("000038509504")
    c.vestiging("000038509504")  # abo1 spent: rotates to abo2
    assert tokens(hd) == ["token1", "token1", "token2"]
    with pytest.raises(HandelsdataFout) as exc:
        c.vestiging("000038509504")
    assert exc.value.code == "credits"
    assert len(hd.calls) == 3, "no request may be sent without budget"
    with pytest.raises(HandelsdataFout):
        c.export_selectie(vestigingsnummers=["000038509504"])
    assert c.verbruik() == {"abo1": (2, 2), "abo2": (1, 1)}


def test_export_selectie_reserves_one_credit_per_number(hd):
    c = client(hd, 2, 10)
    resultaten = c.export_selectie(kvk_nummers=["69599084"], vestigingsnummers=["000038509504", "000000000001"])
    assert [r["vestigingsnummer"] for r in resultaten] == ["000038509504"]
    # three numbers do not fit abo1's budget of 2: abo2 pays all three.
    assert tokens(hd) == ["token2"] and c.verbruik()["abo2"] == (3, 10)
    assert c.export_selectie() == [] and len(hd.calls) == 1


def test_monthly_reset(hd):
    klok = Klok()
    c = client(hd, 1, klok=klok)
    c.vestiging("000038509504")
    with pytest.raises(HandelsdataFout):
        c.vestiging("000038509504")
    klok.wanneer = datetime(2026, 12, 1, 0, 0, 1, tzinfo=timezone.utc)
    assert c.vestiging("000038509504") is not None
    assert c.verbruik() == {"abo1": (1, 1)}


def test_not_found_costs_nothing_and_vendor_count_wins(hd):
    c = client(hd, 100)
    assert c.vestiging("000000000001") is None
    assert c.verbruik()["abo1"] == (0, 100)
    hd.remaining["token1"] = 10
    c.vestiging("000038509504")
    assert c.verbruik()["abo1"] == (90, 100)


def test_402_spent_and_401_refused_tokens_are_skipped(hd):
    c = client(hd, 100, 100, 100)
    hd.script["token1"] = [402]
    hd.script["token2"] = [401]
    c.vestiging("000038509504")
    c.vestiging("000038509504")
    assert tokens(hd) == ["token1", "token2", "token3", "token3"]


def test_source_answers_ves_and_mac_as_model_objects(hd):
    source = HandelsdataSource(client(hd, 100))
    (ves,) = source.vraag(Vraag("vesLv01", "VES", {"vestigingsnummer": "000038509504"})).objecten
    assert ves.eerste_handelsnaam == "Test EMZ Dagobert" and ves.communicatie.emailadres == "info@dagobert.example"
    assert ves.adres("bezoekadres").postcode == "1034WL"
    (mac,) = source.vraag(Vraag("macLv01", "MAC", {"kvkNummer": "69599084"})).objecten
    assert mac.kvk_nummer == "69599084" and mac.vestigingen[0].vestigingsnummer == "000038509504"
    assert not source.vraag(Vraag("vesLv01", "VES", {"vestigingsnummer": "000000000001"})).gevonden
    with pytest.raises(BronFout, match="StUF133"):
        source.vraag(Vraag("vesLv01", "VES", {"postcode": "1034WL"}))


def test_unreachable_server_is_a_bron_fout():
    config = HandelsdataConfig(base_url="http://127.0.0.1:9", abonnement=[Abonnement("a", "t", 5)], timeout=2)
    c = HandelsdataClient(config)
    with pytest.raises(HandelsdataFout) as exc:
        c.vestiging("000038509504")
    assert exc.value.code == "verbinding" and c.verbruik() == {"a": (0, 5)}
