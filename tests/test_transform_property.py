"""Property: any KVK-shaped input becomes schema-valid StUF-BG objects (antwoord and kennisgeving)
or a MappingFout with a clear message — never another exception."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knoop_esb.transform import diff, emit, kvk
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import NietNatuurlijkPersoon
from knoop_esb.transform.scope import Scope
from knoop_esb.transform.tabellen import VOLGORDE
from tests.fixtures.transform import la01, lk01

GOLDEN = Path(__file__).parent / "golden" / "transform" / "input"

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


_MAC_NAMEN = sorted(set(VOLGORDE["MAC"]) | {"StUF:tijdstipRegistratie"})
_VES_NAMEN = sorted(VOLGORDE["VES"])
_NNP_NAMEN = sorted(VOLGORDE["NNP"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mac_namen=st.sets(st.sampled_from(_MAC_NAMEN)), ves_namen=st.sets(st.sampled_from(_VES_NAMEN)),
       nnp_namen=st.sets(st.sampled_from(_NNP_NAMEN)), kern=st.booleans())
def test_any_scope_gives_valid_answers(mac_namen, ves_namen, nnp_namen, kern, bg_validator):
    """Whatever elements an Lv01 asks for, the answer validates (noValue where there is no value)."""
    model = kvk.basisprofiel(json.loads((GOLDEN / "bv_statutaire_naam_rsin.json").read_text())["basisprofiel"])
    ves_scope = Scope(elementen=frozenset(ves_namen), relaties={})
    mac_scope = Scope(elementen=frozenset(mac_namen), relaties={
        "oefentActiviteitUitIn": ves_scope, "heeftAlsEigenaar": Scope(elementen=frozenset(nnp_namen), relaties={})},
        kerngegevens_gerelateerden=kern)
    bg_validator.validate(la01("MAC", emit.mac(model, mac_scope)))
    bg_validator.validate(la01("VES", emit.ves(model.hoofdvestiging, ves_scope, mac=model)))
    bg_validator.validate(la01("NNP", emit.nnp(model, Scope(elementen=frozenset(nnp_namen)))))
