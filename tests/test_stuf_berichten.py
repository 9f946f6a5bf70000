"""Bv01/Bv03 bevestigingsberichten against the official stuf0301.xsd (stuf0301 §4.4.1)."""
from knoop_esb.stuf import berichten, foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import STUF
from tests.fixtures.stuf import AFNEMER, NODE, vraag_stuurgegevens

S = f"{{{STUF}}}"


def test_bv03_accepts_an_asynchronous_message(schema_registry):
    kennisgeving = vraag_stuurgegevens("Lk01", referentienummer="lk-1")
    bv03 = berichten.bv03(kennisgeving)
    schema_registry.validate(bv03)
    assert bv03.tag == f"{S}Bv03Bericht"
    stuur = sg.van_bericht(bv03)
    assert (stuur.berichtcode, stuur.zender, stuur.ontvanger, stuur.cross_refnummer) == ("Bv03", NODE, AFNEMER, "lk-1")
    assert [c.tag for c in bv03] == [f"{S}stuurgegevens"]


def test_bv03_when_the_message_named_no_ontvanger_uses_the_node(schema_registry):
    kennisgeving = sg.Stuurgegevens("Lk01", zender=AFNEMER, referentienummer="lk-2", tijdstip_bericht="20260101")
    bv03 = berichten.bv03(kennisgeving, node=NODE)
    schema_registry.validate(bv03)
    assert sg.van_bericht(bv03).zender == NODE


def test_bv01_with_meldingen(schema_registry):
    bv01 = berichten.bv01(vraag_stuurgegevens("Lk01"), meldingen=[foutcodes.STUF0004.melding(), "m" * 400])
    schema_registry.validate(bv01)
    meldingen = [m.text for m in bv01.findall(f"{S}melding")]
    assert meldingen[0] == "StUF0004: Actuele gegevens nu inconsistent met historische"
    assert len(meldingen[1]) == 250
    assert sg.van_bericht(bv01).berichtcode == "Bv01"


def test_each_bevestiging_gets_a_fresh_referentienummer_and_later_tijdstip(schema_registry):
    oorzaak = vraag_stuurgegevens("Lk01")
    a, b = sg.van_bericht(berichten.bv03(oorzaak)), sg.van_bericht(berichten.bv03(oorzaak))
    assert a.referentienummer != b.referentienummer
    assert b.tijdstip_bericht > a.tijdstip_bericht
