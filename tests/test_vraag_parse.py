"""Lv01 → Vraag and the StUF 03.01 §6.3 foutsituaties a schema cannot catch."""
from __future__ import annotations

import pytest
from lxml import etree

from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF
from knoop_esb.transform.scope import Scope
from knoop_esb.vraag.parse import parse
from tests.fixtures.vraag import lv01


def code(body) -> str:
    with pytest.raises(StufFout) as exc:
        parse(body)
    return exc.value.code


def test_permits_application_question(schema_registry):
    body = lv01("VES", {"handelsnaam": ("Bakkerij", False), "verblijfsadres/wpl.woonplaatsNaam": "Utrecht"},
                sortering=2, maximum=100, afnemerindicatie=True, aantal=True)
    schema_registry.validate(body)
    vraag = parse(body)
    assert (vraag.entiteittype, vraag.berichtcode, vraag.sortering, vraag.maximum_aantal) == ("VES", "vesLv01", 2, 100)
    assert vraag.indicator_afnemerindicatie and vraag.indicator_aantal and not vraag.indicator_vervolgvraag
    naam, plaats = vraag.gelijk
    assert (naam.pad, naam.waarde, naam.exact) == ("handelsnaam", "Bakkerij", False)
    assert (plaats.pad, plaats.waarde, plaats.exact) == ("verblijfsadres/wpl.woonplaatsNaam", "Utrecht", True)
    assert vraag.stuurgegevens.zender.organisatie == "00000099000000000001"


def test_novalue_geenwaarde_is_a_criterion_and_waardeonbekend_is_ignored(schema_registry):
    body = lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB", "verblijfsadres/aoa.huisnummer": "5",
                        "verblijfsadres/aoa.huisletter": None})
    schema_registry.validate(body)
    huisletter = parse(body).gelijk[-1]
    assert (huisletter.pad, huisletter.no_value, huisletter.waarde) == ("verblijfsadres/aoa.huisletter", "geenWaarde", None)
    body.find(f".//{{{BG}}}aoa.huisletter").set(f"{{{STUF}}}noValue", "waardeOnbekend")
    assert [c.pad for c in parse(body).gelijk] == ["verblijfsadres/aoa.postcode", "verblijfsadres/aoa.huisnummer"]


def test_scope_attribute_and_elements():
    assert parse(lv01("MAC", {"kvkNummer": "68750110"}, scope="alles")).scope == Scope()
    explicit = parse(lv01("VES", {"vestigingsNummer": "000037178598"},
                          scope=["vestigingsNummer", "handelsnaam", "verblijfsadres/aoa.postcode"])).scope
    assert explicit.elementen == frozenset({"vestigingsNummer", "handelsnaam", "verblijfsadres"})


def test_stuf097_scope_attribute_with_content():
    body = lv01("MAC", {"kvkNummer": "68750110"}, scope=["kvkNummer"])
    body.find(f"{{{BG}}}scope/{{{BG}}}object").set(f"{{{STUF}}}scope", "alles")
    assert code(body) == "StUF097"


def test_stuf076_vanaf_and_totenmet_differ():
    body = lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, vanaf={"verblijfsadres/aoa.huisnummer": 1},
                tot={"vestigingsNummer": "999999999999"})
    assert code(body) == "StUF076"


def test_stuf079_element_in_gelijk_and_range():
    body = lv01("VES", {"verblijfsadres/aoa.huisnummer": 3}, vanaf={"verblijfsadres/aoa.huisnummer": 1},
                tot={"verblijfsadres/aoa.huisnummer": 9})
    assert code(body) == "StUF079"


def test_stuf082_exact_in_range():
    body = lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, vanaf={"handelsnaam": ("A", False)},
                tot={"handelsnaam": "B"})
    assert code(body) == "StUF082"


def test_stuf085_incomplete_date_in_range():
    body = lv01("MAC", {"kvkNummer": "68750110"}, vanaf={"datumAanvang": "20200000"}, tot={"datumAanvang": "20211231"})
    assert code(body) == "StUF085"


def test_stuf088_two_keys_and_stuf091_key_with_criteria():
    attrs = {f"{{{STUF}}}sleutelOntvangend": "68750110", f"{{{STUF}}}sleutelGegevensbeheer": "68750110"}
    assert code(lv01("MAC", gelijk_attr=attrs)) == "StUF088"
    assert code(lv01("MAC", {"kvkNummer": "68750110"},
                     gelijk_attr={f"{{{STUF}}}sleutelOntvangend": "68750110"})) == "StUF091"
    assert code(lv01("MAC", gelijk_attr={f"{{{STUF}}}sleutelVerzendend": "X1"})) == "StUF094"


def test_stuf103_vervolgvraag_without_start_and_stuf106_start_missing_range_element():
    assert code(lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, vervolg=True)) == "StUF103"
    start = etree.fromstring(f'<BG:object xmlns:BG="{BG}" xmlns:StUF="{STUF}" StUF:entiteittype="VES">'
                             '<BG:vestigingsNummer>000000000001</BG:vestigingsNummer></BG:object>')
    body = lv01("VES", {"verblijfsadres/aoa.postcode": "3511AB"}, vervolg=True, start=start,
                vanaf={"handelsnaam": "A"}, tot={"handelsnaam": "M"})
    assert code(body) == "StUF106"


def test_berichtcode_and_entiteittype_mismatch():
    body = lv01("MAC", {"kvkNummer": "68750110"})
    body.find(f".//{{{STUF}}}entiteittype").text = "VES"
    assert code(body) == "StUF031"
    body = lv01("MAC", {"kvkNummer": "68750110"})
    body.find(f".//{{{STUF}}}berichtcode").text = "Lv03"
    assert code(body) == "StUF025"
