"""The La01: stuurgegevens as an answer to the vraag, parameters, meldingen, the objects.

Order and presence follow StUF 03.01 §6.2/§6.4 and the BG 03.10 schema: ``parameters`` always
(``indicatorVervolgvraag`` is mandatory in a synchronous answer), then ``melding`` elements, then
``antwoord`` only when there is at least one object ("not found" is an La01 without antwoord).
"""
from __future__ import annotations

from typing import Sequence

from lxml import etree

from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import BG, STUF, XSI, q
from knoop_esb.vraag.model import Vraag

NSMAP = {"BG": BG, "StUF": STUF, "xsi": XSI}
MELDING_MAX = 250  # StUF:Melding


def _bool(waarde: bool) -> str:
    return "true" if waarde else "false"


def la01(vraag: Vraag, objecten: Sequence[etree._Element], *, vervolg: bool, afnemerindicatie: bool,
         meldingen: Sequence[str] = (), aantal: int | None = None,
         node: sg.Systeem | None = None) -> etree._Element:
    """``BG:<ent>La01`` answering ``vraag``; ``objecten`` are ``BG:object`` elements (moved in)."""
    naam = vraag.berichtcode.replace("Lv01", "La01")
    root = etree.Element(q(BG, naam), nsmap=NSMAP)
    stuur = sg.antwoord_op(vraag.stuurgegevens, "La01", node_systeem=node, entiteittype=vraag.entiteittype)
    root.append(sg.to_element(stuur, element_ns=BG))
    parameters = etree.SubElement(root, q(BG, "parameters"))
    etree.SubElement(parameters, q(STUF, "indicatorVervolgvraag")).text = _bool(vervolg)
    if vraag.indicator_afnemerindicatie:
        etree.SubElement(parameters, q(STUF, "indicatorAfnemerIndicatie")).text = _bool(afnemerindicatie)
    if vraag.indicator_aantal and aantal is not None:
        etree.SubElement(parameters, q(STUF, "aantalVoorkomens")).text = str(aantal)
    for melding in meldingen:
        etree.SubElement(root, q(BG, "melding")).text = melding[:MELDING_MAX]
    if objecten:
        antwoord = etree.SubElement(root, q(BG, "antwoord"))
        for obj in objecten:
            antwoord.append(obj)
    return root
