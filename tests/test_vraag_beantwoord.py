"""The Beantwoorder in-process with the real emitter, route table and schemas, and sources
scripted by the test: selection (exact / StUF:exact="false" / geenWaarde / ranges), sortering from
the schema's appinfo, maximumAantal, vervolgvragen, store-only questions, timeouts."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from knoop_esb.config import load
from knoop_esb.routing.sources.base import Antwoord, BronFout
from knoop_esb.routing.table import RouteTable
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF
from knoop_esb.transform import emit
from knoop_esb.transform.model import Adres, Handelsnaam, Vestiging
from knoop_esb.vraag import ordening
from knoop_esb.vraag.dienst import Afnemerhooks, Beantwoorder
from knoop_esb.vraag.evaluatie import Evaluatie
from knoop_esb.vraag.sortering import sorteringen
from tests.fixtures.vraag import AFNEMER, lv01


def ves(nummer: str, naam: str, postcode: str, huisnummer: int, straat="Dorpsstraat", plaats="Utrecht",
        huisletter=None, kvk="12345678") -> Vestiging:
    return Vestiging(nummer, kvk_nummer=kvk, handelsnamen=(Handelsnaam(naam, 0),), eerste_handelsnaam=naam,
                     commercieel=True, hoofdvestiging=False,
                     adressen=(Adres(type="bezoekadres", straatnaam=straat, huisnummer=huisnummer,
                                     huisletter=huisletter, postcode=postcode, plaats=plaats),))


WINKELS = (
    ves("000000000001", "Bakkerij Jansen", "3511AB", 5),
    ves("000000000002", "Aa Fietsen", "3511AB", 3),
    ves("000000000003", "Bakkerij Janssen", "3511AB", 5, huisletter="a"),
    ves("000000000004", "Zuid Bloemen", "3511AC", 1, straat="Zuidweg"),
    ves("000000000005", "Café de Brug", "3511AB", 12),
)


class Bron:
    def __init__(self, naam, objecten=(), bewaart=False, wacht=0.0, fout=None, leeftijd=timedelta(0)):
        self.naam, self.objecten, self.bewaart, self.wacht, self.fout = naam, tuple(objecten), bewaart, wacht, fout
        self.leeftijd = leeftijd
        self.entiteittypen = frozenset({"MAC", "NNP", "VES"})
        self.gevraagd = []

    def vraag(self, vraag):
        self.gevraagd.append(dict(vraag.selectie))
        time.sleep(self.wacht)
        if self.fout:
            raise self.fout
        return Antwoord(bron=self.naam, objecten=self.objecten, fetched_at=datetime.now(timezone.utc) - self.leeftijd)


@pytest.fixture(scope="module")
def config(tmp_path_factory, stuf_schemas_dir):
    path = tmp_path_factory.mktemp("vraag") / "knoop.toml"
    path.write_text(f'[schemas]\ndir = "{stuf_schemas_dir}"\n[vraag]\nkvk_timeout = 0.5\nmaximum_aantal_node = 3\n')
    return load(path, environ={})


def beantwoorder(config, schema_registry, store=(), kvk=(), store_leeftijd=timedelta(0), **kvk_opties):
    bronnen = {"store": Bron("store", store, bewaart=True, leeftijd=store_leeftijd), "kvk": Bron("kvk", kvk, **kvk_opties)}
    geplaatst = []
    hooks = Afnemerhooks(plaats_indicaties=lambda oin, ent, sleutels: geplaatst.append((oin, ent, sleutels)) or True)
    b = Beantwoorder(Evaluatie(RouteTable.from_config(config), bronnen, config.vraag),
                     sorteringen(config.schemas.dir), {"VES": emit.ves, "MAC": emit.mac, "NNP": emit.nnp},
                     schema_registry.validate, config.vraag, hooks=hooks)
    return b, bronnen, geplaatst


def nummers(la01) -> list[str]:
    return [o.findtext(f"{{{BG}}}vestigingsNummer") for o in la01.iterfind(f"{{{BG}}}antwoord/{{{BG}}}object")]


def param(la01, naam) -> str | None:
    return la01.findtext(f"{{{BG}}}parameters/{{{STUF}}}{naam}")


def test_postcode_alone_is_answered_from_the_store_only(config, schema_registry):
    b, bronnen, _ = beantwoorder(config, schema_registry, store=WINKELS)
    la01 = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, sortering=5, maximum=10), AFNEMER)
    assert nummers(la01) == ["000000000002", "000000000001", "000000000003"]
    assert bronnen["kvk"].gevraagd == []
    assert param(la01, "indicatorVervolgvraag") == "true"


def test_sortering_5_postcode_huisnummer_huisletter_handelsnaam(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, store=WINKELS)
    la01 = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, sortering=5, maximum=3), AFNEMER)
    assert nummers(la01) == ["000000000002", "000000000001", "000000000003"]


def test_vervolgvraag_pages_after_the_start_object(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, store=WINKELS)
    eerste = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, sortering=2, maximum=2), AFNEMER)
    assert nummers(eerste) == ["000000000002", "000000000001"]
    laatste = eerste.findall(f"{{{BG}}}antwoord/{{{BG}}}object")[-1]
    laatste.set(f"{{{STUF}}}sleutelOntvangend", laatste.attrib.pop(f"{{{STUF}}}sleutelVerzendend"))
    vervolg = lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, sortering=2, maximum=2, vervolg=True,
                   start=laatste)
    schema_registry.validate(vervolg)
    tweede = b.beantwoord(vervolg, AFNEMER)
    assert nummers(tweede) == ["000000000003", "000000000005"]
    assert param(tweede, "indicatorVervolgvraag") == "false"


def test_maximum_above_node_maximum_gives_stuf0002(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, store=WINKELS)
    la01 = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, maximum=100, aantal=True), AFNEMER)
    assert len(nummers(la01)) == 3
    assert la01.findtext(f"{{{BG}}}melding") == "StUF0002: Meer objecten gevraagd dan teruggegeven"
    assert param(la01, "aantalVoorkomens") == "4"


def test_exact_and_non_exact_handelsnaam(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS)
    exact = b.beantwoord(lv01("VES", {"handelsnaam": "Bakkerij Jans"}), AFNEMER)
    assert nummers(exact) == []
    deels = b.beantwoord(lv01("VES", {"handelsnaam": ("bakkerij jans", False)}, sortering=2), AFNEMER)
    assert nummers(deels) == ["000000000001", "000000000003"]
    accent = b.beantwoord(lv01("VES", {"handelsnaam": ("cafe", False)}), AFNEMER)
    assert nummers(accent) == ["000000000005"]


def test_huisletter_geenwaarde_and_huisnummer_range(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, store=WINKELS, kvk=WINKELS)
    zonder_letter = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB", "verblijfsadres/aoa.huisnummer": 5,
                                              "verblijfsadres/aoa.huisletter": None}), AFNEMER)
    assert nummers(zonder_letter) == ["000000000001"]
    bereik = b.beantwoord(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, vanaf={"verblijfsadres/aoa.huisnummer": 4},
                               tot={"verblijfsadres/aoa.huisnummer": 12}, sortering=5), AFNEMER)
    assert nummers(bereik) == ["000000000001", "000000000003", "000000000005"]


def test_street_and_town_and_tradename_and_town(config, schema_registry):
    b, bronnen, _ = beantwoorder(config, schema_registry, kvk=WINKELS)
    straat = b.beantwoord(lv01("VES", {"verblijfsadres/wpl.woonplaatsNaam": "Utrecht",
                                       "verblijfsadres/gor.openbareRuimteNaam": "Zuidweg"}, sortering=6), AFNEMER)
    assert nummers(straat) == ["000000000004"]
    assert bronnen["kvk"].gevraagd[-1] == {"woonplaats": "Utrecht", "straat": "Zuidweg"}
    naam = b.beantwoord(lv01("VES", {"handelsnaam": ("Bloemen", False), "verblijfsadres/wpl.woonplaatsNaam": "Utrecht"}),
                        AFNEMER)
    assert nummers(naam) == ["000000000004"]


def test_afnemerindicatie_placed_for_delivered_objects(config, schema_registry):
    b, _, geplaatst = beantwoorder(config, schema_registry, kvk=WINKELS[:1])
    la01 = b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}, afnemerindicatie=True), AFNEMER)
    assert param(la01, "indicatorAfnemerIndicatie") == "true"
    assert geplaatst == [(AFNEMER, "VES", ("000000000001",))]


def test_slow_kvk_is_stuf058_within_the_timeout(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS, wacht=2.0)
    begin = time.monotonic()
    with pytest.raises(StufFout) as exc:
        b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert exc.value.code == "StUF058" and "0.5 s" in exc.value.omschrijving
    assert time.monotonic() - begin < 1.5


def test_kvk_bound_vraag_asks_the_store_once(config, schema_registry):
    b, bronnen, _ = beantwoorder(config, schema_registry, store=WINKELS[:1], kvk=WINKELS[:1],
                                 store_leeftijd=timedelta(days=30))
    b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert len(bronnen["store"].gevraagd) == 1 and len(bronnen["kvk"].gevraagd) == 1


def test_slow_kvk_with_a_stale_store_copy_answers_the_copy(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, store=WINKELS[:1], kvk=WINKELS[:1], wacht=2.0,
                           store_leeftijd=timedelta(days=30))
    begin = time.monotonic()
    la01 = b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert nummers(la01) == ["000000000001"] and "KVK nu niet bereikbaar" in la01.findtext(f"{{{BG}}}melding")
    assert time.monotonic() - begin < 1.5


def test_kvk_down_is_stuf058_naming_the_ipd_code(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, fout=BronFout("kvk", "IPD1002", "tijdelijk niet beschikbaar"))
    with pytest.raises(StufFout) as exc:
        b.beantwoord(lv01("MAC", {"kvkNummer": "12345678"}), AFNEMER)
    assert exc.value.code == "StUF058" and "IPD1002" in exc.value.omschrijving


def test_selection_no_source_can_search_is_refused(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS)
    with pytest.raises(StufFout) as exc:
        b.beantwoord(lv01("VES", {"sub.telefoonnummer": "0301234567"}), AFNEMER)
    assert exc.value.code == "StUF058" and "vestigingsNummer" in exc.value.omschrijving


def test_unknown_sortering_is_stuf133(config):
    vraag = type("V", (), {"sortering": 7, "sleutel": None, "entiteittype": "MAC"})()
    with pytest.raises(StufFout) as exc:
        ordening.paden(vraag, sorteringen(config.schemas.dir))
    assert exc.value.code == "StUF133"


def test_stale_store_copy_answered_with_melding_when_kvk_is_down(config, schema_registry):
    b, bronnen, _ = beantwoorder(config, schema_registry, store=WINKELS[:1], store_leeftijd=timedelta(days=30),
                                 fout=BronFout("kvk", "IPD1002", "tijdelijk niet beschikbaar"))
    la01 = b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert nummers(la01) == ["000000000001"]
    assert "KVK nu niet bereikbaar" in la01.findtext(f"{{{BG}}}melding")
    assert bronnen["kvk"].gevraagd == [{"vestigingsnummer": "000000000001"}]


def test_fresh_kvk_answer_is_stored_before_the_answer(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS[:1])
    bewaard = []
    b.evaluatie.opslaan = lambda antwoord: bewaard.append(antwoord.bron)
    b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert bewaard == ["kvk"]


def test_list_question_goes_to_kvk_first_unless_the_store_holds_everything(config, schema_registry):
    vraag = lambda: lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "12345678"})  # noqa: E731
    b, bronnen, _ = beantwoorder(config, schema_registry, store=WINKELS[:1], kvk=WINKELS)
    assert len(nummers(b.beantwoord(vraag(), AFNEMER))) == 3  # node maximum; KVK knows all five
    assert bronnen["kvk"].gevraagd
    volledig = config.replace("vraag", lijsten_uit_opslag=True)
    b, bronnen, _ = beantwoorder(volledig, schema_registry, store=WINKELS[:1], kvk=WINKELS)
    assert nummers(b.beantwoord(vraag(), AFNEMER)) == ["000000000001"]
    assert bronnen["kvk"].gevraagd == []


def test_opslag_stores_a_kvk_answer_with_history(db):
    import dataclasses

    from knoop_esb.store import handelsregister as hr
    from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon
    from knoop_esb.vraag.opslag import Opslag

    vestigingen = tuple(ves(f"00000009{i:04d}", f"Filiaal {i}", "3511AB", i, kvk="99990001") for i in range(1, 4))
    mac = MaatschappelijkeActiviteit("99990001", naam="Keten BV", vestigingen=vestigingen,
                                     eigenaar=NietNatuurlijkPersoon(rsin="999900001", statutaire_naam="Keten B.V."))
    eerst = datetime.now(timezone.utc) - timedelta(hours=1)
    Opslag(db)(Antwoord(bron="kvk", objecten=(mac,), fetched_at=eerst))
    gewijzigd = dataclasses.replace(vestigingen[0], eerste_handelsnaam="Filiaal Nieuw",
                                    handelsnamen=(Handelsnaam("Filiaal Nieuw", 0),))
    later = datetime.now(timezone.utc)
    Opslag(db)(Antwoord(bron="kvk", objecten=(dataclasses.replace(mac, vestigingen=(gewijzigd,) + vestigingen[1:]),),
                        fetched_at=later))
    with db.session() as s:
        assert len(hr.formele_historie(s, "MAC", "99990001")) == 2  # its data holds the vestigingen
        assert len(hr.formele_historie(s, "NNP", "999900001")) == 1
        assert hr.actueel(s, "NNP", "999900001").fetched_at == later
        assert len(hr.formele_historie(s, "VES", "000000090001")) == 2
        assert len(hr.formele_historie(s, "VES", "000000090002")) == 1
        assert [v.sleutel for v in hr.zoek_vestigingen(s, handelsnaam="Filiaal Nieuw")] == ["000000090001"]


def test_short_kvk_search_entries_never_overwrite_stored_profiles():
    import dataclasses

    from knoop_esb.vraag.opslag import te_bewaren

    kort = dataclasses.replace(WINKELS[0], alleen_basis=True)
    assert te_bewaren(kort) == []
    assert [m for _, m in te_bewaren(WINKELS[0])] == [WINKELS[0]]


def test_schema_invalid_answer_is_stuf058_never_sent(config, schema_registry, captured_logs):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS[:1])

    def kapot(model, scope):
        obj = emit.ves(model, scope)
        etree.SubElement(obj, f"{{{BG}}}geenElementVanBG").text = "x"
        return obj

    b.emitters = {"VES": kapot}
    with pytest.raises(StufFout) as exc:
        b.beantwoord(lv01("VES", {"vestigingsNummer": "000000000001"}), AFNEMER)
    assert exc.value.code == "StUF058"
    assert any(e["event"] == "la01_niet_schema_conform" for e in captured_logs)


def test_selecting_on_an_unsearchable_sortering_is_stuf133(config, schema_registry):
    b, _, _ = beantwoorder(config, schema_registry, kvk=WINKELS)
    with pytest.raises(StufFout) as exc:
        b.beantwoord(lv01("VES", {"sub.telefoonnummer": "0301234567"}, sortering=3), AFNEMER)
    assert exc.value.code == "StUF133"
