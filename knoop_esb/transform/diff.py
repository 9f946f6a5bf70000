"""Two states of one Handelsregister registration → the kennisgevingen (nnpLk01/macLk01/vesLk01) they imply.

:func:`kennisgevingen` compares per object (the MAC, its NNP eigenaar, each vestiging by
vestigingsnummer) and yields a :class:`Kennisgeving`: mutatiesoort ``T`` (new), ``W`` (changed,
including an ended vestiging: its datumEinde changes) or ``V`` (no longer in the registration).
``Kennisgeving.objecten()`` builds the Lk01 ``object`` element(s) per StUF 03.01 §5.2: T and V one
object, W the oud/huidig pair with the kerngegevens plus only the changed elements, removed values
as StUF:noValue="geenWaarde", relations added (T), removed (V), ended (E) or replaced (R).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from knoop_esb.transform import emit
from knoop_esb.transform import stufxml as x
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon
from knoop_esb.transform.scope import KERNGEGEVENS, Scope
from knoop_esb.transform.tabellen import IN_GROEP, VOLGORDE

_ZONDER_RELATIES = Scope(relaties={})
_RELATIE = {"MAC": ("heeftAlsEigenaar", "oefentActiviteitUitIn"), "VES": ("oefentActiviteitenUitVoor",), "NNP": ()}
_GEEN_NIL = frozenset({"activiteit", "verblijfsadres", "bezoekadres", "sub.correspondentieAdres",
                       "sub.verblijfBuitenland", "authentiek"})


@dataclass(frozen=True)
class Kennisgeving:
    entiteittype: str  # "MAC" | "NNP" | "VES"
    mutatiesoort: str  # "T" | "W" | "V"
    sleutel: str
    oud: Any  # model object before (None for T)
    nieuw: Any  # model object after (None for V)
    gewijzigd: tuple[str, ...] = ()  # changed element/relation names (W)
    mac_oud: MaatschappelijkeActiviteit | None = None
    mac_nieuw: MaatschappelijkeActiviteit | None = None
    # W: the (oud, huidig) objects kennisgevingen() already built to find ``gewijzigd``; building
    # them again costs as much (a MAC's relations list every vestiging).
    _w_objecten: tuple[etree._Element, etree._Element] | None = field(default=None, repr=False, compare=False)

    @property
    def berichtcode(self) -> str:
        return "Lk01"

    @property
    def element(self) -> str:
        return f"{self.entiteittype.lower()}Lk01"

    def objecten(self) -> tuple[etree._Element, ...]:
        """The ``BG:object`` element(s) of the Lk01: (huidig,) for T/V, (oud, huidig) for W."""
        if self.mutatiesoort == "T":
            return (_volledig(self.entiteittype, self.nieuw, self.mac_nieuw),)
        if self.mutatiesoort == "V":
            el = _volledig(self.entiteittype, self.oud, self.mac_oud, relaties=False)
            _zet_verwerkingssoort(el, "V")
            return (_alleen_kern(el, self.entiteittype),)
        if self._w_objecten is not None:
            # copies: a caller may put them in a message (or change them) and call objecten() again
            return tuple(copy.deepcopy(el) for el in self._w_objecten)
        oud, nieuw, _ = _wijziging(self)
        return (oud, nieuw)


def _volledig(entiteittype: str, obj: Any, mac: Any, relaties: bool = True) -> etree._Element:
    scope = None if relaties else _ZONDER_RELATIES
    if entiteittype == "MAC":
        return emit.mac(obj, scope, soort=emit.KENNISGEVING)
    if entiteittype == "NNP":
        return emit.nnp(obj, scope, mac=mac, soort=emit.KENNISGEVING)
    return emit.ves(obj, scope, mac=mac, soort=emit.KENNISGEVING)


def _zet_verwerkingssoort(el: etree._Element, soort: str) -> None:
    el.set(x.VERWERKINGSSOORT, soort)


def _sleutel_van(el: etree._Element) -> str:
    q = etree.QName(el)
    naam = ("StUF:" if q.namespace == x.STUF else "") + q.localname
    return IN_GROEP.get(naam, naam) or ("verblijfsadres" if naam == "sub.verblijfBuitenland" else naam)


def _groepen(el: etree._Element, entiteittype: str) -> dict[str, list[etree._Element]]:
    out: dict[str, list[etree._Element]] = {}
    for child in el:
        key = _sleutel_van(child)
        if key == "sub.verblijfBuitenland":
            key = "bezoekadres" if entiteittype == "NNP" else "verblijfsadres"
        out.setdefault(key, []).append(child)
    return out


def _alleen_kern(el: etree._Element, entiteittype: str) -> etree._Element:
    kern = KERNGEGEVENS[entiteittype]
    for child in list(el):
        if _sleutel_van(child) not in kern and _sleutel_van(child) not in ("bezoekadres", "verblijfsadres"):
            el.remove(child)
    return el


def _leeg_zoals(elementen: list[etree._Element]) -> list[etree._Element]:
    """The same elements, emptied to StUF:noValue="geenWaarde" (a value that is no longer / not yet there)."""
    out = []
    for el in elementen[:1] if _sleutel_van(elementen[0]) == "handelsnaam" else elementen:
        naam = _sleutel_van(el)
        if naam in _GEEN_NIL or len(el):
            inner = [x.geen(etree.QName(c).localname, x.GEEN_WAARDE) for c in el
                     if etree.QName(c).localname not in ("authentiek",)][:1]
            out.append(x.naar_lxml(x.element(etree.QName(el).localname, children=inner)))
        else:
            out.append(x.naar_lxml(x.geen(naam, x.GEEN_WAARDE)))
    return out


def _c14n(els: list[etree._Element]) -> bytes:
    return b"".join(etree.tostring(e, method="c14n") for e in els)


def _wijziging(kg: Kennisgeving) -> tuple[etree._Element, etree._Element, tuple[str, ...]]:
    ent = kg.entiteittype
    oud_el = _volledig(ent, kg.oud, kg.mac_oud, relaties=False)
    nieuw_el = _volledig(ent, kg.nieuw, kg.mac_nieuw, relaties=False)
    oud_g, nieuw_g = _groepen(oud_el, ent), _groepen(nieuw_el, ent)
    # One full build per side gives every relation key its elements (each key takes its own children).
    oud_vol = _volledig(ent, kg.oud, kg.mac_oud) if _RELATIE[ent] else None
    nieuw_vol = _volledig(ent, kg.nieuw, kg.mac_nieuw) if _RELATIE[ent] else None
    kern = KERNGEGEVENS[ent]
    oud_kids, nieuw_kids, gewijzigd = [], [], []
    for key in VOLGORDE[ent]:
        o, n = oud_g.get(key, []), nieuw_g.get(key, [])
        if key == "StUF:tijdstipRegistratie":
            nieuw_kids += n
            continue
        anders = _c14n(o) != _c14n(n)
        if anders:
            gewijzigd.append(key)
        if key in kern or anders:
            if o or n:
                oud_kids += o or _leeg_zoals(n)
                nieuw_kids += n or _leeg_zoals(o)
        oud_r, nieuw_r = _relatie_wijziging(ent, key, oud_vol, nieuw_vol)
        if oud_r or nieuw_r:
            gewijzigd.append(key)
        oud_kids += oud_r
        nieuw_kids += nieuw_r
    return _als_object(oud_el, oud_kids), _als_object(nieuw_el, nieuw_kids), tuple(gewijzigd)


def _als_object(template: etree._Element, kids: list[etree._Element]) -> etree._Element:
    el = x.naar_lxml(x.entiteit("object", template.get(x.ENTITEITTYPE), [],
                                sleutel=template.get(x.SLEUTEL_VERZENDEND), verwerkingssoort="W"))
    el.extend(kids)
    return el


def _relatie_wijziging(ent: str, key: str, oud_vol: etree._Element | None,
                       nieuw_vol: etree._Element | None) -> tuple[list, list]:
    if key not in _RELATIE[ent]:
        return [], []
    oud_full = _relaties_van(oud_vol, key)
    nieuw_full = _relaties_van(nieuw_vol, key)
    oud_kids: list = []
    nieuw_kids: list = []
    for sleutel in list(dict.fromkeys(list(oud_full) + list(nieuw_full))):
        o, n = oud_full.get(sleutel), nieuw_full.get(sleutel)
        if o is not None and n is not None:
            if _eind(o) is None and _eind(n) is not None:  # the relation ended
                _zet_verwerkingssoort(n, "E")
                oud_kids.append(n)
                nieuw_kids.append(x.naar_lxml(x.lege_relatie(key, n.get(x.ENTITEITTYPE), x.GEEN_WAARDE, "E")))
            continue
        if o is not None and n is None and nieuw_full and len(nieuw_full) == 1 and len(oud_full) == 1:
            (n,) = nieuw_full.values()  # one relation replaced by another: eigenaar, VES→MAC
            _zet_verwerkingssoort(o, "R")
            _zet_verwerkingssoort(n, "R")
            oud_kids.append(o)
            nieuw_kids.append(n)
            break
        if o is None:
            oud_kids.append(x.naar_lxml(x.lege_relatie(key, n.get(x.ENTITEITTYPE), x.GEEN_WAARDE, "T")))
            nieuw_kids.append(n)
        else:
            _zet_verwerkingssoort(o, "V")
            oud_kids.append(o)
            nieuw_kids.append(x.naar_lxml(x.lege_relatie(key, o.get(x.ENTITEITTYPE), x.GEEN_WAARDE, "V")))
    return oud_kids, nieuw_kids


def _eind(rel: etree._Element) -> str | None:
    """End of a relation: its eindRelatie, else the datumEinde of its gerelateerde (a vestiging)."""
    eind = rel.find(f"{{{x.STUF}}}tijdvakRelatie/{{{x.STUF}}}eindRelatie")
    if eind is None:
        eind = rel.find(f"{x.qname('gerelateerde')}/{x.qname('datumEinde')}")
    return eind.text if eind is not None else None


def _relaties_van(full: etree._Element, key: str) -> dict[str, etree._Element]:
    """Relation elements of ``key`` in the full object, keyed by the gerelateerde's sleutel (or kerngegeven)."""
    out = {}
    for rel in full.findall(x.qname(key)):
        ger = rel.find(x.qname("gerelateerde"))
        inner = ger[0] if ger is not None and len(ger) and ger.get(x.ENTITEITTYPE) is None else ger
        sleutel = inner.get(x.SLEUTEL_VERZENDEND) if inner is not None else None
        out[sleutel or etree.tostring(inner, method="c14n").decode()] = rel
    return out


