"""Doelbinding: may this afnemer ask this, and which attributes and relations may it receive.

Default deny: an afnemer without a matching rule may ask nothing and receives nothing. The three
levels of StUF 03.01 §6.4.1: entiteittype (refused with StUF052), object (left out of the
answer), attribute/relation (left out of the object). Keys, StUF metadata (geldigheid,
registratie) and ``StUF:metagegeven`` elements are always kept, so an answer stays an answer.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from lxml import etree

from knoop_esb.afnemers.profielen import Regel
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, q

SLEUTELS = {"MAC": "kvkNummer", "NNP": "inn.nnpId", "VES": "vestigingsNummer"}
STUF_METADATA = frozenset({"tijdvakGeldigheid", "tijdstipRegistratie", "tijdvakObject", "tijdvakRelatie"})
_CODE = re.compile(r"^(?:[a-z]{3})?([A-Z][a-z]\d{2})$")


class MetRegels(Protocol):
    oin: str
    actief: bool
    regels: tuple[Regel, ...]


@dataclass(frozen=True)
class Besluit:
    toegestaan: bool
    reden: str
    regels: tuple[Regel, ...] = ()

    @property
    def doel(self) -> str:
        return "; ".join(dict.fromkeys(r.doel for r in self.regels if r.doel))


@dataclass(frozen=True)
class Gefilterd:
    """The object as the afnemer may receive it (None: not at all) and the attribute paths in it."""

    element: etree._Element | None
    attribuut_paden: tuple[str, ...]


def berichtcode_van(berichtcode: str) -> str:
    """``vesLv01`` → ``Lv01``; ``Lk01`` stays ``Lk01``."""
    match = _CODE.match(berichtcode)
    return match.group(1) if match else berichtcode


def regels_voor(afnemer: MetRegels | None, berichtcode: str, entiteittype: str) -> tuple[Regel, ...]:
    if afnemer is None or not afnemer.actief:
        return ()
    code = berichtcode_van(berichtcode)
    return tuple(r for r in afnemer.regels if r.past_op(code, entiteittype))


def mag_vragen(afnemer: MetRegels | None, berichtcode: str, entiteittype: str,
               selectie_keys: Iterable[str] = ()) -> Besluit:
    """May ``afnemer`` send this bericht about this entiteittype, selecting on these keys?"""
    if afnemer is None:
        return Besluit(False, "onbekende afnemer")
    if not afnemer.actief:
        return Besluit(False, f"afnemer {afnemer.oin} is niet actief")
    regels = regels_voor(afnemer, berichtcode, entiteittype)
    if not regels:
        return Besluit(False, f"afnemer {afnemer.oin} is niet geautoriseerd voor {berichtcode_van(berichtcode)} {entiteittype}")
    toegestaan = tuple(p for r in regels for p in r.selectie)
    verboden = [k for k in selectie_keys if not _gedekt(k, toegestaan)]
    if verboden:
        return Besluit(False, f"afnemer {afnemer.oin} mag niet selecteren op {', '.join(verboden)}", regels)
    return Besluit(True, "geautoriseerd", regels)


def controleer_vraag(afnemer: MetRegels | None, berichtcode: str, entiteittype: str,
                     selectie_keys: Iterable[str] = ()) -> Besluit:
    """:func:`mag_vragen`, raising StUF052 (entiteittype level, StUF 03.01 §6.4.1) when refused."""
    besluit = mag_vragen(afnemer, berichtcode, entiteittype, selectie_keys)
    if not besluit.toegestaan:
        raise StufFout(foutcodes.STUF052, details=besluit.reden)
    return besluit


def filter_antwoord(afnemer: MetRegels | None, obj: etree._Element, berichtcode: str = "Lv01") -> Gefilterd:
    """A copy of ``obj`` with only what the afnemer may see, and the attribute paths delivered."""
    entiteittype = obj.get(q(STUF, "entiteittype"), "")
    regels = regels_voor(afnemer, berichtcode, entiteittype)
    if not regels:
        return Gefilterd(None, ())
    attributen = tuple(p for r in regels for p in r.attributen)
    relaties = tuple(p for r in regels for p in r.relaties)
    kopie = copy.deepcopy(obj)
    kopie.tail = None
    if "*" not in attributen or "*" not in relaties:
        _filter(kopie, "", attributen, relaties, SLEUTELS.get(entiteittype))
    return Gefilterd(kopie, attribuut_paden(kopie))


def _filter(el: etree._Element, prefix: str, attributen: Sequence[str], relaties: Sequence[str], sleutel: str | None) -> None:
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        path = prefix + name
        if _altijd(child, name, path, sleutel):
            continue
        if not prefix and child.get(q(STUF, "entiteittype")) is not None:
            keep = "*" in relaties or name in relaties
        elif _gedekt(path, attributen):
            keep = True
        elif any(a.startswith(path + "/") for a in attributen):
            _filter(child, path + "/", attributen, relaties, None)
            keep = any(isinstance(c.tag, str) and c.get(q(STUF, "metagegeven")) != "true" for c in child)
        else:
            keep = False
        if not keep:
            el.remove(child)


def _altijd(child: etree._Element, name: str, path: str, sleutel: str | None) -> bool:
    if etree.QName(child).namespace == STUF and name in STUF_METADATA:
        return True
    return child.get(q(STUF, "metagegeven")) == "true" or path == sleutel


def _gedekt(path: str, patronen: Sequence[str]) -> bool:
    for p in patronen:
        p = p.removesuffix("/*")
        if p == "*" or path == p or path.startswith(p + "/"):
            return True
    return False


def attribuut_paden(obj: etree._Element) -> tuple[str, ...]:
    """Paths of the leaves that carry a value (text or StUF:noValue), for the protocol log."""
    paden: set[str] = set()

    def walk(el: etree._Element, prefix: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            path = prefix + etree.QName(child).localname
            if len(child):
                walk(child, path + "/")
            elif (child.text or "").strip() or child.get(q(STUF, "noValue")):
                paden.add(path)

    walk(obj, "")
    return tuple(sorted(paden))
