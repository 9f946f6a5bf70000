"""StUF-BG 0310 ``object`` elements (MAC, NNP, VES) → the canonical model: the inverse of ``emit``.

Why here: a kennisgeving a chain partner sends (``BG:nnpLk01`` / ``macLk01`` / ``vesLk01``) must be
stored as the same model every other source gives, so the store, vraag/antwoord and the
distribution of kennisgevingen treat it like any other change. It is driven by the same mapping
tables as ``emit``: each :class:`~knoop_esb.transform.tabellen.Rij` names the element (``doel``), the
model field (``bron``) and the rule; :data:`LEZERS` holds the inverse of each rule. What a rule lost
on the way out (cuts to a maximum length, the SBI code's padding, the handelsnaam fallback) stays
lost, so ``emit(object_naar_model(emit(m)))`` equals ``emit(m)``, not necessarily ``m`` itself.

- :func:`object_naar_model` reads a whole object (mutatiesoort T: every known element);
- :func:`velden` / :func:`toepassen` read the attribute elements present and put them into a model,
  which is how ``transform.wijziging`` applies a W pair to a stored state.
Unusable input raises :class:`~knoop_esb.transform.fout.MappingFout`. Pure functions, no I/O.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator

from lxml import etree

from knoop_esb.stuf.ns import STUF, XSI
from knoop_esb.transform import stufxml as x
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (
    Adres,
    Communicatie,
    Functionaris,
    Handelsnaam,
    MaatschappelijkeActiviteit,
    NatuurlijkPersoon,
    NietNatuurlijkPersoon,
    SbiActiviteit,
    Vestiging,
)
from knoop_esb.transform.tabellen import IN_GROEP, TABELLEN

MODELLEN: dict[str, type] = {"MAC": MaatschappelijkeActiviteit, "NNP": NietNatuurlijkPersoon, "VES": Vestiging,
                              "NPS": NatuurlijkPersoon}
# The kerngegeven that names an object of each entiteittype, and its model field.
SLEUTELS = {"MAC": ("kvkNummer", "kvk_nummer"), "NNP": ("inn.nnpId", "rsin"), "VES": ("vestigingsNummer", "vestigingsnummer"),
            "NPS": ("inp.bsn", "bsn")}
_NIL = f"{{{XSI}}}nil"
_NOVALUE = f"{{{STUF}}}noValue"


# --- reading elements --------------------------------------------------------------------------


def _naam(el: etree._Element) -> str:
    q = etree.QName(el)
    return "StUF:" + q.localname if q.namespace == STUF else q.localname


def _leeg(el: etree._Element | None) -> bool:
    return el is None or el.get(_NIL) == "true" or el.get(_NOVALUE) is not None


def _tekst(el: etree._Element | None) -> str | None:
    if _leeg(el):
        return None
    return el.text or None  # as written: a cut value may end in a space


def _kind(el: etree._Element | None, naam: str) -> etree._Element | None:
    return None if el is None else el.find(x.qname(naam))


def _kind_tekst(el: etree._Element | None, naam: str) -> str | None:
    return _tekst(_kind(el, naam))


def _geheel(waarde: str | None, plek: str) -> int | None:
    if waarde is None:
        return None
    try:
        return int(waarde)
    except ValueError:
        raise MappingFout(f"geen getal: {waarde[:20]!r}", plek) from None


def groepen(el: etree._Element, entiteittype: str) -> dict[str, list[etree._Element]]:
    """The object's child elements per mapping-table ``doel`` (a handelsnaam's volgorde and
    verkorte naam go with it; sub.verblijfBuitenland stands in for the verblijfs-/bezoekadres)."""
    adres = "bezoekadres" if entiteittype == "NNP" else "verblijfsadres"
    out: dict[str, list[etree._Element]] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        naam = _naam(child)
        sleutel = IN_GROEP.get(naam, naam) or adres
        out.setdefault(sleutel, []).append(child)
    return out


# --- the inverse rules: (doel, elementen, bron) -> {veld: waarde} --------------------------------
# Keys are model field names, plus three that name a part of a field: "adres:<type>" (one Adres of
# ``adressen``), "communicatie.<veld>" and "websites[0]" (the one website StUF-BG carries).


def _l_tekst(doel: str, els: list, bron: str) -> dict:
    return {bron: _tekst(els[0])}


def _l_niets(doel: str, els: list, bron: str) -> dict:
    return {}  # derived on the way out (authentiek) or not read back


def _sbi(code: str | None, plek: str) -> str | None:
    if code is None:
        return None
    if not code.isdigit():
        raise MappingFout(f"SBI-code is geen getal: {code[:20]!r}", plek)
    return code.lstrip("0").zfill(4)  # the 15-digit StUF value back to an SBI code of 4 or more digits


def _l_activiteiten(doel: str, els: list, bron: str) -> dict:
    out = []
    for act in els:
        code = _sbi(_kind_tekst(act, "code"), "activiteit/code")
        if code is None:
            continue
        hoofd = _kind_tekst(act, "indicatieHoofdactiviteit") == "J"
        out.append(SbiActiviteit(code, _kind_tekst(act, "omschrijving"), hoofd))
    return {bron: tuple(out)}


def _l_handelsnamen(doel: str, els: list, bron: str) -> dict:
    namen, verkort, volgorde = [], None, 0
    for el in els:
        naam = _naam(el)
        if naam == "handelsnaam" and _tekst(el):
            volgorde += 1
            namen.append(Handelsnaam(_tekst(el), volgorde))
        elif naam == "handelsnaamVerkort":
            verkort = _tekst(el)
        elif naam == "volgorde" and namen and _tekst(el):
            namen[-1] = Handelsnaam(namen[-1].naam, _geheel(_tekst(el), "handelsnaam/volgorde"))
    if verkort and len(namen) == 1:  # a niet-commerciële vestiging: its naam and naamVerkort (emit)
        return {"handelsnamen": (), "naam": namen[0].naam, "naam_verkort": verkort}
    return {"handelsnamen": tuple(namen)}


def _l_tijdstip_registratie(doel: str, els: list, bron: str) -> dict:
    return {"registratietijdstip": _tekst(els[0])}


def _l_eerste_url(doel: str, els: list, bron: str) -> dict:
    return {"websites[0]": _tekst(els[0])}


def _l_typering(doel: str, els: list, bron: str) -> dict:
    waarde = _tekst(els[0])
    return {bron: None if waarde is None else waarde.lower() == "hoofdvestiging"}


def _l_extra(doel: str, els: list, bron: str) -> dict:
    for extra in els[0]:
        if isinstance(extra.tag, str) and extra.get("naam") == "bijzondereRechtstoestand":
            return {bron: _tekst(extra)}
    return {bron: None}


def _l_communicatie(veld: str) -> Callable:
    def lezer(doel: str, els: list, bron: str) -> dict:
        return {f"communicatie.{veld}": _tekst(els[0])}
    return lezer


def _binnenlands(el: etree._Element, soort: str, postcode: str) -> Adres | None:
    velden = dict(
        bag_nummeraanduiding_id=_kind_tekst(el, "aoa.identificatie"),
        plaats=_kind_tekst(el, "wpl.woonplaatsNaam"),
        straatnaam=_kind_tekst(el, "gor.openbareRuimteNaam") or _kind_tekst(el, "gor.straatnaam"),
        postcode=_kind_tekst(el, postcode),
        huisnummer=_geheel(_kind_tekst(el, "aoa.huisnummer"), f"{_naam(el)}/aoa.huisnummer"),
        huisletter=_kind_tekst(el, "aoa.huisletter"),
        huisnummer_toevoeging=_kind_tekst(el, "aoa.huisnummertoevoeging"),
    )
    if soort == "correspondentieadres" and _kind_tekst(el, "sub.postadresType") == "P":
        velden["postbusnummer"] = _geheel(_kind_tekst(el, "sub.postadresNummer"), "sub.postadresNummer")
    if not any(v is not None for v in velden.values()):
        return None
    return Adres(type=soort, **velden)


def _buitenland(el: etree._Element, soort: str) -> Adres | None:
    velden = dict(land=_kind_tekst(el, "lnd.landnaam"), straat_huisnummer=_kind_tekst(el, "sub.adresBuitenland1"),
                  postcode_woonplaats=_kind_tekst(el, "sub.adresBuitenland2"), regio=_kind_tekst(el, "sub.adresBuitenland3"))
    if not any(v is not None for v in velden.values()):
        return None
    return Adres(type=soort, **velden)


def _l_verblijfsadres(doel: str, els: list, bron: str) -> dict:
    el = els[0]
    adres = _buitenland(el, "bezoekadres") if _naam(el) == "sub.verblijfBuitenland" else \
        _binnenlands(el, "bezoekadres", "aoa.postcode")
    return {"adres:bezoekadres": adres}


def _l_correspondentieadres(doel: str, els: list, bron: str) -> dict:
    return {"adres:correspondentieadres": _binnenlands(els[0], "correspondentieadres", "postcode")}


LEZERS: dict[str, Callable[[str, list, str], dict]] = {
    **{regel: _l_tekst for regel in ("tekst", "tekst_8", "tekst_9", "tekst_12", "statutaire_naam_500",
                                     "inkorten_40", "datum", "tijdstip")},
    "rechtsvorm": lambda doel, els, bron: {"rechtsvorm": _tekst(els[0])},
    "authentiek_als_gevuld": _l_niets,
    "authentiek_nee": _l_niets,
    "activiteiten_met_volgorde": _l_activiteiten,
    "activiteiten": _l_activiteiten,
    "mac_handelsnamen": _l_handelsnamen,
    "ves_handelsnamen": _l_handelsnamen,
    "tijdstip_registratie": _l_tijdstip_registratie,
    "eerste_url": _l_eerste_url,
    "typering_vestiging": _l_typering,
    "extra_bijzondere_rechtstoestand": _l_extra,
    "telefoonnummer": _l_communicatie("telefoonnummer"),
    "faxnummer": _l_communicatie("faxnummer"),
    "emailadres": _l_communicatie("emailadres"),
    "verblijfsadres": _l_verblijfsadres,
    "bezoekadres": _l_verblijfsadres,
    "correspondentieadres": _l_correspondentieadres,
}


def velden(el: etree._Element, entiteittype: str) -> dict[str, Any]:
    """The model values the object's attribute elements carry (relations not included); only the
    rows whose element is present, so a W's 'huidig' gives exactly what changes."""
    per_doel = groepen(el, entiteittype)
    out: dict[str, Any] = {}
    for rij in TABELLEN[entiteittype]:
        els = per_doel.get(rij.doel)
        if els:
            out.update(LEZERS[rij.regel](rij.doel, els, rij.bron))
    return out


