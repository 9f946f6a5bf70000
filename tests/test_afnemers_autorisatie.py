"""Doelbinding: default deny, profiles as data, selection keys, attribute/relation filtering —
on objects the transform area emits (golden files), and the result still valid StUF-BG."""
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.afnemers import autorisatie
from knoop_esb.afnemers.profielen import PROFIELEN, Regel
from knoop_esb.afnemers.registry import AfnemerInfo
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF

GOLDEN = Path(__file__).parent / "golden" / "transform" / "expected"


def afnemer(*regels, actief=True):
    return AfnemerInfo(oin="00000099000000000001", naam="t", profiel="2W-be", applicatie="", kennisgeving_url="",
                       actief=actief, regels=tuple(regels))


def golden_la01(name, index=0):
    return etree.parse(str(GOLDEN / name)).getroot()[index]


def objecten(la01):
    return la01.find(f"{{{BG}}}antwoord").findall(f"{{{BG}}}object")


def namen(obj):
    return [etree.QName(c).localname for c in obj]


def test_default_deny():
    assert not autorisatie.mag_vragen(None, "vesLv01", "VES").toegestaan
    assert not autorisatie.mag_vragen(afnemer(), "vesLv01", "VES").toegestaan
    assert not autorisatie.mag_vragen(afnemer(*PROFIELEN["handelsregister"], actief=False), "vesLv01", "VES").toegestaan
    with pytest.raises(StufFout) as fout:
        autorisatie.controleer_vraag(afnemer(Regel("Lv01", "MAC")), "vesLv01", "VES")
    assert fout.value.code == "StUF052" and "Lv01 VES" in fout.value.details
    obj = objecten(golden_la01("vof_twee_eigenaren.xml"))[0]
    assert autorisatie.filter_antwoord(afnemer(), obj).element is None


def test_handelsregister_profile_allows_every_bericht_and_everything():
    a = afnemer(*PROFIELEN["handelsregister"])
    for code in ("nnpLv01", "macLv01", "vesLv01", "Lk01", "vesLk01"):
        for et in ("NNP", "MAC", "VES"):
            besluit = autorisatie.mag_vragen(a, code, et, ["handelsnaam", "verblijfsadres/aoa.postcode"])
            assert besluit.toegestaan and besluit.doel
    assert not autorisatie.mag_vragen(a, "npsLv01", "NPS").toegestaan
    obj = objecten(golden_la01("vof_twee_eigenaren.xml"))[0]
    gefilterd = autorisatie.filter_antwoord(a, obj)
    assert etree.tostring(gefilterd.element) == etree.tostring(obj, with_tail=False)
    assert gefilterd.element is not obj
    assert "kvkNummer" in gefilterd.attribuut_paden and "activiteit/code" in gefilterd.attribuut_paden


def test_selection_keys():
    a = afnemer(Regel("Lv01", "VES", selectie=("vestigingsNummer", "verblijfsadres")))
    assert autorisatie.mag_vragen(a, "vesLv01", "VES", ["verblijfsadres/aoa.postcode", "verblijfsadres/aoa.huisnummer"]).toegestaan
    refused = autorisatie.mag_vragen(a, "vesLv01", "VES", ["handelsnaam"])
    assert not refused.toegestaan and "handelsnaam" in refused.reden


def test_attribute_and_relation_filter_keeps_keys_and_metadata(bg_validator):
    a = afnemer(Regel("Lv01", "VES", attributen=("handelsnaam", "verblijfsadres/aoa.postcode", "verblijfsadres/wpl.woonplaatsNaam"),
                      relaties=()))
    la01 = golden_la01("eenmanszaak_twee_vestigingen.xml", 1)
    obj = objecten(la01)[0]
    gefilterd = autorisatie.filter_antwoord(a, obj)
    kept = namen(gefilterd.element)
    assert kept[0] == "vestigingsNummer"  # the key always stays
    assert "handelsnaam" in kept and "authentiek" in kept and "tijdstipRegistratie" in kept
    assert "activiteit" not in kept and "typeringVestiging" not in kept
    assert not any(c.get(f"{{{STUF}}}entiteittype") for c in gefilterd.element)  # relations gone
    adres = gefilterd.element.find(f"{{{BG}}}verblijfsadres")
    assert {etree.QName(c).localname for c in adres} <= {"aoa.postcode", "wpl.woonplaatsNaam", "authentiek"}
    assert set(gefilterd.attribuut_paden) >= {"vestigingsNummer", "handelsnaam"}
    assert not any(p.startswith("activiteit") for p in gefilterd.attribuut_paden)
    assert "activiteit" in namen(obj)  # the original is untouched
    antwoord = la01.find(f"{{{BG}}}antwoord")
    for o in list(antwoord):
        antwoord.remove(o)
    antwoord.append(gefilterd.element)
    bg_validator.validate(la01)


def test_filtered_answer_is_still_schema_valid(bg_validator):
    a = afnemer(*PROFIELEN["handelsregister-basis"])
    checked = 0
    for name in ("eenmanszaak_twee_vestigingen.xml", "vof_twee_eigenaren.xml", "bv_statutaire_naam_rsin.xml"):
        golden = etree.parse(str(GOLDEN / name)).getroot()
        for la01 in golden:
            antwoord = la01.find(f"{{{BG}}}antwoord")
            for obj in list(antwoord):
                gefilterd = autorisatie.filter_antwoord(a, obj).element
                antwoord.remove(obj)
                if gefilterd is not None:
                    antwoord.append(gefilterd)
            if len(antwoord):  # NNP is not in this profile: those answers end up empty
                bg_validator.validate(la01)
                checked += 1
    assert checked >= 3


def test_berichtcode_van():
    assert autorisatie.berichtcode_van("vesLv01") == "Lv01"
    assert autorisatie.berichtcode_van("Lk01") == "Lk01"