# --- comparing registrations ---------------------------------------------------------------------


def kennisgevingen(oud: MaatschappelijkeActiviteit | None, nieuw: MaatschappelijkeActiviteit | None) -> list[Kennisgeving]:
    """Every kennisgeving that turns ``oud`` into ``nieuw`` (either may be None), MAC first."""
    out: list[Kennisgeving] = []
    mac = _vergelijk("MAC", oud, nieuw, lambda m: m.kvk_nummer, oud, nieuw)
    out += mac
    eig_oud = oud.eigenaar if oud and isinstance(oud.eigenaar, NietNatuurlijkPersoon) else None
    eig_nieuw = nieuw.eigenaar if nieuw and isinstance(nieuw.eigenaar, NietNatuurlijkPersoon) else None
    if eig_oud and eig_nieuw and eig_oud.rsin != eig_nieuw.rsin:
        out += _vergelijk("NNP", eig_oud, None, _nnp_sleutel, oud, nieuw)
        out += _vergelijk("NNP", None, eig_nieuw, _nnp_sleutel, oud, nieuw)
    else:
        out += _vergelijk("NNP", eig_oud, eig_nieuw, _nnp_sleutel, oud, nieuw)
    ves_oud = {v.vestigingsnummer: v for v in (oud.alle_vestigingen() if oud else ())}
    ves_nieuw = {v.vestigingsnummer: v for v in (nieuw.alle_vestigingen() if nieuw else ())}
    for nummer in sorted(ves_oud.keys() | ves_nieuw.keys()):
        out += _vergelijk("VES", ves_oud.get(nummer), ves_nieuw.get(nummer), lambda v: v.vestigingsnummer, oud, nieuw)
    return out


