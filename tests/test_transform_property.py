"""Property: any KVK-shaped input becomes schema-valid StUF-BG objects (antwoord and kennisgeving)
or a MappingFout with a clear message — never another exception."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knoop_esb.transform import diff, emit, kvk
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import NietNatuurlijkPersoon
from tests.fixtures.transform import la01, lk01

tekst = st.one_of(st.none(), st.text(max_size=300), st.sampled_from(["", "   ", "Ja", "Nee", "Amsterdam", "1034 wl"]),
                  st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF), max_size=40))
cijfers = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731
datum = st.one_of(st.none(), st.sampled_from(["20170108", "20150600", "20150000", "00000000", "2017-01-08", "x"]),
                  cijfers(8))
ja_nee = st.one_of(st.none(), st.sampled_from(["Ja", "Nee", "ja", "J", True, False, "misschien"]))
getal = st.one_of(st.none(), st.integers(min_value=-5, max_value=200000), st.sampled_from(["12", "", "a"]))

adres = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["bezoekadres", "correspondentieadres", "postadres", "iets"]),
    "indAfgeschermd": ja_nee, "volledigAdres": tekst, "straatnaam": tekst, "huisnummer": getal,
    "huisletter": tekst, "huisnummerToevoeging": tekst, "postcode": tekst, "postbusnummer": getal,
    "plaats": tekst, "land": st.one_of(tekst, st.just("Nederland")), "straatHuisnummer": tekst,
    "postcodeWoonplaats": tekst, "regio": tekst,
    "geoData": st.fixed_dictionaries({}, optional={"addresseerbaarObjectId": st.one_of(st.none(), cijfers(16), tekst),
                                                   "nummerAanduidingId": st.one_of(st.none(), cijfers(16), tekst)}),
})
naam = st.fixed_dictionaries({"naam": tekst}, optional={"volgorde": getal})
sbi = st.fixed_dictionaries({"sbiCode": st.one_of(cijfers(4), cijfers(5), tekst)},
                            optional={"sbiOmschrijving": tekst, "indHoofdactiviteit": ja_nee})
vestiging = st.fixed_dictionaries({"vestigingsnummer": st.one_of(cijfers(12), cijfers(8))}, optional={
    "indHoofdvestiging": ja_nee, "indCommercieleVestiging": ja_nee, "eersteHandelsnaam": tekst,
    "materieleRegistratie": st.fixed_dictionaries({}, optional={"datumAanvang": datum, "datumEinde": datum}),
    "adressen": st.lists(adres, max_size=3), "websites": st.lists(tekst, max_size=2),
    "handelsnamen": st.lists(naam, max_size=3), "sbiActiviteiten": st.lists(sbi, max_size=3),
    "totaalWerkzamePersonen": getal, "links": st.just([{"rel": "self", "href": "x"}]),
})
basisprofiel = st.fixed_dictionaries({"kvkNummer": st.one_of(cijfers(8), tekst)}, optional={
    "naam": tekst, "statutaireNaam": tekst, "indNonMailing": ja_nee, "formeleRegistratiedatum": datum,
    "materieleRegistratie": st.fixed_dictionaries({}, optional={"datumAanvang": datum, "datumEinde": datum}),
    "handelsnamen": st.lists(naam, max_size=3), "sbiActiviteiten": st.lists(sbi, max_size=4),
    "totaalWerkzamePersonen": getal,
    "_embedded": st.fixed_dictionaries({}, optional={
        "hoofdvestiging": vestiging,
        "eigenaar": st.fixed_dictionaries({}, optional={
            "rsin": st.one_of(st.none(), cijfers(9), tekst),
            "rechtsvorm": st.one_of(tekst, st.sampled_from(["Eenmanszaak", "Besloten Vennootschap",
                                                             "PubliekrechtelijkeRechtspersoon"])),
            "adressen": st.lists(adres, max_size=2), "websites": st.lists(tekst, max_size=2)}),
    }),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=basisprofiel, lijst=st.lists(vestiging, max_size=3))
def test_any_kvk_input_is_valid_stuf_or_mapping_fout(data, lijst, bg_validator):
    try:
        model = kvk.basisprofiel(data, vestigingen={"vestigingen": lijst})
    except MappingFout as fout:
        assert str(fout).strip()
        return
    bg_validator.validate(la01("MAC", emit.mac(model)))
    if isinstance(model.eigenaar, NietNatuurlijkPersoon):
        bg_validator.validate(la01("NNP", emit.nnp(model)))
    for ves in model.alle_vestigingen():
        bg_validator.validate(la01("VES", emit.ves(ves, mac=model)))
    for kg in diff.kennisgevingen(None, model):
        bg_validator.validate(lk01(kg.entiteittype, kg.mutatiesoort, *kg.objecten()))