def _zelfde_plek(oud: Adres, nieuw: Adres) -> bool:
    return (oud.bag_nummeraanduiding_id, oud.postcode, oud.huisnummer, oud.huisletter, oud.huisnummer_toevoeging) == \
        (nieuw.bag_nummeraanduiding_id, nieuw.postcode, nieuw.huisnummer, nieuw.huisletter, nieuw.huisnummer_toevoeging)


def _vervang_adres(adressen: tuple[Adres, ...], soort: str, nieuw: Adres | None) -> tuple[Adres, ...]:
    oud = next((a for a in adressen if a.type == soort), None)
    if nieuw is not None and oud is not None and oud.bag_adresseerbaar_object_id and _zelfde_plek(oud, nieuw):
        # The BAG object comes with the heeftAlsHoofdLocatie relation, not in the adres group.
        nieuw = dataclasses.replace(nieuw, bag_adresseerbaar_object_id=oud.bag_adresseerbaar_object_id)
    rest = tuple(a for a in adressen if a.type != soort)
    if nieuw is None:
        return rest
    return (nieuw,) + rest if soort == "bezoekadres" else rest + (nieuw,)


def toepassen(obj: Any, waarden: dict[str, Any]) -> Any:
    """``obj`` with the values of :func:`velden` put in (a None removes a value)."""
    gewoon: dict[str, Any] = {}
    adressen = getattr(obj, "adressen", ())
    communicatie = getattr(obj, "communicatie", None)
    for sleutel, waarde in waarden.items():
        if sleutel.startswith("adres:"):
            adressen = _vervang_adres(adressen, sleutel[6:], waarde)
        elif sleutel.startswith("communicatie."):
            communicatie = dataclasses.replace(communicatie or Communicatie(), **{sleutel[13:]: waarde})
        elif sleutel == "websites[0]":
            overig = tuple(w for w in obj.websites[1:] if w != waarde)
            gewoon["websites"] = ((waarde,) if waarde else ()) + overig
        else:
            gewoon[sleutel] = waarde
    velden_ = {f.name for f in dataclasses.fields(obj)}
    if "adressen" in velden_:
        gewoon["adressen"] = adressen
    if "communicatie" in velden_:
        gewoon["communicatie"] = None if communicatie == Communicatie() else communicatie
    return dataclasses.replace(obj, **{k: v for k, v in gewoon.items() if k in velden_})


