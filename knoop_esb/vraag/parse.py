"""Lv01 element → :class:`~knoop_esb.vraag.model.Vraag`, with the StUF 03.01 §6.3 foutsituaties.

The request has already passed schema validation; what is checked here is what a schema cannot
say: conflicting selections (StUF076/079/082/085), key selections (StUF088/091), scope with both
attribute and content (StUF097), a vervolgvraag without a usable start object (StUF103/106).
"""
from __future__ import annotations

import re

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF, q
from knoop_esb.vraag import scope as scope_mod
from knoop_esb.vraag.model import NOVALUE_CRITERIUM, Criterium, Vraag
from knoop_esb.vraag.selectie import is_nil

BERICHT = re.compile(r"^([a-z]{3})(Lv0[135])$")  # Lv01 actual; Lv03 / Lv05 materiële / formele historie
SLEUTELS = ("sleutelVerzendend", "sleutelOntvangend", "sleutelGegevensbeheer")
_ONVOLLEDIG = re.compile(r"^\d{4}(0000|\d{2}00)$")


def parse(element: etree._Element, stuurgegevens: sg.Stuurgegevens | None = None) -> Vraag:
    """``stuurgegevens``: the element's, when the caller parsed them already (the node's pipeline)."""
    naam = etree.QName(element).localname
    match = BERICHT.match(naam)
    if etree.QName(element).namespace != BG or not match:
        raise StufFout(foutcodes.STUF025, f"berichtcode {naam} wordt niet ondersteund door BeantwoordVraag")
    stuur = stuurgegevens if stuurgegevens is not None else sg.van_bericht(element)
    entiteittype = match.group(1).upper()
    if stuur.berichtcode != match.group(2):
        raise StufFout(foutcodes.STUF025, f"berichtcode {stuur.berichtcode} in {naam} wordt niet ondersteund")
    if (stuur.entiteittype or "").upper() != entiteittype:
        raise StufFout(foutcodes.STUF031, f"entiteittype {stuur.entiteittype} past niet bij {naam}")
    delen = {etree.QName(c).localname: c for c in element if isinstance(c.tag, str)}
    parameters = _parameters(delen.get("parameters"))
    gelijk, sleutel = _gelijk(delen.get("gelijk"))
    bereik = _bereik(delen.get("vanaf"), delen.get("totEnMet"))
    dubbel = sorted({c.pad for c in gelijk} & {c.pad for c in bereik})
    if dubbel:
        raise StufFout(foutcodes.STUF079, details=dubbel[0].rsplit("/", 1)[-1])
    if sleutel and (gelijk or bereik):
        raise StufFout(foutcodes.STUF091)
    start = _start(delen.get("start"), parameters["indicator_vervolgvraag"], bereik)
    return Vraag(
        berichtcode=naam, entiteittype=entiteittype, stuurgegevens=stuur,
        gelijk=tuple(c for c in gelijk if c is not None), bereik=bereik, sleutel=sleutel,
        scope=scope_mod.parse(delen.get("scope"), entiteittype), start=start, **parameters,
    )


