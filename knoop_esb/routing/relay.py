"""Forwarding a vraagbericht to an upstream StUF service and relaying its answer as the node's own.

The node is the afnemer's counterpart, not a transparent pipe: the upstream sees the node as zender
(its own OIN, a fresh referentienummer), and the afnemer gets an antwoord whose stuurgegevens answer
*its* vraag (``antwoord_op``), with the upstream's objects copied unchanged and a ``melding`` for
every source that could not answer (StUF Melding, at most 250 characters).
"""
from __future__ import annotations

import copy

from lxml import etree

from knoop_esb.routing.sources.base import Antwoord, Melding
from knoop_esb.stuf import berichten
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import STUF, q

MELDING_MAX = berichten.MELDING_MAX


def _stuurgegevens_element(bericht: etree._Element) -> etree._Element | None:
    for child in bericht:
        if isinstance(child.tag, str) and etree.QName(child).localname == "stuurgegevens":
            return child
    return None


def doorgestuurde_vraag(vraag: etree._Element, zender: sg.Systeem, ontvanger: sg.Systeem) -> tuple[etree._Element, sg.Stuurgegevens]:
    """A copy of ``vraag`` with stuurgegevens from the node (zender) to the upstream (ontvanger)."""
    bericht = copy.deepcopy(vraag)
    oud_element = _stuurgegevens_element(bericht)
    oud = sg.van_bericht(vraag)
    nieuw = sg.Stuurgegevens(
        berichtcode=oud.berichtcode, zender=zender, ontvanger=ontvanger,
        referentienummer=sg.nieuw_referentienummer(), tijdstip_bericht=sg.tijdstip_bericht(),
        entiteittype=oud.entiteittype, functie=oud.functie,
    )
    bericht.replace(oud_element, sg.to_element(nieuw, etree.QName(oud_element).namespace))
    return bericht, nieuw


def antwoord_objecten(antwoordbericht: etree._Element) -> tuple[etree._Element, ...]:
    """The ``antwoord/object`` elements of a La0x, in the order the upstream gave them."""
    ns = etree.QName(antwoordbericht).namespace
    antwoord = antwoordbericht.find(q(ns, "antwoord"))
    return tuple(antwoord.findall(q(ns, "object"))) if antwoord is not None else ()


def melding_tekst(melding: Melding) -> str:
    tekst = f"{melding.bron}: {melding.code} {melding.omschrijving}"
    return tekst if len(tekst) <= MELDING_MAX else tekst[: MELDING_MAX - 1] + "…"


def antwoordbericht(vraag: etree._Element, antwoord: Antwoord, node: sg.Systeem | None = None,
                    stuurgegevens: sg.Stuurgegevens | None = None) -> etree._Element:
    """The node's ``<ent>La0x`` to ``vraag`` carrying ``antwoord.stuf_objecten`` and its meldingen.
    ``stuurgegevens``: the vraag's, when the caller parsed them already (the node's pipeline)."""
    request = stuurgegevens if stuurgegevens is not None else sg.van_bericht(vraag)
    berichtcode = (request.berichtcode or "Lv01").replace("Lv", "La", 1)
    return berichten.antwoordbericht(
        etree.QName(vraag).namespace, etree.QName(vraag).localname.replace("Lv", "La", 1),
        sg.antwoord_op(request, berichtcode, node_systeem=node), parameters=[("indicatorVervolgvraag", "false")],
        meldingen=[melding_tekst(m) for m in antwoord.meldingen],
        objecten=[copy.deepcopy(o) for o in antwoord.stuf_objecten], nsmap={"StUF": STUF, **_prefix(vraag)})


def _prefix(vraag: etree._Element) -> dict:
    ns = etree.QName(vraag).namespace
    prefix = next((p for p, uri in vraag.nsmap.items() if uri == ns and p), "BG")
    return {prefix: ns}
