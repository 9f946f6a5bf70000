"""Model → StUF-BG 0310 ``object`` elements (NNP, MAC, VES) by the mapping tables in ``tabellen``.

``mac``/``nnp``/``ves`` return the ``BG:object`` of an La01 (vraagAntwoord); with
``soort="kennisgeving"`` the same function returns the ``BG:object`` of an Lk01 (mutatie schema),
with StUF:verwerkingssoort on the object, its relations and gerelateerden. Which elements and
relations appear is the :class:`~knoop_esb.transform.scope.Scope` (None = StUF:scope="alles").
Elements come out in the bg0310 sequence order, filtered to what the flavour's schema type allows,
so every object validates against the official schemas.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from lxml import etree

from knoop_esb.transform import regels
from knoop_esb.transform import stufxml as x
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (
    MaatschappelijkeActiviteit,
    NatuurlijkPersoon,
    NietNatuurlijkPersoon,
    Vestiging,
)
from knoop_esb.transform.scope import ALLES, Scope
from knoop_esb.transform.tabellen import KERN_ADRES, TABELLEN, TOEGESTAAN, VOLGORDE

ANTWOORD = "antwoord"
KENNISGEVING = "kennisgeving"

# Elements that cannot carry xsi:nil + StUF:noValue (groups, metagegeven-typed, choice partners).
_NIET_NILLABLE = frozenset({"activiteit", "verblijfsadres", "bezoekadres", "sub.correspondentieAdres", "authentiek",
                            "ann.identificatie", "inOnderzoek", "StUF:tijdvakGeldigheid", "StUF:extraElementen"})
# Relation elements and their entiteittype; the TGO (BAG object) relations are not supported.
_RELATIES = {"heeftAlsEigenaar": "MACRPS", "oefentActiviteitUitIn": "MACVES", "oefentActiviteitenUitVoor": "VESMAC",
             "rps.isEigenaarVan": "NNPMAC", "inn.heeftAlsFunctionaris": "NNPRPS",
             "heeftAlsHoofdLocatie": "VESTGOHFD", "heeftAlsNevenLocatie": "VESTGONVN"}
_NIET_ONDERSTEUNDE_RELATIES = frozenset({"heeftAlsNevenLocatie"})


@dataclass(frozen=True)
class _Ctx:
    entiteit: str
    soort: str
    scope: Scope
    kennisgeving: bool

    @property
    def kern_adres(self) -> bool:
        return (self.entiteit, self.soort) in KERN_ADRES


# --- rules that need the whole object or the flavour ---------------------------------------------


def _mac_handelsnamen(doel: str, ma: MaatschappelijkeActiviteit, ctx: _Ctx) -> list:
    """OND handelsnamen; without them (no onderneming) the eigenaar's naam, as the VNG MAC row says."""
    if ma.handelsnamen:
        return regels.r_handelsnamen(doel, ma.handelsnamen, ctx)
    naam = ma.eigenaar.statutaire_naam if isinstance(ma.eigenaar, NietNatuurlijkPersoon) else None
    naam = naam or ma.naam
    return [x.element("handelsnaam", regels.handelsnaam_200(naam)), x.element("volgorde", 1)] if naam else []


def _ves_handelsnamen(doel: str, ves: Vestiging, ctx: _Ctx) -> list:
    if ves.handelsnamen:
        return regels.r_handelsnamen(doel, ves.handelsnamen, ctx)
    naam = ves.naam or ves.eerste_handelsnaam  # NCV naam → handelsnaam; else KVK's eersteHandelsnaam
    if not naam:
        return []
    out = [x.element("handelsnaam", regels.handelsnaam_200(naam))]
    if ves.naam and ves.naam_verkort:
        out.append(x.element("handelsnaamVerkort", regels.inkorten(ves.naam_verkort, 45)))
    return out + [x.element("volgorde", 1)]


def _tijdstip_registratie(doel: str, obj: Any, ctx: _Ctx) -> list:
    waarde = getattr(obj, "registratietijdstip", None) or getattr(obj, "formele_registratiedatum", None)
    return [x.element(doel, waarde)] if waarde else []


