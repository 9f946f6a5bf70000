"""KVK REST JSON → model, exactly as KVK sends it (kvk/FACTS.md §1.7 shape gotchas), and the JSON
round trip the store relies on."""
from __future__ import annotations

import json

import pytest

from knoop_esb.transform import kvk
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NatuurlijkPersoon, NietNatuurlijkPersoon

# The real test-environment answer for 69599084 (open-forms cassette, FACTS §1.7), abridged.
EMZ = {
    "kvkNummer": "69599084", "indNonMailing": "Ja", "naam": "Test EMZ Dagobert",
    "formeleRegistratiedatum": "20170710", "materieleRegistratie": {"datumAanvang": "20170108"},
    "totaalWerkzamePersonen": 1,
    "handelsnamen": [{"naam": "Test EMZ Dagobert", "volgorde": 0}, {"naam": "Dagobert Duck Bedrijven", "volgorde": 1}],
    "sbiActiviteiten": [{"sbiCode": "10110", "sbiOmschrijving": "Slachterijen", "indHoofdactiviteit": "Ja"},
                        {"sbiCode": "10120", "sbiOmschrijving": "Pluimveeslachterijen", "indHoofdactiviteit": "Nee"}],
    "links": [{"rel": "self", "href": "https://api.kvk.nl/test/api/v1/basisprofielen/69599084"}],
    "_embedded": {
        "hoofdvestiging": {
            "vestigingsnummer": "000038509504", "kvkNummer": "69599084", "indHoofdvestiging": "Ja",
            "adressen": [{"type": "bezoekadres", "indAfgeschermd": "Nee",
                          "volledigAdres": "Abebe Bikilalaan 17 M                  1034WL Amsterdam",
                          "straatnaam": "Abebe Bikilalaan", "huisnummer": 17, "huisletter": "M",
                          "postcode": "1034WL", "plaats": "Amsterdam", "land": "Nederland"}],
            "_links": {"self": {"href": "x"}},
        },
        "eigenaar": {"rechtsvorm": "Eenmanszaak", "uitgebreideRechtsvorm": "Eenmanszaak"},
    },
    "eenNieuwVeldVanKvk": {"genegeerd": True},
}


def test_basisprofiel_shapes():
    m = kvk.basisprofiel(EMZ)
    assert m.kvk_nummer == "69599084" and m.non_mailing is True
    assert [h.volgorde for h in m.handelsnamen] == [0, 1]  # volgorde from 0 is kept; the emitter renumbers
    assert m.sbi_activiteiten[0].hoofdactiviteit and not m.sbi_activiteiten[1].hoofdactiviteit
    adres = m.hoofdvestiging.adres("bezoekadres")
    assert adres.volledig_adres == "Abebe Bikilalaan 17 M 1034WL Amsterdam"  # padding collapsed
    assert adres.huisletter == "M" and adres.postcode == "1034WL"
    assert isinstance(m.eigenaar, NatuurlijkPersoon) and m.eigenaar.rechtsvorm == "Eenmanszaak"
    assert m.hoofdvestiging.handelsnamen == m.handelsnamen  # embedded hoofdvestiging omits them


def test_missing_fields_become_none():
    m = kvk.basisprofiel({"kvkNummer": "12345678"})
    assert m == MaatschappelijkeActiviteit(kvk_nummer="12345678")


def test_incomplete_dates_and_postcode_with_space():
    data = dict(EMZ, materieleRegistratie={"datumAanvang": "20150600", "datumEinde": "00000000"})
    m = kvk.basisprofiel(data)
    assert m.datum_aanvang == "20150600" and m.datum_einde is None
    ves = kvk.vestigingsprofiel({"vestigingsnummer": "37178598", "adressen": [{"postcode": "1034 wl", "huisletter": ""}]})
    assert ves.vestigingsnummer == "000037178598"  # third-party unpadded form accepted
    assert ves.adressen[0].postcode == "1034WL" and ves.adressen[0].huisletter is None


@pytest.mark.parametrize("data,plek", [
    ({}, "basisprofiel.kvkNummer"),
    ({"kvkNummer": "1234567X"}, "basisprofiel.kvkNummer"),
    ({"kvkNummer": "12345678", "materieleRegistratie": {"datumAanvang": "gisteren"}}, "datumAanvang"),
    ({"kvkNummer": "12345678", "handelsnamen": "geen lijst"}, "basisprofiel.handelsnamen"),
    ({"kvkNummer": "12345678", "sbiActiviteiten": [{"sbiCode": "62.01"}]}, "sbiCode"),
])
def test_unusable_input_is_a_mapping_fout(data, plek):
    with pytest.raises(MappingFout) as exc:
        kvk.basisprofiel(data)
    assert plek in str(exc.value)


def test_not_an_object():
    with pytest.raises(MappingFout, match="verwacht een JSON-object"):
        kvk.basisprofiel(["niet", "goed"])


