"""The body elements the outbox holds: an nnpLk01/macLk01/vesLk01 or an nnpSa01/macSa01/vesSa01
addressed to one afnemer and cut to its doelbinding (the a → b contract in docs/kennisgevingen.md).

Pure but for the clock and the referentienummer: the object elements come from
``transform.diff`` / ``transform.emit``, the cut from ``afnemers.autorisatie.filter_antwoord``
with the afnemer's ``Lk01`` rules (a synchronisation message carries a kennisgeving's content, so
the same rules decide what it may show).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

from lxml import etree

from knoop_esb.afnemers.autorisatie import filter_antwoord
from knoop_esb.stuf import berichten as stuf_berichten
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import BG, STUF, q

NSMAP = {"BG": BG, "StUF": STUF}
DOELBINDING = "Lk01"
_TIJDSTIP_REGISTRATIE = q(STUF, "tijdstipRegistratie")
_SLEUTEL_SYNC = q(STUF, "sleutelSynchronisatie")
_SLEUTEL_VERZENDEND = q(STUF, "sleutelVerzendend")
_ENTITEITTYPE = q(STUF, "entiteittype")


@dataclass(frozen=True)
class Bericht:
    """One outbox row's content."""

    berichtcode: str  # "Lk01" | "Sa01"
    entiteittype: str
    sleutel: str
    referentienummer: str
    element: etree._Element

    @property
    def payload(self) -> str:
        return etree.tostring(self.element, encoding="unicode")


def ontvanger(afnemer) -> sg.Systeem:
    """The afnemer as StUF ontvanger: its OIN and applicatie ('onbekend' when it has none)."""
    return sg.geldig_systeem(sg.Systeem(organisatie=afnemer.oin, applicatie=afnemer.applicatie or ""))


def gesneden(afnemer, objecten: Sequence[etree._Element]) -> list[etree._Element] | None:
    """The objects as this afnemer may receive them; None when it may not receive them at all, or
    (a W pair) when nothing it may see changed."""
    uit = []
    for obj in objecten:
        el = filter_antwoord(afnemer, obj, DOELBINDING).element
        if el is None:
            return None
        uit.append(el)
    if len(uit) == 2 and _zelfde(*uit):
        return None
    return uit


def kopie(el: etree._Element) -> etree._Element:
    """A copy of an object for a second message (a message takes its elements in)."""
    return copy.deepcopy(el)


def _zelfde(oud: etree._Element, nieuw: etree._Element) -> bool:
    """A W pair without a difference (tijdstipRegistratie is only on the new side)."""
    def kern(el):
        kopie = copy.deepcopy(el)
        for t in kopie.findall(_TIJDSTIP_REGISTRATIE):
            kopie.remove(t)
        return etree.tostring(kopie, method="c14n")
    return kern(oud) == kern(nieuw)


def _stuurgegevens(berichtcode: str, entiteittype: str, node: sg.Systeem, afnemer, referentienummer: str,
                   cross_refnummer: str | None = None) -> sg.Stuurgegevens:
    return sg.Stuurgegevens(berichtcode=berichtcode, zender=node, ontvanger=ontvanger(afnemer),
                            referentienummer=referentienummer, tijdstip_bericht=sg.tijdstip_bericht(),
                            entiteittype=entiteittype, cross_refnummer=cross_refnummer)


def lk01(entiteittype: str, sleutel: str, mutatiesoort: str, objecten: Sequence[etree._Element], *,
         node: sg.Systeem, afnemer) -> Bericht:
    """``<BG:xxxLk01>``: stuurgegevens, parameters (mutatiesoort, indicatorOvername V), the object(s)."""
    referentie = sg.nieuw_referentienummer()
    el = stuf_berichten.kennisgevingsbericht(
        BG, f"{entiteittype.lower()}Lk01", _stuurgegevens("Lk01", entiteittype, node, afnemer, referentie),
        mutatiesoort=mutatiesoort, objecten=list(objecten), nsmap=NSMAP)
    return Bericht("Lk01", entiteittype, sleutel, referentie, el)


def sa01(entiteittype: str, sleutel: str, obj: etree._Element, *, node: sg.Systeem, afnemer,
         cross_refnummer: str | None = None) -> Bericht:
    """``<BG:xxxSa01>``: stuurgegevens (Sa01; crossRefnummer = the Sa03 it answers) and ``actueel``,
    the current object as a toevoegkennisgeving (an Lk01 with mutatiesoort T, StUF 03.01 §5.4)."""
    referentie = sg.nieuw_referentienummer()
    root = etree.Element(q(BG, f"{entiteittype.lower()}Sa01"), nsmap=NSMAP)
    root.append(sg.to_element(_stuurgegevens("Sa01", entiteittype, node, afnemer, referentie, cross_refnummer),
                              element_ns=BG))
    actueel = etree.SubElement(root, q(BG, "actueel"))
    actueel.append(sg.to_element(_stuurgegevens("Lk01", entiteittype, node, afnemer, referentie), element_ns=BG))
    parameters = etree.SubElement(actueel, q(BG, "parameters"))
    etree.SubElement(parameters, q(STUF, "mutatiesoort")).text = "T"
    etree.SubElement(parameters, q(STUF, "indicatorOvername")).text = "V"
    _sleutels_synchronisatie(obj)
    actueel.append(obj)
    return Bericht("Sa01", entiteittype, sleutel, referentie, root)


def _sleutels_synchronisatie(obj: etree._Element) -> None:
    """A synchronisation message names the object and each of its relations by a
    sleutelSynchronisatie (required by the Sa01 types): the object's own key, and for a relation
    the key of its gerelateerde."""
    obj.set(_SLEUTEL_SYNC, obj.get(_SLEUTEL_VERZENDEND) or sleutel_van(obj))
    for rel in obj:
        if isinstance(rel.tag, str) and rel.get(_ENTITEITTYPE) is not None:
            gerelateerde = next((d.get(_SLEUTEL_VERZENDEND) for d in rel.iter() if d.get(_SLEUTEL_VERZENDEND)), None)
            rel.set(_SLEUTEL_SYNC, gerelateerde or obj.get(_SLEUTEL_SYNC))


def sleutel_van(obj: etree._Element) -> str:
    return obj.get(_SLEUTEL_VERZENDEND) or ""
