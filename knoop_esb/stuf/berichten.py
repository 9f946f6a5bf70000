"""StUF 03.01 bevestigingsberichten the node sends (stuf0301 §4.4.1, stuf0301.xsd).

Bv03 is the synchronous technical acceptance of an asynchronous message (e.g. a Lk01 kennisgeving):
the node may only send it once the message is safely stored. Bv01 is the asynchronous functional
confirmation that it was processed.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb.stuf import stuurgegevens as _sg
from knoop_esb.stuf.ns import STUF, q

MELDING_MAX = 250  # StUF:Melding


def _bevestiging(naam: str, berichtcode: str, oorzaak: _sg.Stuurgegevens | None, node: _sg.Systeem | None):
    root = etree.Element(q(STUF, naam), nsmap={"StUF": STUF})
    root.append(_sg.bevestiging_stuurgegevens(berichtcode, oorzaak, node))
    return root


def bv01(
    oorzaak: _sg.Stuurgegevens, node: _sg.Systeem | None = None, meldingen: list[str] | None = None
) -> etree._Element:
    """``StUF:Bv01Bericht`` confirming that asynchronous message ``oorzaak`` was processed;
    ``meldingen`` (e.g. ``foutcodes.STUF0004.melding()``) become ``StUF:melding`` elements."""
    root = _bevestiging("Bv01Bericht", "Bv01", oorzaak, node)
    for melding in meldingen or []:
        etree.SubElement(root, q(STUF, "melding")).text = melding[:MELDING_MAX]
    return root


def bv03(oorzaak: _sg.Stuurgegevens, node: _sg.Systeem | None = None) -> etree._Element:
    """``StUF:Bv03Bericht``: asynchronous message ``oorzaak`` is accepted and safely stored."""
    return _bevestiging("Bv03Bericht", "Bv03", oorzaak, node)


def antwoordbericht(
    ns: str,
    naam: str,
    stuurgegevens: _sg.Stuurgegevens,
    *,
    parameters: list[tuple[str, str]],
    meldingen: list[str] | tuple[str, ...] = (),
    objecten=(),
    nsmap: dict[str, str] | None = None,
) -> etree._Element:
    """A sector antwoordbericht ``<ns:naam>`` (La01, La03 …) in the order StUF 03.01 §6.2/§6.4 and the
    sector schemas prescribe: stuurgegevens, parameters (StUF-namespace ``(naam, tekst)`` pairs;
    ``indicatorVervolgvraag`` is mandatory), ``melding`` elements, then ``antwoord`` only when there
    is at least one object ("not found" is an antwoordbericht without antwoord). ``objecten`` are
    moved in as they are."""
    root = etree.Element(q(ns, naam), nsmap=nsmap or {"StUF": STUF})
    root.append(_sg.to_element(stuurgegevens, element_ns=ns))
    container = etree.SubElement(root, q(ns, "parameters"))
    for parameter, tekst in parameters:
        etree.SubElement(container, q(STUF, parameter)).text = tekst
    for melding in meldingen:
        etree.SubElement(root, q(ns, "melding")).text = melding[:MELDING_MAX]
    objecten = list(objecten)
    if objecten:
        etree.SubElement(root, q(ns, "antwoord")).extend(objecten)
    return root


def kennisgevingsbericht(
    ns: str,
    naam: str,
    stuurgegevens: _sg.Stuurgegevens,
    *,
    mutatiesoort: str,
    objecten,
    indicator_overname: str = "V",
    nsmap: dict[str, str] | None = None,
) -> etree._Element:
    """A sector kennisgevingsbericht ``<ns:naam>`` (Lk01): stuurgegevens, parameters (mutatiesoort
    T/W/V…, indicatorOvername V = the afnemer takes it over as is), then the object(s) — for a W
    the old state before the new one (StUF 03.01: "het eerste object bevat de 'oude' situatie en het
    tweede object de 'nieuwe' situatie"). ``objecten`` are moved in."""
    root = etree.Element(q(ns, naam), nsmap=nsmap or {"StUF": STUF})
    root.append(_sg.to_element(stuurgegevens, element_ns=ns))
    parameters = etree.SubElement(root, q(ns, "parameters"))
    etree.SubElement(parameters, q(STUF, "mutatiesoort")).text = mutatiesoort
    etree.SubElement(parameters, q(STUF, "indicatorOvername")).text = indicator_overname
    root.extend(objecten)
    return root
