"""Sortering, maximumAantal and vervolgvragen (StUF 03.01 §6.1, §6.3.4, §6.4.1).

StUF keeps no state between vragen: the vervolgvraag carries the last object received in
``<start>``, so each page is "the objects after the start object in the requested order". The
object's own key breaks ties, which makes every sortering a total order and pages never overlap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, q
from knoop_esb.vraag.model import Vraag
from knoop_esb.vraag.selectie import BRON_SLEUTELS, SLEUTEL_PAD, bron_selectie, is_nil, waarden, zoekbaar


@dataclass(frozen=True)
class Pagina:
    objecten: tuple
    vervolg: bool  # indicatorVervolgvraag of the La01
    meldingen: tuple[str, ...]
    aantal: int  # every matching object (aantalVoorkomens)


def _deel(tekst: str | None) -> tuple:
    if tekst is None:
        return (-1, 0, "")  # no value sorts as the empty value: "Dorpsstraat 5" before "5a"
    if tekst.isdigit():
        return (0, int(tekst), "")
    return (1, 0, tekst.casefold())


def _eerste(obj: etree._Element, pad: str) -> str | None:
    for leaf in waarden(obj, pad):
        tekst = (leaf.text or "").strip()
        if tekst and not is_nil(leaf):
            return tekst
    return None


def sorteersleutel(obj: etree._Element, paden: Sequence[str], entiteittype: str, sleutel: str | None = None) -> tuple:
    eigen = sleutel or obj.get(q(STUF, "sleutelVerzendend")) or _eerste(obj, SLEUTEL_PAD[entiteittype])
    return tuple(_deel(_eerste(obj, p)) for p in paden) + (_deel(eigen),)


def paden(vraag: Vraag, sorteringen: Mapping[str, Mapping[int, tuple[str, ...]]]) -> tuple[str, ...]:
    if vraag.sortering == 0:
        return ()  # the node's own order: the object key (§6.4.1); also a key question (dienst._op_sleutel)
    per_nummer = sorteringen.get(vraag.entiteittype, {})
    if vraag.sortering not in per_nummer:
        raise StufFout(foutcodes.STUF133, f"sortering {vraag.sortering} bestaat niet voor {vraag.entiteittype}")
    return per_nummer[vraag.sortering]


def controleer_ondersteund(vraag: Vraag, sorteer_paden: tuple[str, ...]) -> None:
    """StUF 03.01 §6.3.1: selecting on a sortering's leading element must work for every sortering
    the node supports. A sortering whose leading element no source can search on (VES 3,
    sub.telefoonnummer) is therefore not supported when that element is the selection: StUF133."""
    if not sorteer_paden or sorteer_paden[0] in BRON_SLEUTELS.get(vraag.entiteittype, {}):
        return
    op_leidend = any(c.pad == sorteer_paden[0] for c in vraag.criteria)
    if op_leidend and not zoekbaar(bron_selectie(vraag)):
        raise StufFout(foutcodes.STUF133, f"sortering {vraag.sortering} ({sorteer_paden[0]}) wordt niet "
                       f"ondersteund voor {vraag.entiteittype}")


def _na_start(geordend: list, start_obj: etree._Element, sorteer_paden: tuple[str, ...], ent: str) -> list:
    """The objects after the start object. Clients often return only the key in ``<start>``, not
    the values it was sorted by: then the start is found by its key in the ordered objects (its
    sort values taken from there) instead of sorting a start without them before everything."""
    # The afnemer returns our sleutelVerzendend as StUF:sleutelOntvangend on the start object.
    eigen = start_obj.get(q(STUF, "sleutelOntvangend"))
    sleutel = eigen or start_obj.get(q(STUF, "sleutelVerzendend")) or _eerste(start_obj, SLEUTEL_PAD[ent])
    if sorteer_paden and sleutel and any(_eerste(start_obj, p) is None for p in sorteer_paden):
        for i, obj in enumerate(geordend):
            if sorteersleutel(obj, (), ent)[-1] == _deel(sleutel):
                return geordend[i + 1:]
    start = sorteersleutel(start_obj, sorteer_paden, ent, eigen)
    return [o for o in geordend if sorteersleutel(o, sorteer_paden, ent) > start]


def pagina(objecten: Sequence[etree._Element], vraag: Vraag, sorteer_paden: tuple[str, ...],
           standaard_maximum: int, node_maximum: int) -> Pagina:
    ent = vraag.entiteittype
    geordend = sorted(objecten, key=lambda o: sorteersleutel(o, sorteer_paden, ent))
    if vraag.start is not None:
        geordend = _na_start(geordend, vraag.start, sorteer_paden, ent)
    gevraagd = vraag.maximum_aantal or standaard_maximum
    maximum = min(gevraagd, node_maximum)
    meldingen: list[str] = []
    if len(geordend) > maximum and gevraagd > node_maximum:
        meldingen.append(foutcodes.STUF0002.melding())
    return Pagina(tuple(geordend[:maximum]), len(geordend) > maximum, tuple(meldingen), len(objecten))
