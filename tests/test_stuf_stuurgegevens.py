"""Stuurgegevens: parse, write in the schema's order, answer (stuf0301 §4.3/§4.4.1), StUF tijd formats."""
import datetime as dt
import threading

import pytest
from lxml import etree

from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF
from tests.fixtures.stuf import AFNEMER, NODE, la01_skeleton, vraag_stuurgegevens

S = f"{{{STUF}}}"
LV01 = f"""<BG:nnpLv01 xmlns:BG="{BG}" xmlns:StUF="{STUF}"><BG:stuurgegevens>
  <StUF:berichtcode>Lv01</StUF:berichtcode>
  <StUF:zender><StUF:organisatie>00000001001234567000</StUF:organisatie><StUF:applicatie>ZAAKSYS</StUF:applicatie>
    <StUF:administratie>BG</StUF:administratie><StUF:gebruiker>piet</StUF:gebruiker></StUF:zender>
  <StUF:ontvanger><StUF:organisatie>00000099000000000000</StUF:organisatie><StUF:applicatie>KNOOP</StUF:applicatie></StUF:ontvanger>
  <StUF:referentienummer> ref-0001 </StUF:referentienummer>
  <StUF:tijdstipBericht>20261123101500123</StUF:tijdstipBericht>
  <StUF:entiteittype>NNP</StUF:entiteittype>
</BG:stuurgegevens></BG:nnpLv01>"""


def test_parse_a_vraag():
    stuur = sg.van_bericht(etree.fromstring(LV01))
    assert stuur == vraag_stuurgegevens()


def test_round_trip_keeps_schema_order():
    stuur = sg.Stuurgegevens("Lk01", AFNEMER, NODE, "r1", "20260101120000000", "NNP", "x1", functie="update")
    element = sg.to_element(stuur, BG)
    assert element.tag == f"{{{BG}}}stuurgegevens"
    assert [etree.QName(c).localname for c in element] == [
        "berichtcode", "zender", "ontvanger", "referentienummer", "tijdstipBericht", "crossRefnummer",
        "entiteittype", "functie"]
    assert [etree.QName(c).localname for c in element.find(f"{S}zender")] == [
        "organisatie", "applicatie", "administratie", "gebruiker"]
    assert sg.parse(element) == stuur


def test_parse_without_berichtcode_is_stuf055():
    with pytest.raises(StufFout) as exc:
        sg.parse(etree.fromstring(f'<StUF:stuurgegevens xmlns:StUF="{STUF}"/>'))
    assert exc.value.code == "StUF055"
    with pytest.raises(StufFout):
        sg.van_bericht(etree.fromstring(f'<BG:nnpLv01 xmlns:BG="{BG}"/>'))


def test_antwoord_op_swaps_and_cross_references():
    vraag = vraag_stuurgegevens()
    antwoord = sg.antwoord_op(vraag, "La01")
    assert (antwoord.zender, antwoord.ontvanger) == (NODE, AFNEMER)
    assert antwoord.cross_refnummer == "ref-0001"
    assert antwoord.entiteittype == "NNP"
    assert 0 < len(antwoord.referentienummer) <= 40 and antwoord.referentienummer != vraag.referentienummer
    assert len(antwoord.tijdstip_bericht) == 17 and antwoord.tijdstip_bericht.isdigit()
    zonder_ontvanger = sg.Stuurgegevens("Lv01", zender=AFNEMER, referentienummer="r")
    assert sg.antwoord_op(zonder_ontvanger, "La01", node_systeem=NODE).zender == NODE


@pytest.mark.parametrize("entiteittype", ["NNP", "MAC", "VES"])
def test_la01_skeleton_validates(schema_registry, entiteittype):
    la01 = la01_skeleton(entiteittype)
    schema_registry.validate(la01)
    stuur = sg.van_bericht(la01)
    assert (stuur.berichtcode, stuur.entiteittype, stuur.cross_refnummer) == ("La01", entiteittype, "ref-0001")


def test_tijdstip_is_dutch_wall_clock():
    winter = dt.datetime(2026, 1, 15, 11, 30, 5, 123456, tzinfo=dt.timezone.utc)
    zomer = dt.datetime(2026, 7, 15, 11, 30, 5, 9000, tzinfo=dt.timezone.utc)
    assert sg.tijdstip(winter) == "20260115123005123"
    assert sg.tijdstip(zomer) == "20260715133005009"
    assert sg.parse_tijdstip("20260115123005123") == winter.replace(microsecond=123000)
    assert sg.parse_tijdstip("20260115") == dt.datetime(2026, 1, 15, tzinfo=sg.TIJDZONE)


def test_tijdstip_bericht_strictly_increases_across_threads():
    seen: list[str] = []
    lock = threading.Lock()

    def work():
        local = [sg.tijdstip_bericht() for _ in range(200)]
        with lock:
            seen.extend(local)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == len(seen) == 800


def test_datum():
    assert sg.datum(dt.date(2026, 3, 9)) == "20260309"
    assert sg.parse_datum("20260309") == dt.date(2026, 3, 9)
    for bad in ("2026030", "20261340", "abcdefgh"):
        with pytest.raises(StufFout) as exc:
            sg.parse_datum(bad)
        assert exc.value.code == "StUF055"
    for bad in ("2026", "2026011512300512345", "20261301"):
        with pytest.raises(StufFout):
            sg.parse_tijdstip(bad)
