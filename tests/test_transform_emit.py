"""Model → StUF-BG 0310 objects: the VNG rules, scope and noValue, kennisgeving flavours, volume;
every message validated against the official schemas."""
from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, STUF, XSI
from knoop_esb.transform import emit
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (
    Adres, Handelsnaam, MaatschappelijkeActiviteit, NatuurlijkPersoon, NietNatuurlijkPersoon, SbiActiviteit, Vestiging,
)
from knoop_esb.transform.scope import Scope, uit_object
from tests.fixtures.transform import la01, lk01

NS = {"BG": BG, "StUF": STUF}
LANG = "Publiekrechtelijke rechtspersoon met een heel erg lange naam"

BEZOEK = Adres(type="bezoekadres", straatnaam="Burgemeester van Nispen tot Sevenaerstraat", huisnummer=12,
               huisnummer_toevoeging="bis-2", postcode="1034 wl", plaats="Amsterdam", land="Nederland",
               bag_nummeraanduiding_id="0363200000000001", bag_adresseerbaar_object_id="0363010000000001")
POST = Adres(type="correspondentieadres", postbusnummer=100, postcode="1000AA", plaats="Amsterdam", land="Nederland")


def _mac(**kw) -> MaatschappelijkeActiviteit:
    ves = Vestiging(vestigingsnummer="000038509504", kvk_nummer="69599084", commercieel=True, hoofdvestiging=True,
                    handelsnamen=(Handelsnaam("Dagobert", 0),), adressen=(BEZOEK, POST),
                    sbi_activiteiten=(SbiActiviteit("6201", "Programmeren", False), SbiActiviteit("1011", "Slachten", True),
                                      SbiActiviteit("1012", "Pluimvee", True)),
                    datum_aanvang="20170108")
    base = dict(kvk_nummer="69599084", datum_aanvang="20170108", handelsnamen=(Handelsnaam("X" * 250, 0),),
                sbi_activiteiten=ves.sbi_activiteiten, hoofdvestiging=ves,
                eigenaar=NietNatuurlijkPersoon(rsin="857453437", statutaire_naam="Donald B.V.", rechtsvorm=LANG,
                                               statutaire_zetel="Sint-Oedenrode en omstreken in Noord-Brabant",
                                               adressen=(BEZOEK,)))
    base.update(kw)
    return MaatschappelijkeActiviteit(**base)


def _tekst(el, pad):
    return [e.text for e in el.xpath(pad, namespaces=NS)]


def test_vng_rules(bg_validator):
    m = _mac()
    obj = emit.mac(m)
    bg_validator.validate(la01("MAC", obj))
    assert _tekst(obj, "BG:handelsnaam") == ["X" * 197 + "..."]  # cut to 197 + '...'
    assert _tekst(obj, "BG:activiteit/BG:code") == ["000000000001011", "000000000001012", "000000000006201"]
    assert _tekst(obj, "BG:activiteit/BG:indicatieHoofdactiviteit") == ["J", "N", "N"]  # only the first 'Ja'
    assert _tekst(obj, "BG:activiteit/BG:volgorde") == ["1", "2", "3"]
    nnp = emit.nnp(m)
    bg_validator.validate(la01("NNP", nnp))
    assert _tekst(nnp, "BG:inn.rechtsvorm") == [LANG[:40]]
    assert _tekst(nnp, "BG:inn.statutaireZetel") == ["Sint-Oedenrode en omstreken in Noord-Bra"]
    assert _tekst(nnp, "BG:inn.nnpId") == ["857453437"] and _tekst(nnp, "BG:authentiek") == ["J"]
    assert _tekst(nnp, "BG:bezoekadres/BG:aoa.identificatie") == ["0363200000000001"]


def test_vestiging_addresses(bg_validator):
    m = _mac()
    obj = emit.ves(m.hoofdvestiging, mac=m)
    bg_validator.validate(la01("VES", obj))
    adres = obj.find("BG:verblijfsadres", NS)
    assert _tekst(adres, "BG:gor.openbareRuimteNaam") == [BEZOEK.straatnaam]
    assert _tekst(adres, "BG:gor.straatnaam") == []  # only when at most 24 characters
    assert _tekst(adres, "BG:aoa.postcode") == ["1034WL"]
    assert _tekst(adres, "BG:aoa.huisnummertoevoeging") == ["bis2"]
    assert _tekst(adres, "BG:authentiek") == ["N"]
    post = obj.find("BG:sub.correspondentieAdres", NS)
    assert _tekst(post, "BG:sub.postadresType") == ["P"] and _tekst(post, "BG:sub.postadresNummer") == ["100"]
    assert _tekst(obj, "BG:typeringVestiging") == ["Hoofdvestiging"]
    assert _tekst(obj, "BG:oefentActiviteitenUitVoor/BG:gerelateerde/BG:kvkNummer") == ["69599084"]


def test_afgeschermd_adres_withheld(bg_validator):
    m = _mac()
    ves = replace(m.hoofdvestiging, adressen=tuple(replace(a, afgeschermd=True) for a in m.hoofdvestiging.adressen))
    obj = emit.ves(ves)
    bg_validator.validate(la01("VES", obj))
    assert obj.find("BG:verblijfsadres", NS) is None and obj.find("BG:sub.correspondentieAdres", NS) is None