# --- relations ---------------------------------------------------------------------------------


def _relaties(el: etree._Element, naam: str) -> Iterator[tuple[str, etree._Element | None]]:
    """(verwerkingssoort, relation element or None for an empty one) of each ``naam`` relation."""
    for rel in el.findall(x.qname(naam)):
        yield rel.get(x.VERWERKINGSSOORT) or "T", (None if _leeg(rel) else rel)


def _gerelateerde(rel: etree._Element) -> etree._Element | None:
    ger = rel.find(x.qname("gerelateerde"))
    if ger is None or _leeg(ger):
        return None
    if ger.get(x.ENTITEITTYPE) is None:  # a choice (nietNatuurlijkPersoon | natuurlijkPersoon) inside
        return next((c for c in ger if isinstance(c.tag, str)), None)
    return ger


def _tijdvak_relatie(rel: etree._Element) -> tuple[str | None, str | None]:
    tijdvak = rel.find(f"{{{STUF}}}tijdvakRelatie")
    if tijdvak is None:
        return None, None
    return _tekst(tijdvak.find(f"{{{STUF}}}beginRelatie")), _tekst(tijdvak.find(f"{{{STUF}}}eindRelatie"))


def _persoon(el: etree._Element) -> NietNatuurlijkPersoon | NatuurlijkPersoon:
    ent = "NPS" if el.get(x.ENTITEITTYPE) == "NPS" or etree.QName(el).localname == "natuurlijkPersoon" else "NNP"
    return toepassen(MODELLEN[ent](), velden(el, ent))


