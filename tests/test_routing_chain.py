"""Chain execution: order, freshness, errors as meldingen, stale fallback, fan-out merge."""
import time
from datetime import timedelta

import pytest

from knoop_esb.routing.chain import GeenAntwoord, GeenRoute, Router, fanout, voer_uit
from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag
from knoop_esb.routing.table import Route, RouteTable, stap

VRAAG = Vraag("nnpLv01", "NNP", {"kvkNummer": "69599084"})


def route(*chain, max_age=timedelta(days=1)):
    return Route("nnpLv01", "NNP", tuple(stap(c) for c in chain), max_age)


def test_fresh_store_hit_wins_and_kvk_is_not_asked(script_source):
    store = script_source("store", bewaart=True, objecten=("uit-store",), leeftijd=timedelta(hours=2))
    kvk = script_source("kvk", objecten=("uit-kvk",))
    antwoord = voer_uit(route("store", "kvk"), VRAAG, {"store": store, "kvk": kvk})
    assert antwoord.objecten == ("uit-store",) and antwoord.bron == "store"
    assert kvk.gevraagd == []


def test_stale_store_hit_asks_the_next_source(script_source):
    store = script_source("store", bewaart=True, objecten=("oud",), leeftijd=timedelta(days=3))
    kvk = script_source("kvk", objecten=("vers",))
    antwoord = voer_uit(route("store", "kvk"), VRAAG, {"store": store, "kvk": kvk})
    assert antwoord.objecten == ("vers",) and antwoord.meldingen == ()


def test_store_miss_asks_the_next_source(script_source):
    store = script_source("store", bewaart=True)
    kvk = script_source("kvk", objecten=("vers",))
    assert voer_uit(route("store", "kvk"), VRAAG, {"store": store, "kvk": kvk}).bron == "kvk"
    assert store.gevraagd == [VRAAG]


def test_failing_source_becomes_a_melding_and_the_next_answers(script_source):
    kvk = script_source("kvk", fout=BronFout("kvk", "IPD1002", "tijdelijk niet leverbaar"))
    hd = script_source("handelsdata", objecten=("hd",))
    antwoord = voer_uit(route("kvk", "handelsdata"), VRAAG, {"kvk": kvk, "handelsdata": hd})
    assert antwoord.objecten == ("hd",)
    assert [(m.bron, m.code) for m in antwoord.meldingen] == [("kvk", "IPD1002")]


def test_empty_answer_of_an_authoritative_source_is_final(script_source):
    kvk = script_source("kvk")
    hd = script_source("handelsdata", objecten=("hd",))
    antwoord = voer_uit(route("kvk", "handelsdata"), VRAAG, {"kvk": kvk, "handelsdata": hd})
    assert not antwoord.gevonden and hd.gevraagd == []


def test_stale_store_copy_is_returned_when_everything_else_fails(script_source):
    store = script_source("store", bewaart=True, objecten=("oud",), leeftijd=timedelta(days=3))
    kvk = script_source("kvk", fout=BronFout("kvk", "IPD9999", "Algemene technische fout."))
    antwoord = voer_uit(route("store", "kvk"), VRAAG, {"store": store, "kvk": kvk})
    assert antwoord.objecten == ("oud",)
    assert [m.code for m in antwoord.meldingen] == ["IPD9999", "verouderd"]


def test_all_sources_fail(script_source):
    kvk = script_source("kvk", fout=BronFout("kvk", "IPD9999", "Algemene technische fout."))
    with pytest.raises(GeenAntwoord) as exc:
        voer_uit(route("store", "kvk"), VRAAG, {"store": script_source("store", bewaart=True), "kvk": kvk})
    assert exc.value.meldingen[0].code == "IPD9999" and exc.value.code == "StUF049"
    assert "kvk: IPD9999" in exc.value.details


def test_remote_step_over_the_time_limit_is_a_melding_and_the_store_runs_inline(script_source):
    import threading

    store = script_source("store", bewaart=True, objecten=("oud",), leeftijd=timedelta(days=3))
    kvk = Traag("kvk", 2.0, 30)
    draad = []
    store_vraag = store.vraag
    store.vraag = lambda v: draad.append(threading.current_thread()) or store_vraag(v)
    begin = time.monotonic()
    antwoord = voer_uit(route("store", "kvk"), VRAAG, {"store": store, "kvk": kvk}, timeout=0.2)
    assert time.monotonic() - begin < 1.0
    assert antwoord.objecten == ("oud",) and [m.code for m in antwoord.meldingen] == ["StUF960", "verouderd"]
    assert draad == [threading.current_thread()]


def test_router_uses_afnemer_override_and_refuses_unknown_routes(script_source):
    afnemer = "00000099000000000123"
    table = RouteTable([route("store", "kvk"), Route("nnpLv01", "NNP", (stap("kvk"),), timedelta(0), afnemer)])
    store = script_source("store", bewaart=True, objecten=("s",))
    kvk = script_source("kvk", objecten=("k",))
    router = Router(table, {"store": store, "kvk": kvk})
    assert router.beantwoord(Vraag("nnpLv01", "NNP", afnemer=afnemer)).bron == "kvk"
    assert router.beantwoord(Vraag("nnpLv01", "NNP", afnemer="00000099000000000999")).bron == "store"
    with pytest.raises(GeenRoute, match="StUF025"):
        router.beantwoord(Vraag("npsLv01", "NPS"))
    with pytest.raises(GeenRoute, match="StUF031"):
        router.beantwoord(Vraag("nnpLv01", "VES"))


class Traag:
    def __init__(self, naam, slaap, timeout, objecten=("x",)):
        self.naam, self.slaap, self.timeout, self.objecten = naam, slaap, timeout, objecten
        self.entiteittypen = frozenset({"NPS"})

    def vraag(self, vraag):
        time.sleep(self.slaap)
        return Antwoord(self.naam, stuf_objecten=self.objecten)


def test_fanout_merges_and_reports_the_late_one():
    antwoord = fanout([Traag("upstream:a", 0, 5, ("a1", "a2")), Traag("upstream:b", 3, 0.2)], Vraag("npsLv01", "NPS"), "upstream:a+b")
    assert antwoord.stuf_objecten == ("a1", "a2")
    assert [(m.bron, m.code) for m in antwoord.meldingen] == [("upstream:b", "StUF960")]


def test_vraag_refuses_unknown_selection_keys():
    with pytest.raises(ValueError, match="unknown selection key"):
        Vraag("nnpLv01", "NNP", {"bsn": "1"})
