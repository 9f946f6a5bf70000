"""Selection: which StUF objects satisfy a vraag's criteria, and what the sources are asked.

Matching works on the StUF-BG ``object`` elements themselves (the same paths the schema's
sortering appinfo uses), so every element of the content model can be a criterion and the
meaning of a criterion never depends on how a source stores its data. Sources only get the
keys they can search on (``routing.sources.base.SELECTIE_SLEUTELS``) to find candidates.
"""
from __future__ import annotations

import unicodedata
from typing import Iterator

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, XSI, q
from knoop_esb.vraag.model import Criterium, Vraag

# StUF-BG element path → the source selection key it fills, per entiteittype.
BRON_SLEUTELS: dict[str, dict[str, str]] = {
    "MAC": {"kvkNummer": "kvkNummer", "handelsnaam": "handelsnaam",
            # As a CRM asks it: the company of one vestiging.
            "oefentActiviteitUitIn/gerelateerde/vestigingsNummer": "vestigingsnummer"},
    "NNP": {"inn.nnpId": "rsin", "statutaireNaam": "statutaireNaam"},
    "VES": {
        "vestigingsNummer": "vestigingsnummer",
        "handelsnaam": "handelsnaam",
        "oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "kvkNummer",
        "verblijfsadres/aoa.postcode": "postcode",
        "verblijfsadres/aoa.huisnummer": "huisnummer",
        "verblijfsadres/aoa.huisletter": "huisletter",
        "verblijfsadres/aoa.huisnummertoevoeging": "huisnummertoevoeging",
        "verblijfsadres/wpl.woonplaatsNaam": "woonplaats",
        "verblijfsadres/gor.openbareRuimteNaam": "straat",
        "verblijfsadres/gor.straatnaam": "straat",
    },
}
# What an afnemer is told when its selection gives the sources nothing to search on.
ZOEKBARE_SELECTIES = {
    "MAC": "kvkNummer, handelsnaam of oefentActiviteitUitIn/gerelateerde/vestigingsNummer",
    "NNP": "inn.nnpId of statutaireNaam",
    "VES": "vestigingsNummer, handelsnaam, oefentActiviteitenUitVoor/gerelateerde/kvkNummer, "
           "verblijfsadres/aoa.postcode, of verblijfsadres/wpl.woonplaatsNaam met gor.openbareRuimteNaam",
}
# The object's own key: the tie-breaker that makes every sortering a total order for paging.
SLEUTEL_PAD = {"MAC": "kvkNummer", "NNP": "inn.nnpId", "VES": "vestigingsNummer"}
# A selection on one of these alone cannot narrow the candidates; it needs a companion.
_ZOEKBAAR = ("kvkNummer", "rsin", "vestigingsnummer", "handelsnaam", "statutaireNaam")


def bron_selectie(vraag: Vraag) -> dict[str, str]:
    """The keys sources search on. StUF:exact="false" is not passed on: the objects a source returns
    are matched here (``voldoet``), and a store search "bevat" would scan the table on every list
    question (the store is asked before KVK there)."""
    paden = BRON_SLEUTELS.get(vraag.entiteittype, {})
    selectie: dict[str, str] = {}
    for c in vraag.gelijk:
        sleutel = paden.get(c.pad)
        if sleutel is None or c.waarde is None or not c.waarde:
            continue
        selectie[sleutel] = c.waarde
    return selectie


# The Handelsregister numbers are digits of a fixed length (kvk/FACTS.md: KVK's own patterns);
# the StUF-BG schema types them as strings, so "6875O110" passes the schema and must be refused here.
FORMAAT = {"kvkNummer": 8, "rsin": 9, "vestigingsnummer": 12}


def controleer_formaat(vraag: Vraag) -> None:
    """StUF055 (client) for an exact selection on a KVK-, RSIN- or vestigingsnummer that cannot be one."""
    paden = BRON_SLEUTELS.get(vraag.entiteittype, {})
    for c in vraag.gelijk:
        sleutel = paden.get(c.pad)
        lengte = FORMAAT.get(sleutel)
        if lengte is None or not c.exact or not c.waarde:
            continue
        if not (c.waarde.isascii() and c.waarde.isdigit() and len(c.waarde) == lengte):
            raise StufFout(foutcodes.STUF055, f"{c.pad.rsplit('/', 1)[-1]} {c.waarde!r} is geen nummer van "
                           f"{lengte} cijfers", details=c.pad)


# The key that names one object: a question on it is complete when the store has that object.
EIGEN_SLEUTEL = {"MAC": "kvkNummer", "NNP": "rsin", "VES": "vestigingsnummer"}


def is_sleutelvraag(entiteittype: str, selectie: dict[str, str]) -> bool:
    return EIGEN_SLEUTEL.get(entiteittype) in selectie


def zoekbaar(selectie: dict[str, str]) -> bool:
    """Whether the selection narrows the candidates enough for any source to search."""
    return (any(k in selectie for k in _ZOEKBAAR) or {"postcode"} <= selectie.keys()
            or {"straat", "woonplaats"} <= selectie.keys())


def kvk_kan(selectie: dict[str, str]) -> bool:
    """Whether KVK's Zoeken API can answer it: postcode only together with huisnummer
    (kvk/FACTS.md), a town only together with a name or street."""
    return (any(k in selectie for k in _ZOEKBAAR) or {"postcode", "huisnummer"} <= selectie.keys()
            or {"straat", "woonplaats"} <= selectie.keys())


def waarden(obj: etree._Element, pad: str) -> Iterator[etree._Element]:
    """Every leaf element at ``pad`` (local names joined by ``/``) inside ``obj``."""
    huidige = [obj]
    for deel in pad.split("/"):
        huidige = [c for el in huidige for c in el if isinstance(c.tag, str) and etree.QName(c).localname == deel]
    return iter(huidige)


def _norm(tekst: str) -> str:
    zonder = unicodedata.normalize("NFKD", tekst)
    return " ".join("".join(ch for ch in zonder if not unicodedata.combining(ch)).casefold().split())


def is_nil(leaf: etree._Element) -> bool:
    return leaf.get(q(XSI, "nil")) in ("true", "1")


def _vergelijk(a: str, b: str) -> int:
    if a.isdigit() and b.isdigit():
        return (int(a) > int(b)) - (int(a) < int(b))
    return (a > b) - (a < b)


def voldoet_aan(obj: etree._Element, c: Criterium) -> bool:
    leaves = list(waarden(obj, c.pad))
    gevuld = [(leaf.text or "").strip() for leaf in leaves if not is_nil(leaf) and (leaf.text or "").strip()]
    if c.no_value == "geenWaarde":
        return not gevuld
    if c.no_value is not None:
        return any(leaf.get(q(STUF, "noValue")) == c.no_value for leaf in leaves)
    if c.is_bereik:
        return any((c.van is None or _vergelijk(v, c.van) >= 0) and (c.tot is None or _vergelijk(v, c.tot) <= 0)
                   for v in gevuld)
    if c.exact:
        return any(v == c.waarde for v in gevuld)
    gezocht = _norm(c.waarde or "")
    return any(gezocht in _norm(v) for v in gevuld)


def voldoet(obj: etree._Element, vraag: Vraag) -> bool:
    """Whether ``obj`` meets every criterion; a key question arrives as a criterion on the key
    (``dienst._op_sleutel``)."""
    return all(voldoet_aan(obj, c) for c in vraag.criteria)