def _adres_keuze(obj: Any, naam: str, ctx: _Ctx) -> list:
    """bezoekLocatie → verblijfsadres/bezoekadres; a buitenlands adres (bezoek, else post) → sub.verblijfBuitenland."""
    bezoek, post = obj.adres("bezoekadres"), obj.adres("correspondentieadres")
    el = regels.verblijfsadres(naam, bezoek, ctx.kern_adres)
    if el is None:
        el = regels.verblijf_buitenland(bezoek)
    if el is None and (bezoek is None or not bezoek.buitenlands):
        el = regels.verblijf_buitenland(post)
    return [el] if el is not None else []


def _correspondentie(doel: str, obj: Any, ctx: _Ctx) -> list:
    post = obj.adres("correspondentieadres")
    bezoek = obj.adres("bezoekadres")
    if post is None and bezoek is not None and bezoek.postbusnummer:
        post = bezoek  # a bezoekLocatie with a postbusnummer maps to sub.correspondentieAdres
    el = regels.correspondentieadres(post)
    return [el] if el is not None else []


_GROEP_REGELS: dict[str, Callable] = {
    "mac_handelsnamen": _mac_handelsnamen,
    "ves_handelsnamen": _ves_handelsnamen,
    "tijdstip_registratie": _tijdstip_registratie,
    "verblijfsadres": lambda doel, obj, ctx: _adres_keuze(obj, "verblijfsadres", ctx),
    "bezoekadres": lambda doel, obj, ctx: _adres_keuze(obj, "bezoekadres", ctx),
    "correspondentieadres": _correspondentie,
    "authentiek_nee": lambda doel, waarde, ctx: [x.metagegeven(doel, "N")] if waarde else [],
}


def _regel(naam: str) -> Callable:
    return _GROEP_REGELS.get(naam) or regels.REGELS[naam]


# --- object assembly -----------------------------------------------------------------------------


_RIJEN: dict[tuple[str, str], tuple] = {}


def _rijen(entiteit: str, soort: str) -> tuple:
    """The table rows a flavour allows, with their rule functions resolved once."""
    key = (entiteit, soort)
    if key not in _RIJEN:
        toegestaan = TOEGESTAAN[key]
        _RIJEN[key] = tuple((rij, _regel(rij.regel)) for rij in TABELLEN[entiteit] if rij.doel in toegestaan)
    return _RIJEN[key]


def _velden(obj: Any, ctx: _Ctx) -> dict[str, list]:
    toegestaan = TOEGESTAAN[(ctx.entiteit, ctx.soort)]
    per_doel: dict[str, list] = {}
    alles = ctx.scope.elementen is None and ctx.scope.metagegevens
    for rij, regel in _rijen(ctx.entiteit, ctx.soort):
        if not alles and not ctx.scope.wil(rij.doel):
            continue
        waarde = obj if rij.bron == "." else getattr(obj, rij.bron)
        els = [e for e in regel(rij.doel, waarde, ctx) if e.naam in toegestaan]
        if not els and ctx.scope.expliciet and rij.doel not in _NIET_NILLABLE:
            els = [x.geen(rij.doel, rij.leeg)]
        per_doel[rij.doel] = els
    if ctx.scope.expliciet:
        for naam in ctx.scope.elementen - per_doel.keys():
            if naam in toegestaan and naam in VOLGORDE[ctx.entiteit] and naam not in _NIET_NILLABLE:
                if naam in _RELATIES:
                    reden = x.NIET_ONDERSTEUND if naam in _NIET_ONDERSTEUNDE_RELATIES else x.GEEN_WAARDE
                    per_doel[naam] = [x.lege_relatie(naam, _RELATIES[naam], reden,
                                                     "T" if ctx.kennisgeving else None)]
                else:
                    per_doel[naam] = [x.geen(naam, x.NIET_ONDERSTEUND)]
    return per_doel


