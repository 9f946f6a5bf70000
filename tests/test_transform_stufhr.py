"""StUF-HR 0300 → model: the elements the VNG mapping names, functionarissen, bijzondere
rechtstoestand, and clear errors for unusable input."""
from __future__ import annotations

from pathlib import Path

import pytest

from knoop_esb.stuf.ns import BG, STUF
from knoop_esb.transform import diff, emit, stufhr
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import NatuurlijkPersoon
from tests.fixtures.transform import la01, lk01

VOF = (Path(__file__).parent / "golden" / "transform" / "input" / "hr_vof_twee_eigenaren.xml").read_bytes()
NS = {"BG": BG, "StUF": STUF}


def test_vof_with_two_vennoten():
    m = stufhr.maatschappelijke_activiteit(VOF)
    assert m.kvk_nummer == "69599076" and m.onderneming is True
    assert [h.naam for h in m.handelsnamen] == ["Guus & Gijs", "G&G Handel"]
    assert m.registratietijdstip == "20150302090000"  # the largest registratieTijdstip within the MAC
    vennoten = m.eigenaar.functionarissen
    assert [(f.persoon.geslachtsnaam, f.functie) for f in vennoten] == [("Gans", "Vennoot"), ("Goochem", "Vennoot")]
    assert all(isinstance(f.persoon, NatuurlijkPersoon) for f in vennoten)
    cvs, ncv = sorted(m.alle_vestigingen(), key=lambda v: v.vestigingsnummer)
    assert cvs.communicatie.telefoonnummer == "0736123456" and cvs.adres("correspondentieadres").postbusnummer == 2050
    assert cvs.adres("bezoekadres").postcode == "5211JV" and ncv.naam == "Stichtingsloket Guus en Gijs"


def test_functionarissen_and_bijzondere_rechtstoestand_in_bg(bg_validator):
    xml = VOF.replace(b"<HR:datumAanvang>20150301</HR:datumAanvang>\n            <HR:heeftAansprakelijke>",
                      b"<HR:datumAanvang>20150301</HR:datumAanvang><HR:bijzondereRechtstoestand><HR:faillissement/>"
                      b"</HR:bijzondereRechtstoestand>\n            <HR:heeftAansprakelijke>")
    m = stufhr.maatschappelijke_activiteit(xml)
    assert m.eigenaar.bijzondere_rechtstoestand == "F"
    obj = emit.nnp(m)
    bg_validator.validate(la01("NNP", obj))
    assert obj.xpath("StUF:extraElementen/StUF:extraElement[@naam='bijzondereRechtstoestand']/text()", namespaces=NS) == ["F"]
    assert len(obj.findall("BG:inn.heeftAlsFunctionaris", NS)) == 2
    for kg in diff.kennisgevingen(None, m):
        bg_validator.validate(lk01(kg.entiteittype, kg.mutatiesoort, *kg.objecten()))


@pytest.mark.parametrize("xml,match", [
    (b"<niet-gesloten", "geen geldige XML"),
    (b"<x xmlns='http://www.kvk.nl/StUF/sector/hr/0300'><y/></x>", "geen MAC of OND"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b"<x xmlns='http://www.kvk.nl/StUF/sector/hr/0300'><kvkNummer>&e;</kvkNummer></x>", "kvkNummer"),
])
def test_unusable_stufhr(xml, match):
    with pytest.raises(MappingFout, match=match):
        stufhr.maatschappelijke_activiteit(xml)