def _tekst(parent: etree._Element | None, local: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(q(STUF, local))
    return None if child is None or child.text is None else child.text.strip()


def _bool(tekst: str | None) -> bool:
    return (tekst or "").strip().lower() in ("true", "1")


def _parameters(parameters: etree._Element | None) -> dict:
    sortering = _tekst(parameters, "sortering")
    maximum = _tekst(parameters, "maximumAantal")
    return {
        "sortering": int(sortering) if sortering else 0,
        "maximum_aantal": int(maximum) if maximum else None,
        "indicator_vervolgvraag": _bool(_tekst(parameters, "indicatorVervolgvraag")),
        # The StUF 03.01 schema spells it indicatorAfnemerIndicatie; the text indicatorAfnemerindicatie.
        "indicator_afnemerindicatie": _bool(_tekst(parameters, "indicatorAfnemerIndicatie")
                                            or _tekst(parameters, "indicatorAfnemerindicatie")),
        "indicator_aantal": _bool(_tekst(parameters, "indicatorAantal")),
        "peiltijdstip_materieel": _tekst(parameters, "peiltijdstipMaterieel") or None,
        "peiltijdstip_formeel": _tekst(parameters, "peiltijdstipFormeel") or None,
    }


def _sleutel(element: etree._Element) -> list[str]:
    return [element.get(q(STUF, s)) for s in SLEUTELS if element.get(q(STUF, s))]


def _bladeren(element: etree._Element, prefix: str = ""):
    """(pad, leaf element) for every leaf of a selection element, in document order."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        pad = f"{prefix}{etree.QName(child).localname}"
        if len(child) and any(isinstance(c.tag, str) for c in child):
            yield from _bladeren(child, pad + "/")
        else:
            yield pad, child


def _gelijk(gelijk: etree._Element | None) -> tuple[list[Criterium], str | None]:
    if gelijk is None:
        return [], None
    sleutels = _sleutel(gelijk)
    if len(sleutels) > 1:
        raise StufFout(foutcodes.STUF088)
    if gelijk.get(q(STUF, "sleutelVerzendend")):
        # The asker's own key: the node does not register afnemers' keys (§6.3.2).
        raise StufFout(foutcodes.STUF094)
    criteria = []
    for pad, leaf in _bladeren(gelijk):
        no_value = leaf.get(q(STUF, "noValue"))
        if no_value and no_value not in NOVALUE_CRITERIUM:
            continue  # waardeOnbekend / nietGeautoriseerd / nietOndersteund: ignored (§6.3.1)
        exact = leaf.get(q(STUF, "exact")) not in ("false", "0")
        waarde = None if (is_nil(leaf) or no_value) else (leaf.text or "").strip()
        if waarde is None and no_value is None:
            continue  # an empty nil element without noValue says nothing
        criteria.append(Criterium(pad, waarde=waarde, exact=exact, no_value=no_value))
    return criteria, (sleutels[0] if sleutels else None)


def _bereik_waarden(element: etree._Element | None) -> dict[str, str | None]:
    if element is None:
        return {}
    if _sleutel(element):
        raise StufFout(foutcodes.STUF058, "bevragen op een bereik van sleutels wordt niet ondersteund")
    waarden: dict[str, str | None] = {}
    for pad, leaf in _bladeren(element):
        if leaf.get(q(STUF, "exact")) is not None:
            raise StufFout(foutcodes.STUF082, details=pad.rsplit("/", 1)[-1])
        no_value = leaf.get(q(STUF, "noValue"))
        tekst = (leaf.text or "").strip()
        if leaf.get(q(STUF, "indOnvolledigeDatum")) or (tekst and _is_datum(pad) and _ONVOLLEDIG.match(tekst)):
            raise StufFout(foutcodes.STUF085, details=pad.rsplit("/", 1)[-1])
        # geenWaarde = low/high value; the other noValues are ignored: both mean "no bound".
        waarden[pad] = None if (no_value or is_nil(leaf)) else tekst
    return waarden


def _is_datum(pad: str) -> bool:
    return pad.rsplit("/", 1)[-1].lower().startswith("datum")


def _bereik(vanaf: etree._Element | None, tot: etree._Element | None) -> tuple[Criterium, ...]:
    van_w, tot_w = _bereik_waarden(vanaf), _bereik_waarden(tot)
    if (vanaf is None) != (tot is None) or set(van_w) != set(tot_w):
        verschil = sorted(set(van_w) ^ set(tot_w)) or ["vanaf" if vanaf is None else "totEnMet"]
        raise StufFout(foutcodes.STUF076, details=verschil[0].rsplit("/", 1)[-1])
    return tuple(Criterium(p, van=van_w[p], tot=tot_w[p]) for p in van_w
                 if van_w[p] is not None or tot_w[p] is not None)


def _start(start: etree._Element | None, vervolg: bool, bereik: tuple[Criterium, ...]):
    if not vervolg:
        return None
    obj = None if start is None else next((c for c in start if isinstance(c.tag, str)), None)
    if obj is None:
        raise StufFout(foutcodes.STUF103)
    aanwezig = {pad for pad, _ in _bladeren(obj)}
    for c in bereik:
        if c.pad not in aanwezig:
            raise StufFout(foutcodes.STUF106, details=c.pad.rsplit("/", 1)[-1])
    return obj