def _object(entiteit: str, obj: Any, soort: str, scope: Scope, relaties: dict[str, list],
            naam: str = "object", sleutel: str | None = None, kennisgeving: bool = False) -> x.Knoop:
    ctx = _Ctx(entiteit, soort, scope, kennisgeving)
    per_doel = _velden(obj, ctx)
    per_doel.update({k: v for k, v in relaties.items() if v})
    children = [el for key in VOLGORDE[entiteit] for el in per_doel.get(key, ())]
    return x.entiteit(naam, entiteit, children, sleutel=sleutel, verwerkingssoort="T" if kennisgeving else None)


def _tijdvak_relatie(begin: str | None, einde: str | None) -> list:
    if not begin:
        return []
    eind = x.datum("StUF:eindRelatie", einde) if einde else x.geen("StUF:eindRelatie", x.GEEN_WAARDE)
    return [x.element("StUF:tijdvakRelatie", children=[x.datum("StUF:beginRelatie", begin), eind])]


def _relatie(naam: str, entiteittype: str, gerelateerde: x.Knoop, kennisgeving: bool,
             begin: str | None = None, einde: str | None = None) -> x.Knoop:
    return x.entiteit(naam, entiteittype, [gerelateerde] + _tijdvak_relatie(begin, einde),
                      verwerkingssoort="T" if kennisgeving else None)


# --- relations -----------------------------------------------------------------------------------


def _heeft_kerngegeven(persoon: NatuurlijkPersoon | NietNatuurlijkPersoon) -> bool:
    if isinstance(persoon, NatuurlijkPersoon):
        return bool(persoon.bsn or persoon.geslachtsnaam)
    return bool(persoon.rsin or persoon.statutaire_naam or persoon.rechtsvorm)


def _rps(persoon: NatuurlijkPersoon | NietNatuurlijkPersoon, scope: Scope, kennisgeving: bool,
         nnp_kg_soort: str) -> x.Knoop:
    """A RPS ``gerelateerde``: natuurlijkPersoon or nietNatuurlijkPersoon in the flavour the relation wants."""
    if isinstance(persoon, NietNatuurlijkPersoon):
        soort = nnp_kg_soort if kennisgeving else "gerelateerdeAntwoord"
        inner = _object("NNP", persoon, soort, scope, {}, naam="nietNatuurlijkPersoon", sleutel=persoon.rsin,
                        kennisgeving=kennisgeving)
        if kennisgeving and nnp_kg_soort == "gerelateerdeKennisgeving":
            _verplichte_adreskeuze(inner)
    else:
        soort = "kerngegevensKennisgeving" if kennisgeving else "gerelateerdeAntwoord"
        inner = _object("NPS", persoon, soort, scope, {}, naam="natuurlijkPersoon", sleutel=persoon.bsn,
                        kennisgeving=kennisgeving)
    return x.element("gerelateerde", children=[inner])


def _eigenaar(ma: MaatschappelijkeActiviteit, scope: Scope, kennisgeving: bool) -> list:
    rel_scope = scope.relatie("heeftAlsEigenaar", "NNP")
    if rel_scope is None or ma.eigenaar is None:
        return [x.lege_relatie("heeftAlsEigenaar", "MACRPS", x.GEEN_WAARDE)] if scope.expliciet and rel_scope else []
    if not _heeft_kerngegeven(ma.eigenaar):
        # KVK does not name the owner of an eenmanszaak: the relation exists, its person is unknown.
        return [] if kennisgeving else [x.lege_relatie("heeftAlsEigenaar", "MACRPS", x.WAARDE_ONBEKEND)]
    gerelateerde = _rps(ma.eigenaar, rel_scope, kennisgeving, "gerelateerdeKennisgeving")
    return [_relatie("heeftAlsEigenaar", "MACRPS", gerelateerde, kennisgeving, ma.datum_aanvang)]


