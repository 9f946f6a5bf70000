"""Two model states → nnp/mac/vesLk01 kennisgevingen (T/W/V), each validated as a full Lk01."""
from __future__ import annotations

from dataclasses import replace

from knoop_esb.stuf.ns import BG, STUF
from knoop_esb.transform.diff import Kennisgeving, kennisgevingen
from knoop_esb.transform.model import (
    Adres, Handelsnaam, MaatschappelijkeActiviteit, NietNatuurlijkPersoon, SbiActiviteit, Vestiging,
)
from tests.fixtures.transform import lk01

NS = {"BG": BG, "StUF": STUF}
VS = f"{{{STUF}}}verwerkingssoort"
NOVALUE = f"{{{STUF}}}noValue"


def _ves(nr: str, kvk: str = "68750110", **kw) -> Vestiging:
    base = dict(vestigingsnummer=nr, kvk_nummer=kvk, commercieel=True, hoofdvestiging=nr.endswith("1"),
                handelsnamen=(Handelsnaam("Donald", 0),), datum_aanvang="20170101",
                adressen=(Adres(type="bezoekadres", straatnaam="Hizzaarderlaan", huisnummer=3, postcode="8651PA",
                                plaats="IJlst"),))
    base.update(kw)
    return Vestiging(**base)


OUD = MaatschappelijkeActiviteit(
    kvk_nummer="68750110", datum_aanvang="20170101", handelsnamen=(Handelsnaam("Donald", 0),),
    sbi_activiteiten=(SbiActiviteit("62010", "Programmeren", True),),
    eigenaar=NietNatuurlijkPersoon(rsin="857453437", statutaire_naam="Donald B.V.", rechtsvorm="Besloten Vennootschap"),
    hoofdvestiging=_ves("000037178591"), vestigingen=(_ves("000037178592"), _ves("000037178593")),
)


def _valideer(kgs, bg_validator):
    for kg in kgs:
        objecten = kg.objecten()
        assert len(objecten) == (2 if kg.mutatiesoort == "W" else 1)
        bg_validator.validate(lk01(kg.entiteittype, kg.mutatiesoort, *objecten))


def test_new_registration_is_all_t(bg_validator):
    kgs = kennisgevingen(None, OUD)
    assert [(k.entiteittype, k.mutatiesoort) for k in kgs] == [("MAC", "T"), ("NNP", "T")] + [("VES", "T")] * 3
    _valideer(kgs, bg_validator)


def test_no_change_no_kennisgeving():
    assert kennisgevingen(OUD, OUD) == []


def test_change_gives_oud_huidig_with_only_changes(bg_validator):
    nieuw = replace(OUD, sbi_activiteiten=(SbiActiviteit("62020", "Advies", True),),
                    eigenaar=replace(OUD.eigenaar, statutaire_naam="Donald Holding B.V."),
                    vestigingen=(_ves("000037178592", datum_einde="20251231"),))
    kgs = {(k.entiteittype, k.sleutel): k for k in kennisgevingen(OUD, nieuw)}
    mac = kgs[("MAC", "68750110")]
    assert mac.mutatiesoort == "W" and set(mac.gewijzigd) == {"activiteit", "oefentActiviteitUitIn"}
    oud, huidig = mac.objecten()
    assert oud.get(VS) == huidig.get(VS) == "W"
    assert huidig.find("BG:datumAanvang", NS) is None  # unchanged, not a kerngegeven: left out
    assert huidig.find("BG:kvkNummer", NS).text == "68750110"  # kerngegeven always there
    rel_oud = oud.findall("BG:oefentActiviteitUitIn", NS)
    rel_huidig = huidig.findall("BG:oefentActiviteitUitIn", NS)
    soorten = sorted((o.get(VS), h.get(VS), h.get(NOVALUE)) for o, h in zip(rel_oud, rel_huidig))
    assert soorten == [("E", "E", "geenWaarde"), ("V", "V", "geenWaarde")]  # 592 ended, 593 gone
    assert kgs[("NNP", "857453437")].gewijzigd == ("statutaireNaam",)
    # An ended vestiging: its datumEinde and the end (E) of its relation to the MAC.
    assert kgs[("VES", "000037178592")].gewijzigd == ("datumEinde", "oefentActiviteitenUitVoor")
    assert kgs[("VES", "000037178593")].mutatiesoort == "V"
    _valideer(kgs.values(), bg_validator)


def test_transfer_to_new_kvk_number(bg_validator):
    """The old registration ends; the new one continues its vestiging: vesLk01 W replaces the MAC (R)."""
    ves_oud = _ves("000037178591", kvk="68750110")
    oud = replace(OUD, hoofdvestiging=ves_oud, vestigingen=())
    beeindigd = replace(oud, datum_einde="20240101", hoofdvestiging=None)
    opvolger = MaatschappelijkeActiviteit(
        kvk_nummer="90001745", datum_aanvang="20240101", datum_voortzetting="20240101",
        handelsnamen=(Handelsnaam("Donald", 0),),
        eigenaar=NietNatuurlijkPersoon(rsin="857453528", statutaire_naam="Doorstart B.V."),
        hoofdvestiging=replace(ves_oud, kvk_nummer="90001745"))
    oud_kgs = kennisgevingen(oud, beeindigd)
    assert [(k.entiteittype, k.mutatiesoort) for k in oud_kgs] == [("MAC", "W"), ("VES", "V")]
    _valideer(oud_kgs, bg_validator)
    nieuw_kgs = kennisgevingen(None, opvolger)
    _valideer(nieuw_kgs, bg_validator)
    # Seen from the vestiging (same vestigingsnummer in both registrations): the MAC it works for is replaced.
    kg = Kennisgeving("VES", "W", "000037178591", ves_oud, opvolger.hoofdvestiging, ("oefentActiviteitenUitVoor",),
                      oud, opvolger)
    oud_el, huidig_el = kg.objecten()
    assert oud_el.find("BG:oefentActiviteitenUitVoor", NS).get(VS) == "R"
    assert huidig_el.find("BG:oefentActiviteitenUitVoor/BG:gerelateerde/BG:kvkNummer", NS).text == "90001745"
    bg_validator.validate(lk01("VES", "W", oud_el, huidig_el))


def test_deleted_registration_is_all_v(bg_validator):
    kgs = kennisgevingen(OUD, None)
    assert {k.mutatiesoort for k in kgs} == {"V"}
    _valideer(kgs, bg_validator)
