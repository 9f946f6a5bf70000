"""Element builders for StUF-BG 0310 content: BG/StUF qualified names, noValue, dates, metagegevens.

Kept apart from the mapping rules so each rule is a few lines that say *what* is written, while
the StUF notational details (xsi:nil with StUF:noValue, indOnvolledigeDatum, StUF:metagegeven on
authentiek) live in one place.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb.stuf.ns import BG, STUF, XSI

NSMAP = {"BG": BG, "StUF": STUF, "xsi": XSI}

_NIL = f"{{{XSI}}}nil"
_NOVALUE = f"{{{STUF}}}noValue"
ENTITEITTYPE = f"{{{STUF}}}entiteittype"
VERWERKINGSSOORT = f"{{{STUF}}}verwerkingssoort"
SLEUTEL_VERZENDEND = f"{{{STUF}}}sleutelVerzendend"

GEEN_WAARDE = "geenWaarde"
WAARDE_ONBEKEND = "waardeOnbekend"
NIET_ONDERSTEUND = "nietOndersteund"


def qname(naam: str) -> str:
    """``StUF:x`` → StUF namespace, anything else → BG namespace."""
    if naam.startswith("StUF:"):
        return f"{{{STUF}}}{naam[5:]}"
    return f"{{{BG}}}{naam}"


def element(naam: str, waarde: object = None, children: list | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(qname(naam), nsmap=NSMAP)
    for key, value in attrs.items():
        el.set(key, value)
    if waarde is not None:
        el.text = str(waarde)
    for child in children or ():
        el.append(child)
    return el


def geen(naam: str, reden: str) -> etree._Element:
    """An empty, nil element carrying why it has no value (StUF 03.01 §3.4.1)."""
    el = etree.Element(qname(naam), nsmap=NSMAP)
    el.set(_NIL, "true")
    el.set(_NOVALUE, reden)
    return el


def entiteit(naam: str, entiteittype: str, children: list, sleutel: str | None = None,
             verwerkingssoort: str | None = None) -> etree._Element:
    el = etree.Element(qname(naam), nsmap=NSMAP)
    el.set(ENTITEITTYPE, entiteittype)
    if sleutel:
        el.set(SLEUTEL_VERZENDEND, sleutel)
    if verwerkingssoort:
        el.set(VERWERKINGSSOORT, verwerkingssoort)
    el.extend(children)
    return el


def lege_relatie(naam: str, entiteittype: str, reden: str, verwerkingssoort: str | None = None) -> etree._Element:
    el = geen(naam, reden)
    el.set(ENTITEITTYPE, entiteittype)
    if verwerkingssoort:
        el.set(VERWERKINGSSOORT, verwerkingssoort)
    return el


def onvolledig(datum: str) -> str | None:
    """StUF:indOnvolledigeDatum for a JJJJMMDD with 00 parts; None when the date is complete."""
    if datum[0:4] == "0000":
        return "J"
    if datum[4:6] == "00":
        return "M"
    if datum[6:8] == "00":
        return "D"
    return None


def datum(naam: str, waarde: str) -> etree._Element:
    el = element(naam, waarde)
    indicator = onvolledig(waarde)
    if indicator:
        el.set(f"{{{STUF}}}indOnvolledigeDatum", indicator)
    return el


def metagegeven(naam: str, waarde: str) -> etree._Element:
    return element(naam, waarde, **{f"{{{STUF}}}metagegeven": "true"})