def _functionarissen(nnp_: NietNatuurlijkPersoon, scope: Scope, kennisgeving: bool) -> list:
    """PRS heeftAansprakelijke/heeftBestuursfunctionaris/… → inn.heeftAlsFunctionaris with functionarisType."""
    rel_scope = scope.relatie("inn.heeftAlsFunctionaris", "NPS")
    if rel_scope is None:
        return []
    out = []
    for f in nnp_.functionarissen:
        if not _heeft_kerngegeven(f.persoon):
            continue
        children = [_rps(f.persoon, rel_scope, kennisgeving, "kerngegevensKennisgeving")]
        soort = regels.functionaris_type(f.functie)
        if soort:
            children.append(x.element("functionarisType", soort))
        children += _tijdvak_relatie(f.datum_aanvang, f.datum_einde)
        out.append(x.entiteit("inn.heeftAlsFunctionaris", "NNPRPS", children,
                              verwerkingssoort="T" if kennisgeving else None))
    return out


def _verplichte_adreskeuze(nnp_el: x.Knoop) -> None:
    """NNP-gerelateerdeKennisgeving requires bezoekadres|sub.verblijfBuitenland (StUF 03.01 §3.4.3)."""
    kinderen = nnp_el.kinderen
    if {c.naam for c in kinderen} & {"bezoekadres", "sub.verblijfBuitenland"}:
        return
    adres = x.element("bezoekadres", children=[x.geen("aoa.identificatie", x.WAARDE_ONBEKEND)])
    volg = VOLGORDE["NNP"]
    pos = next((i for i, c in enumerate(kinderen) if volg.index(c.naam) > volg.index("bezoekadres")), len(kinderen))
    kinderen.insert(pos, adres)


def _vestigingen(ma: MaatschappelijkeActiviteit, scope: Scope, kennisgeving: bool) -> list:
    rel_scope = scope.relatie("oefentActiviteitUitIn", "VES")
    if rel_scope is None:
        return []
    alle = sorted(ma.alle_vestigingen(), key=lambda v: v.vestigingsnummer)
    if not alle:
        return [x.lege_relatie("oefentActiviteitUitIn", "MACVES", x.GEEN_WAARDE)] if scope.expliciet else []
    soort = "gerelateerdeKennisgeving" if kennisgeving else "gerelateerdeAntwoord"
    return [
        _relatie("oefentActiviteitUitIn", "MACVES",
                 _object("VES", v, soort, rel_scope, {}, naam="gerelateerde", sleutel=v.vestigingsnummer,
                         kennisgeving=kennisgeving),
                 kennisgeving, v.datum_aanvang, v.datum_einde)
        for v in alle
    ]


def _mac_van(ves: Vestiging, scope: Scope, mac: MaatschappelijkeActiviteit | None, kennisgeving: bool) -> list:
    rel_scope = scope.relatie("oefentActiviteitenUitVoor", "MAC")
    kvk_nummer = mac.kvk_nummer if mac else ves.kvk_nummer
    if rel_scope is None or not kvk_nummer:
        return []
    mac = mac or MaatschappelijkeActiviteit(kvk_nummer=kvk_nummer)
    soort = "gerelateerdeKennisgeving" if kennisgeving else "gerelateerdeAntwoord"
    gerelateerde = _object("MAC", mac, soort, rel_scope, {}, naam="gerelateerde", sleutel=mac.kvk_nummer,
                           kennisgeving=kennisgeving)
    return [_relatie("oefentActiviteitenUitVoor", "VESMAC", gerelateerde, kennisgeving, ves.datum_aanvang, ves.datum_einde)]


def _hoofdlocatie(ves: Vestiging, scope: Scope, kennisgeving: bool) -> list:
    """The BAG adresseerbaar object of the bezoekadres (KVK geoData) → heeftAlsHoofdLocatie/gerelateerde TGO."""
    rel_scope = scope.relatie("heeftAlsHoofdLocatie", "TGO")
    bezoek = ves.adres("bezoekadres")
    bag = regels.bag_id(bezoek.bag_adresseerbaar_object_id) if bezoek and not bezoek.afgeschermd else None
    if rel_scope is None or bag is None or not rel_scope.wil("identificatie"):
        return []
    tgo = x.entiteit("gerelateerde", "TGO", [x.element("identificatie", bag)], sleutel=bag,
                     verwerkingssoort="T" if kennisgeving else None)
    return [_relatie("heeftAlsHoofdLocatie", "VESTGOHFD", tgo, kennisgeving)]


