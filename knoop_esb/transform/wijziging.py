"""A W (wijziging; also C/F, correcties) kennisgeving applied to the stored state of its object.

StUF 03.01 §5.2.5: 'oud' holds the values being changed, 'huidig' the new ones. So every element in
'oud' must equal what the store holds — both read back the same way (``stufbg.velden`` of 'oud' and
of the stored state as an Lk01 object) — else :class:`VoorwaardeFout`; then 'huidig''s elements
replace those values and the relations are added (T), removed (V), ended (E, its new values in
'oud', §5.2.6 item 6) or replaced (R) per their StUF:verwerkingssoort. Everything the message does
not mention stays as stored, including model fields StUF-BG has no element for. Pure, no I/O.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from lxml import etree

from knoop_esb.transform import stufxml as x
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon, Vestiging
from knoop_esb.transform.stufbg import (_gerelateerde, _functionaris, _kind_tekst, _met_bag_object, _persoon,
                                        _persoon_sleutel, _relatie_sleutel, _relaties, _bag_object, _tijdvak_relatie,
                                        _vestiging, entiteittype_van, sleutel_van, toepassen, velden)


class VoorwaardeFout(MappingFout):
    """A W kennisgeving whose 'oud' is not the stored state: ``elementen`` names what differs."""

    def __init__(self, omschrijving: str, elementen: tuple[str, ...] = ()):
        self.elementen = elementen
        super().__init__(omschrijving, ", ".join(elementen) or None)


def _zonder_lege(waarde: Any) -> Any:
    return None if waarde in ((), "", None) else waarde


def _controleer_oud(oud_el: etree._Element, ent: str, opgeslagen_el: etree._Element) -> None:
    """Every element in 'oud' must hold what the store holds (both read the same way)."""
    oud = velden(oud_el, ent)
    opgeslagen = velden(opgeslagen_el, ent)
    anders = sorted(k for k, v in oud.items()
                    if k != "registratietijdstip" and _zonder_lege(v) != _zonder_lege(opgeslagen.get(k)))
    bestaande = {_relatie_sleutel(r) for naam in _RELATIES[ent] for r in opgeslagen_el.findall(x.qname(naam))}
    for naam in _RELATIES[ent]:
        for soort, rel in _relaties(oud_el, naam):
            if rel is not None and soort in ("V", "E", "R", "W") and _relatie_sleutel(rel) not in bestaande:
                anders.append(f"{naam}[{_relatie_sleutel(rel)}]")
    if anders:
        raise VoorwaardeFout("'oud' komt niet overeen met de actuele gegevens in de registratie", tuple(anders))


_RELATIES = {"MAC": ("heeftAlsEigenaar", "oefentActiviteitUitIn"), "NNP": ("inn.heeftAlsFunctionaris",),
             "VES": ("oefentActiviteitenUitVoor", "heeftAlsHoofdLocatie")}


def _mac_relaties(mac: MaatschappelijkeActiviteit, oud_el: etree._Element, nieuw_el: etree._Element) -> MaatschappelijkeActiviteit:
    weg: set[str] = set()
    einde: dict[str, str | None] = {}
    for soort, rel in _relaties(oud_el, "oefentActiviteitUitIn"):
        if rel is None:
            continue
        if soort in ("V", "R"):
            weg.add(_relatie_sleutel(rel))
        elif soort == "E":  # the ending's new values are in 'oud' (StUF 03.01 §5.2.6 item 6)
            ger = _gerelateerde(rel)
            einde[_relatie_sleutel(rel)] = _tijdvak_relatie(rel)[1] or _kind_tekst(ger, "datumEinde")
    bekend = {v.vestigingsnummer: v for v in mac.alle_vestigingen()}
    erbij: dict[str, Vestiging] = {}
    for _, rel in _relaties(nieuw_el, "oefentActiviteitUitIn"):
        if rel is not None:
            ves = _vestiging(rel, mac.kvk_nummer, bekend.get(_relatie_sleutel(rel)))
            erbij[ves.vestigingsnummer] = ves

    def bij(ves: Vestiging | None) -> Vestiging | None:
        if ves is None or (ves.vestigingsnummer in weg and ves.vestigingsnummer not in erbij):
            return None
        ves = erbij.get(ves.vestigingsnummer, ves)
        if ves.vestigingsnummer in einde:
            ves = dataclasses.replace(ves, datum_einde=einde[ves.vestigingsnummer] or ves.datum_einde)
        return ves

    nieuwe = tuple(v for nummer, v in erbij.items() if nummer not in bekend)
    mac = dataclasses.replace(mac, hoofdvestiging=bij(mac.hoofdvestiging),
                              vestigingen=tuple(v for v in map(bij, mac.vestigingen) if v is not None) + nieuwe)
    for soort, rel in _relaties(nieuw_el, "heeftAlsEigenaar"):
        if rel is not None and (ger := _gerelateerde(rel)) is not None:
            nieuw = _persoon(ger)
            if _persoon_sleutel(nieuw) == _persoon_sleutel(mac.eigenaar) and type(nieuw) is type(mac.eigenaar):
                nieuw = toepassen(mac.eigenaar, velden(ger, "NNP" if isinstance(nieuw, NietNatuurlijkPersoon) else "NPS"))
            mac = dataclasses.replace(mac, eigenaar=nieuw)
        elif rel is None and soort in ("V", "E"):
            mac = dataclasses.replace(mac, eigenaar=None)
    return mac


def _nnp_relaties(nnp: NietNatuurlijkPersoon, oud_el: etree._Element, nieuw_el: etree._Element) -> NietNatuurlijkPersoon:
    functionarissen = {_persoon_sleutel(f.persoon): f for f in nnp.functionarissen}
    for soort, rel in _relaties(oud_el, "inn.heeftAlsFunctionaris"):
        if rel is None:
            continue
        sleutel = _relatie_sleutel(rel)
        if soort in ("V", "R"):
            functionarissen.pop(sleutel, None)
        elif soort == "E" and sleutel in functionarissen:
            functionarissen[sleutel] = dataclasses.replace(functionarissen[sleutel], datum_einde=_tijdvak_relatie(rel)[1])
    for _, rel in _relaties(nieuw_el, "inn.heeftAlsFunctionaris"):
        if rel is not None:
            f = _functionaris(rel)
            functionarissen[_persoon_sleutel(f.persoon)] = f
    return dataclasses.replace(nnp, functionarissen=tuple(functionarissen.values()))


def _ves_relaties(ves: Vestiging, oud_el: etree._Element, nieuw_el: etree._Element) -> Vestiging:
    for soort, rel in _relaties(nieuw_el, "oefentActiviteitenUitVoor"):
        if rel is not None:
            ves = dataclasses.replace(ves, kvk_nummer=_relatie_sleutel(rel))
        elif soort == "V":
            ves = dataclasses.replace(ves, kvk_nummer=None)
    for soort, rel in _relaties(nieuw_el, "heeftAlsHoofdLocatie"):
        if rel is not None:
            ves = _met_bag_object(ves, _bag_object(rel))
        elif soort in ("V", "E"):
            ves = _met_bag_object(ves, None)
    return ves


def pas_toe(huidig: Any, oud_el: etree._Element, nieuw_el: etree._Element, opgeslagen_el: etree._Element) -> Any:
    """The new state after a W kennisgeving: ``huidig`` is the stored model, ``opgeslagen_el`` the
    same state as an Lk01 object (``emit(..., soort="kennisgeving")``: 'oud' is compared with it
    as StUF writes it); raises :class:`VoorwaardeFout` when 'oud' is not the stored state."""
    ent = entiteittype_van(nieuw_el)
    if entiteittype_van(oud_el) != ent or sleutel_van(oud_el) != sleutel_van(nieuw_el):
        raise MappingFout("'oud' en 'huidig' gaan niet over hetzelfde object", "object")
    _controleer_oud(oud_el, ent, opgeslagen_el)
    nieuw = toepassen(huidig, velden(nieuw_el, ent))
    if ent == "MAC":
        return _mac_relaties(nieuw, oud_el, nieuw_el)
    if ent == "NNP":
        return _nnp_relaties(nieuw, oud_el, nieuw_el)
    return _ves_relaties(nieuw, oud_el, nieuw_el)