def test_explicit_scope_writes_novalue(bg_validator):
    scope = Scope(elementen=frozenset({"kvkNummer", "datumEinde", "datumVoortzetting", "oefentActiviteitUitIn"}),
                  relaties={"oefentActiviteitUitIn": Scope(elementen=frozenset({"vestigingsNummer", "sub.telefoonnummer"}))})
    obj = emit.mac(_mac(), scope)
    bg_validator.validate(la01("MAC", obj))
    namen = [etree.QName(c).localname for c in obj]
    assert namen == ["kvkNummer", "datumVoortzetting", "datumEinde", "oefentActiviteitUitIn"]
    assert obj.find("BG:datumEinde", NS).get(f"{{{STUF}}}noValue") == "geenWaarde"
    assert obj.find("BG:datumEinde", NS).get(f"{{{XSI}}}nil") == "true"
    assert obj.find("BG:datumVoortzetting", NS).get(f"{{{STUF}}}noValue") == "waardeOnbekend"
    tel = obj.find("BG:oefentActiviteitUitIn/BG:gerelateerde/BG:sub.telefoonnummer", NS)
    assert tel.get(f"{{{STUF}}}noValue") == "waardeOnbekend"


def test_scope_from_lv01_object():
    xml = f"""<BG:object xmlns:BG="{BG}" xmlns:StUF="{STUF}" StUF:entiteittype="MAC">
      <BG:kvkNummer xmlns:xsi="{XSI}" xsi:nil="true"/><BG:handelsnaam/>
      <BG:oefentActiviteitUitIn StUF:entiteittype="MACVES"><BG:gerelateerde StUF:entiteittype="VES">
        <BG:vestigingsNummer/></BG:gerelateerde></BG:oefentActiviteitUitIn></BG:object>"""
    scope = uit_object(etree.fromstring(xml))
    assert scope.elementen == {"kvkNummer", "handelsnaam", "oefentActiviteitUitIn"}
    assert scope.relatie("oefentActiviteitUitIn", "VES").elementen == {"vestigingsNummer"}
    assert scope.relatie("heeftAlsEigenaar", "NNP") is None
    alles = uit_object(etree.fromstring(f'<o xmlns:StUF="{STUF}" StUF:scope="allesMaarKerngegevensGerelateerden"/>'))
    assert alles.elementen is None and alles.relatie("oefentActiviteitUitIn", "VES").elementen >= {"vestigingsNummer"}


def test_eenmanszaak_owner_unknown(bg_validator):
    obj = emit.mac(_mac(eigenaar=NatuurlijkPersoon(rechtsvorm="Eenmanszaak")))
    bg_validator.validate(la01("MAC", obj))
    rel = obj.find("BG:heeftAlsEigenaar", NS)
    assert rel.get(f"{{{STUF}}}noValue") == "waardeOnbekend" and len(rel) == 0
    with pytest.raises(MappingFout, match="natuurlijk persoon"):
        emit.nnp(_mac(eigenaar=NatuurlijkPersoon(rechtsvorm="Eenmanszaak")))
    named = emit.mac(_mac(eigenaar=NatuurlijkPersoon(bsn="123456782", geslachtsnaam="Duck", voornamen="Dagobert")))
    bg_validator.validate(la01("MAC", named))


@pytest.mark.parametrize("ent", ["MAC", "NNP", "VES"])
def test_kennisgeving_flavour_validates(ent, bg_validator):
    m = _mac()
    obj = {"MAC": lambda: emit.mac(m, soort="kennisgeving"), "NNP": lambda: emit.nnp(m, soort="kennisgeving"),
           "VES": lambda: emit.ves(m.hoofdvestiging, mac=m, soort="kennisgeving")}[ent]()
    assert obj.get(f"{{{STUF}}}verwerkingssoort") == "T"
    bg_validator.validate(lk01(ent, "T", obj))


def test_more_than_1000_vestigingen(bg_validator):
    vestigingen = tuple(
        Vestiging(vestigingsnummer=f"{990000000000 + i:012d}", kvk_nummer="90006577", hoofdvestiging=i == 0,
                  eerste_handelsnaam=f"Filiaal {i}", alleen_basis=True,
                  adressen=(Adres(type="bezoekadres", volledig_adres=f"Straat {i} 1234AB Plaats"),))
        for i in range(1200)
    )
    m = MaatschappelijkeActiviteit(kvk_nummer="90006577", vestigingen=vestigingen[::-1], aantal_vestigingen=1200)
    obj = emit.mac(m)
    bg_validator.validate(la01("MAC", obj))
    nummers = _tekst(obj, "BG:oefentActiviteitUitIn/BG:gerelateerde/BG:vestigingsNummer")
    assert len(nummers) == 1200 and nummers == sorted(nummers)  # sorteringRelatie: vestigingsNummer
    bg_validator.validate(lk01("MAC", "T", emit.mac(m, soort="kennisgeving")))


def test_wrong_model_type():
    with pytest.raises(MappingFout):
        emit.mac(Vestiging(vestigingsnummer="000000000001"))
    with pytest.raises(MappingFout):
        emit.ves(_mac())