def _eigenaar_van(nnp_: NietNatuurlijkPersoon, scope: Scope, mac: MaatschappelijkeActiviteit | None) -> list:
    rel_scope = scope.relatie("rps.isEigenaarVan", "MAC")
    if rel_scope is None or mac is None:
        return []
    gerelateerde = _object("MAC", mac, "gerelateerdeRPSAntwoord", rel_scope, {}, naam="gerelateerde",
                           sleutel=mac.kvk_nummer)
    return [_relatie("rps.isEigenaarVan", "NNPMAC", gerelateerde, False, mac.datum_aanvang, mac.datum_einde)]


# --- public --------------------------------------------------------------------------------------


def _soort(soort: str) -> bool:
    if soort not in (ANTWOORD, KENNISGEVING):
        raise ValueError(f"soort must be {ANTWOORD!r} or {KENNISGEVING!r}, not {soort!r}")
    return soort == KENNISGEVING


def mac(model: MaatschappelijkeActiviteit, scope: Scope | None = None, *, soort: str = ANTWOORD) -> etree._Element:
    """The MAC ``object`` with heeftAlsEigenaar (NNP/NPS) and oefentActiviteitUitIn (every vestiging)."""
    if not isinstance(model, MaatschappelijkeActiviteit):
        raise MappingFout(f"MAC verwacht een MaatschappelijkeActiviteit, kreeg {type(model).__name__}")
    scope = scope or ALLES
    kg = _soort(soort)
    relaties = {"heeftAlsEigenaar": _eigenaar(model, scope, kg), "oefentActiviteitUitIn": _vestigingen(model, scope, kg)}
    return x.naar_lxml(_object("MAC", model, soort, scope, relaties, sleutel=model.kvk_nummer, kennisgeving=kg))


def nnp(model: NietNatuurlijkPersoon | MaatschappelijkeActiviteit, scope: Scope | None = None, *,
        mac: MaatschappelijkeActiviteit | None = None, soort: str = ANTWOORD) -> etree._Element:
    """The NNP ``object``; given a MaatschappelijkeActiviteit, its eigenaar with rps.isEigenaarVan to it."""
    if isinstance(model, MaatschappelijkeActiviteit):
        mac, model = model, model.eigenaar
    if not isinstance(model, NietNatuurlijkPersoon):
        soort_ = "natuurlijk persoon" if isinstance(model, NatuurlijkPersoon) else type(model).__name__
        raise MappingFout(f"NNP verwacht een niet-natuurlijk persoon als eigenaar, kreeg {soort_}")
    scope = scope or ALLES
    kg = _soort(soort)
    relaties = {"inn.heeftAlsFunctionaris": _functionarissen(model, scope, kg)}
    if not kg:
        relaties["rps.isEigenaarVan"] = _eigenaar_van(model, scope, mac)
    return x.naar_lxml(_object("NNP", model, soort, scope, relaties, sleutel=model.rsin, kennisgeving=kg))


def ves(model: Vestiging, scope: Scope | None = None, *, mac: MaatschappelijkeActiviteit | None = None,
        soort: str = ANTWOORD) -> etree._Element:
    """The VES ``object`` with oefentActiviteitenUitVoor its MAC (``mac`` or just its kvkNummer)."""
    if not isinstance(model, Vestiging):
        raise MappingFout(f"VES verwacht een Vestiging, kreeg {type(model).__name__}")
    scope = scope or ALLES
    kg = _soort(soort)
    relaties = {"oefentActiviteitenUitVoor": _mac_van(model, scope, mac, kg),
                "heeftAlsHoofdLocatie": _hoofdlocatie(model, scope, kg)}
    return x.naar_lxml(_object("VES", model, soort, scope, relaties, sleutel=model.vestigingsnummer,
                               kennisgeving=kg))