def test_bv_eigenaar_is_nnp_with_statutaire_naam_and_rsin():
    data = dict(EMZ, statutaireNaam="Donald B.V.",
                _embedded={"eigenaar": {"rsin": "857453437", "rechtsvorm": "Besloten Vennootschap"}})
    m = kvk.basisprofiel(data)
    assert m.eigenaar == NietNatuurlijkPersoon(rsin="857453437", statutaire_naam="Donald B.V.",
                                               rechtsvorm="Besloten Vennootschap")


def test_zoeken_both_link_shapes_and_grouping():
    data = {"pagina": 1, "resultatenPerPagina": 10, "totaal": 3, "resultaten": [
        {"kvkNummer": "69599084", "vestigingsnummer": "000038509520", "naam": "Test EMZ Nevenvestiging Govert",
         "adres": {"binnenlandsAdres": {"type": "bezoekadres", "straatnaam": "Geneinde", "plaats": "Maastricht"}},
         "type": "nevenvestiging", "_links": {"basisprofiel": {"href": "x"}}},
        {"kvkNummer": "69599084", "vestigingsnummer": "000038509504", "naam": "Test EMZ Dagobert",
         "type": "hoofdvestiging", "links": [{"rel": "basisprofiel", "href": "x"}]},
        {"kvkNummer": "68750110", "rsin": "857453437", "naam": "Test BV Donald", "type": "rechtspersoon"},
    ]}
    emz, bv = kvk.zoeken(data)
    assert emz.naam == "Test EMZ Dagobert" and len(emz.vestigingen) == 2
    assert emz.vestigingen[0].adres("bezoekadres").plaats == "Maastricht"
    assert bv.eigenaar.rsin == "857453437" and bv.vestigingen == ()


def test_naamgeving_commercieel_and_niet_commercieel():
    data = {"kvkNummer": "69599068", "rsin": "857453450", "statutaireNaam": "Stichting Bolderbast",
            "naam": "Test Stichting Bolderbast", "startdatum": "20170101", "vestigingen": [
                {"vestigingsnummer": "990064773193", "naam": "Bolderbast", "ookGenoemd": "BB"},
                {"vestigingsnummer": "990064773207", "eersteHandelsnaam": "Bolder Winkel",
                 "handelsnamen": [{"naam": "Bolder Winkel", "volgorde": 0}]}]}
    m = kvk.naamgeving(data)
    ncv, cvs = m.vestigingen
    assert ncv.commercieel is False and ncv.naam == "Bolderbast"
    assert cvs.commercieel is True and cvs.handelsnamen[0].naam == "Bolder Winkel"
    assert m.eigenaar.statutaire_naam == "Stichting Bolderbast" and m.datum_aanvang == "20170101"


def test_json_round_trip():
    m = kvk.basisprofiel(EMZ, vestigingen={"vestigingen": [
        {"vestigingsnummer": "000038509520", "indHoofdvestiging": "Nee", "indAdresAfgeschermd": "Nee",
         "volledigAdres": "Geneinde 1 6221AA Maastricht"}]})
    data = json.loads(json.dumps(m.to_dict()))
    assert data["kvkNummer"] == "69599084" and data["eigenaar"]["soort"] == "natuurlijkPersoon"
    assert MaatschappelijkeActiviteit.from_dict(data) == m
    nnp = dict(data, eigenaar={"soort": "nietNatuurlijkPersoon", "rsin": "857453437", "onbekendVeld": 1})
    assert MaatschappelijkeActiviteit.from_dict(nnp).eigenaar == NietNatuurlijkPersoon(rsin="857453437")


def test_zoeken_and_naamgeving_models_emit_valid_objects(bg_validator):
    from knoop_esb.transform import emit
    from tests.fixtures.transform import la01

    zoek = kvk.zoeken({"resultaten": [
        {"kvkNummer": "69599084", "vestigingsnummer": "000038509520", "naam": "Govert", "type": "nevenvestiging",
         "adres": {"binnenlandsAdres": {"type": "bezoekadres", "straatnaam": "Geneinde", "huisnummer": 1,
                                        "postcode": "6221AA", "plaats": "Maastricht"}}},
        {"kvkNummer": "68750110", "rsin": "857453437", "naam": "Test BV Donald", "type": "rechtspersoon"}]})
    naam = kvk.naamgeving({"kvkNummer": "69599068", "rsin": "857453450", "statutaireNaam": "Stichting Bolderbast",
                           "vestigingen": [{"vestigingsnummer": "990064773193", "naam": "Bolderbast"}]})
    for m in zoek + (naam,):
        bg_validator.validate(la01("MAC", emit.mac(m)))
        for v in m.alle_vestigingen():
            bg_validator.validate(la01("VES", emit.ves(v, mac=m)))
    bg_validator.validate(la01("NNP", emit.nnp(naam)))
