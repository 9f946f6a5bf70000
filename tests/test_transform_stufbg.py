"""StUF-BG 0310 objects → model (``transform.stufbg``), the inverse of ``emit``: every golden
registration survives emit → read → emit unchanged, and a W pair from ``diff`` turns the old state
into the new one — or is refused when its 'oud' is not the state it is applied to."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.transform import diff, emit, kvk, stufbg, stufhr, wijziging
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (Adres, Communicatie, Functionaris, Handelsnaam, MaatschappelijkeActiviteit,
                                       NatuurlijkPersoon, NietNatuurlijkPersoon, SbiActiviteit)
from tests.fixtures.transform import la01, lk01
from tests.test_transform_diff import OUD, _ves

GOLDEN = Path(__file__).parent / "golden" / "transform" / "input"
EMIT = {"MAC": emit.mac, "NNP": emit.nnp, "VES": emit.ves}


def _c14n(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def _registratie(pad: Path) -> MaatschappelijkeActiviteit:
    if pad.suffix == ".xml":
        return stufhr.maatschappelijke_activiteit(pad.read_bytes())
    data = json.loads(pad.read_text(encoding="utf-8"))
    return kvk.basisprofiel(data["basisprofiel"], vestigingen=data.get("vestigingen"),
                            vestigingsprofielen=tuple(data.get("vestigingsprofielen", ())))


def _objecten(ma: MaatschappelijkeActiviteit):
    yield "MAC", ma
    if isinstance(ma.eigenaar, NietNatuurlijkPersoon):
        yield "NNP", ma.eigenaar
    for ves in ma.alle_vestigingen():
        yield "VES", ves


@pytest.mark.parametrize("pad", sorted(GOLDEN.iterdir()), ids=lambda p: p.stem)
def test_golden_registrations_survive_emit_read_emit(pad, bg_validator):
    for ent, obj in _objecten(_registratie(pad)):
        uit = EMIT[ent](obj, soort=emit.KENNISGEVING)
        terug = stufbg.object_naar_model(uit)
        assert _c14n(EMIT[ent](terug, soort=emit.KENNISGEVING)) == _c14n(uit), f"{pad.stem} {ent}"
        bg_validator.validate(lk01(ent, "T", EMIT[ent](terug, soort=emit.KENNISGEVING)))
        if ent != "MAC":  # a MAC's gerelateerde vestigingen in an Lk01 carry less than in an La01
            antwoord = EMIT[ent](obj)
            assert _c14n(EMIT[ent](stufbg.object_naar_model(antwoord))) == _c14n(antwoord), f"{pad.stem} {ent} La01"
            bg_validator.validate(la01(ent, EMIT[ent](stufbg.object_naar_model(antwoord))))


def test_read_gives_the_model_fields_and_relations():
    nnp = NietNatuurlijkPersoon(
        rsin="857453437", statutaire_naam="Donald B.V.", rechtsvorm="Besloten Vennootschap", statutaire_zetel="IJlst",
        datum_aanvang="20170100", adressen=(Adres(type="correspondentieadres", postbusnummer=12, postcode="8650AA",
                                                  plaats="IJlst"),),
        communicatie=Communicatie(telefoonnummer="0515123456"), websites=("https://donald.example",),
        bijzondere_rechtstoestand="F",
        functionarissen=(Functionaris(NatuurlijkPersoon(bsn="111222333", geslachtsnaam="Duck", voornamen="Donald"),
                                      functie="Bestuurder", datum_aanvang="20170101"),))
    terug = stufbg.object_naar_model(emit.nnp(nnp, soort=emit.KENNISGEVING))
    assert terug == replace(nnp, functionarissen=(replace(nnp.functionarissen[0], persoon=replace(
        nnp.functionarissen[0].persoon)),))
    mac = stufbg.object_naar_model(emit.mac(OUD, soort=emit.KENNISGEVING))
    assert mac.eigenaar.rsin == "857453437" and mac.sbi_activiteiten == (SbiActiviteit("62010", "Programmeren", True),)
    assert sorted(v.vestigingsnummer for v in mac.vestigingen) == ["000037178591", "000037178592", "000037178593"]
    assert all(v.alleen_basis and v.kvk_nummer == "68750110" for v in mac.vestigingen)
    ves = stufbg.object_naar_model(emit.ves(_ves("000037178591"), soort=emit.KENNISGEVING))
    assert ves.kvk_nummer == "68750110" and ves.adres("bezoekadres").postcode == "8651PA"


NIEUW = replace(OUD, sbi_activiteiten=(SbiActiviteit("62020", "Advies", True),),
                handelsnamen=(Handelsnaam("Donald", 0), Handelsnaam("Duck", 1)),
                eigenaar=replace(OUD.eigenaar, statutaire_naam="Donald Holding B.V."),
                hoofdvestiging=_ves("000037178591", adressen=(Adres(type="bezoekadres", straatnaam="Kerkstraat",
                                                                    huisnummer=1, postcode="8651AB", plaats="IJlst"),)),
                vestigingen=(_ves("000037178592", datum_einde="20251231"), _ves("000037178594")))


@pytest.mark.parametrize("ent,sleutel", [("MAC", "68750110"), ("NNP", "857453437"), ("VES", "000037178591"),
                                         ("VES", "000037178592")])
def test_a_W_pair_turns_the_old_state_into_the_new_one(ent, sleutel):
    [kg] = [k for k in diff.kennisgevingen(OUD, NIEUW) if (k.entiteittype, k.sleutel) == (ent, sleutel)]
    assert kg.mutatiesoort == "W"
    oud_el, nieuw_el = kg.objecten()
    uitkomst = wijziging.pas_toe(kg.oud, oud_el, nieuw_el, EMIT[ent](kg.oud, soort=emit.KENNISGEVING))
    verwacht = kg.nieuw
    if ent == "MAC":  # changes of the eigenaar and a vestiging travel in their own nnpLk01/vesLk01
        verwacht = replace(verwacht, eigenaar=OUD.eigenaar, hoofdvestiging=OUD.hoofdvestiging)
    assert _c14n(EMIT[ent](uitkomst, soort=emit.KENNISGEVING)) == _c14n(EMIT[ent](verwacht, soort=emit.KENNISGEVING))
    if ent == "MAC":
        ended = {v.vestigingsnummer: v for v in uitkomst.alle_vestigingen()}
        assert ended["000037178592"].datum_einde == "20251231"  # E: ended
        assert "000037178593" not in ended and "000037178594" in ended  # V: removed, T: added
        assert uitkomst.hoofdvestiging.vestigingsnummer == "000037178591"  # what the W did not touch stays


def test_a_W_whose_oud_is_not_the_stored_state_is_refused():
    [kg] = [k for k in diff.kennisgevingen(OUD, NIEUW) if k.entiteittype == "MAC"]
    oud_el, nieuw_el = kg.objecten()
    with pytest.raises(wijziging.VoorwaardeFout) as exc:  # applied again: the store already holds the new state
        wijziging.pas_toe(kg.nieuw, oud_el, nieuw_el, emit.mac(kg.nieuw, soort=emit.KENNISGEVING))
    assert {"handelsnamen", "sbi_activiteiten", "oefentActiviteitUitIn[000037178593]"} <= set(exc.value.elementen)


def test_replaced_eigenaar_and_moved_vestiging():
    ander = NietNatuurlijkPersoon(rsin="111222333", statutaire_naam="Ander B.V.", rechtsvorm="Stichting")
    [kg] = [k for k in diff.kennisgevingen(OUD, replace(OUD, eigenaar=ander)) if k.entiteittype == "MAC"]
    uitkomst = wijziging.pas_toe(kg.oud, *kg.objecten(), emit.mac(kg.oud, soort=emit.KENNISGEVING))
    assert uitkomst.eigenaar == ander  # R: the relation replaced
    verhuisd = replace(OUD, kvk_nummer="90000001")
    [kg] = [k for k in diff.kennisgevingen(OUD, verhuisd) if (k.entiteittype, k.sleutel) == ("VES", "000037178591")]
    uitkomst = wijziging.pas_toe(kg.oud, *kg.objecten(), emit.ves(kg.oud, soort=emit.KENNISGEVING))
    assert uitkomst.kvk_nummer == "90000001"


def test_unusable_objects_raise_MappingFout():
    mac = emit.mac(OUD, soort=emit.KENNISGEVING)
    mac.remove(mac.find(mac[0].tag))  # no kvkNummer
    with pytest.raises(MappingFout, match="kvkNummer"):
        stufbg.object_naar_model(mac)
    ander = emit.ves(_ves("000037178591"), soort=emit.KENNISGEVING)
    ander.set("{http://www.egem.nl/StUF/StUF0301}entiteittype", "NPS")
    with pytest.raises(MappingFout, match="NPS"):
        stufbg.object_naar_model(ander)
    [kg] = [k for k in diff.kennisgevingen(OUD, NIEUW) if k.entiteittype == "NNP"]
    oud_el, _ = kg.objecten()
    with pytest.raises(MappingFout, match="hetzelfde object"):
        wijziging.pas_toe(OUD, oud_el, emit.ves(_ves("000037178591"), soort=emit.KENNISGEVING),
                         emit.mac(OUD, soort=emit.KENNISGEVING))


def test_every_rule_of_the_mapping_tables_has_its_inverse():
    from knoop_esb.transform.tabellen import TABELLEN

    assert {rij.regel for tabel in TABELLEN.values() for rij in tabel} <= set(stufbg.LEZERS)