def _kvk(mac: MaatschappelijkeActiviteit | None) -> str | None:
    return mac.kvk_nummer if mac else None


def _nnp_sleutel(nnp: NietNatuurlijkPersoon) -> str:
    return nnp.rsin or nnp.statutaire_naam or ""


def _vergelijk(ent: str, o: Any, n: Any, sleutel, mac_oud: Any, mac_nieuw: Any) -> list[Kennisgeving]:
    if o is None and n is None:
        return []
    if o is None:
        return [Kennisgeving(ent, "T", sleutel(n), None, n, mac_oud=mac_oud, mac_nieuw=mac_nieuw)]
    if n is None:
        return [Kennisgeving(ent, "V", sleutel(o), o, None, mac_oud=mac_oud, mac_nieuw=mac_nieuw)]
    if o == n and (ent == "MAC" or _kvk(mac_oud) == _kvk(mac_nieuw)):
        return []  # same state, same registration: nothing to tell (the common case, without emitting)
    kg = Kennisgeving(ent, "W", sleutel(n), o, n, mac_oud=mac_oud, mac_nieuw=mac_nieuw)
    oud_el, nieuw_el, gewijzigd = _wijziging(kg)
    if not gewijzigd:
        return []
    return [Kennisgeving(ent, "W", sleutel(n), o, n, gewijzigd, mac_oud, mac_nieuw, (oud_el, nieuw_el))]