def _persoon_sleutel(persoon: Any) -> str | None:
    if isinstance(persoon, NietNatuurlijkPersoon):
        return persoon.rsin or persoon.statutaire_naam
    if isinstance(persoon, NatuurlijkPersoon):
        return persoon.bsn or " ".join(filter(None, (persoon.voornamen, persoon.geslachtsnaam))) or None
    return None


def _vestiging(rel: etree._Element, kvk_nummer: str | None, bestaand: Vestiging | None = None) -> Vestiging:
    ger = _gerelateerde(rel)
    nummer = _kind_tekst(ger, "vestigingsNummer")
    if not nummer:
        raise MappingFout("gerelateerde vestiging zonder vestigingsNummer", "oefentActiviteitUitIn/gerelateerde")
    basis = bestaand or Vestiging(vestigingsnummer=nummer, kvk_nummer=kvk_nummer, alleen_basis=True)
    ves = toepassen(basis, velden(ger, "VES"))
    _, eind = _tijdvak_relatie(rel)
    return dataclasses.replace(ves, datum_einde=ves.datum_einde or eind) if eind else ves


def _functionaris(rel: etree._Element) -> Functionaris:
    ger = _gerelateerde(rel)
    if ger is None:
        raise MappingFout("functionaris zonder gerelateerde", "inn.heeftAlsFunctionaris")
    begin, eind = _tijdvak_relatie(rel)
    return Functionaris(persoon=_persoon(ger), functie=_kind_tekst(rel, "functionarisType"), datum_aanvang=begin,
                        datum_einde=eind)


