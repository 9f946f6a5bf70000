"""The La01: stuurgegevens as an answer to the vraag, parameters, meldingen, the objects.

Order and presence follow StUF 03.01 §6.2/§6.4 and the BG 03.10 schema: ``parameters`` always
(``indicatorVervolgvraag`` is mandatory in a synchronous answer), then ``melding`` elements, then
``antwoord`` only when there is at least one object ("not found" is an La01 without antwoord).
"""
from __future__ import annotations

from typing import Sequence

from lxml import etree

from knoop_esb.stuf import berichten
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import BG, STUF, XSI
from knoop_esb.vraag.model import Vraag

NSMAP = {"BG": BG, "StUF": STUF, "xsi": XSI}


def _bool(waarde: bool) -> str:
    return "true" if waarde else "false"


def la01(vraag: Vraag, objecten: Sequence[etree._Element], *, vervolg: bool, afnemerindicatie: bool,
         meldingen: Sequence[str] = (), aantal: int | None = None,
         node: sg.Systeem | None = None) -> etree._Element:
    """``BG:<ent>La01`` answering ``vraag``; ``objecten`` are ``BG:object`` elements (moved in)."""
    parameters = [("indicatorVervolgvraag", _bool(vervolg))]
    if vraag.indicator_afnemerindicatie:
        parameters.append(("indicatorAfnemerIndicatie", _bool(afnemerindicatie)))
    if vraag.indicator_aantal and aantal is not None:
        parameters.append(("aantalVoorkomens", str(aantal)))
    code = "La" + vraag.berichtcode[-2:]  # Lv01 → La01, Lv03 → La03, Lv05 → La05
    stuur = sg.antwoord_op(vraag.stuurgegevens, code, node_systeem=node, entiteittype=vraag.entiteittype)
    return berichten.antwoordbericht(BG, vraag.berichtcode[:-4] + code, stuur, parameters=parameters,
                                     meldingen=meldingen, objecten=objecten, nsmap=NSMAP)