def _relatie_sleutel(rel: etree._Element) -> str | None:
    """What a relation points at: the gerelateerde's kerngegeven (vestigingsNummer, rsin, bsn, …)."""
    ger = _gerelateerde(rel)
    if ger is None:
        return None
    for kern in ("vestigingsNummer", "kvkNummer", "inn.nnpId", "inp.bsn", "identificatie"):
        waarde = _kind_tekst(ger, kern)
        if waarde:
            return waarde
    return _persoon_sleutel(_persoon(ger))


def _bag_object(rel: etree._Element) -> str | None:
    return _kind_tekst(_gerelateerde(rel), "identificatie")


def _met_bag_object(ves: Vestiging, bag: str | None) -> Vestiging:
    bezoek = ves.adres("bezoekadres")
    if bezoek is None:
        return ves
    adressen = tuple(dataclasses.replace(a, bag_adresseerbaar_object_id=bag) if a.type == "bezoekadres" else a
                     for a in ves.adressen)
    return dataclasses.replace(ves, adressen=adressen)


# --- whole objects -----------------------------------------------------------------------------


def entiteittype_van(el: etree._Element) -> str:
    ent = el.get(x.ENTITEITTYPE)
    if ent not in ("MAC", "NNP", "VES"):
        raise MappingFout(f"entiteittype {ent!r} wordt niet ondersteund (MAC, NNP, VES)", "object/@StUF:entiteittype")
    return ent


def sleutel_van(el: etree._Element) -> str:
    """The object's kerngegeven key: kvkNummer (MAC), inn.nnpId (NNP) or vestigingsNummer (VES)."""
    ent = entiteittype_van(el)
    element, _ = SLEUTELS[ent]
    waarde = _kind_tekst(el, element)
    if not waarde:
        raise MappingFout(f"{ent}-object zonder {element}", f"object/{element}")
    return waarde


def object_naar_model(el: etree._Element) -> MaatschappelijkeActiviteit | NietNatuurlijkPersoon | Vestiging:
    """A whole ``BG:object`` (La01 or Lk01 flavour) → MaatschappelijkeActiviteit, NietNatuurlijkPersoon
    or Vestiging, with its relations: a MAC's eigenaar and vestigingen (short entries,
    ``alleen_basis``), a NNP's functionarissen, a VES's kvkNummer and BAG object."""
    ent = entiteittype_van(el)
    sleutel = sleutel_van(el)
    obj = toepassen(MODELLEN[ent](**{SLEUTELS[ent][1]: sleutel}), velden(el, ent))
    if ent == "MAC":
        eigenaar = next((_persoon(g) for _, rel in _relaties(el, "heeftAlsEigenaar")
                         if rel is not None and (g := _gerelateerde(rel)) is not None), None)
        vestigingen = tuple(_vestiging(rel, sleutel) for _, rel in _relaties(el, "oefentActiviteitUitIn") if rel is not None)
        return dataclasses.replace(obj, eigenaar=eigenaar, vestigingen=vestigingen)
    if ent == "NNP":
        return dataclasses.replace(obj, functionarissen=tuple(
            _functionaris(rel) for _, rel in _relaties(el, "inn.heeftAlsFunctionaris") if rel is not None))
    for _, rel in _relaties(el, "oefentActiviteitenUitVoor"):
        if rel is not None:
            obj = dataclasses.replace(obj, kvk_nummer=_relatie_sleutel(rel))
    for _, rel in _relaties(el, "heeftAlsHoofdLocatie"):
        if rel is not None:
            obj = _met_bag_object(obj, _bag_object(rel))
    return obj
