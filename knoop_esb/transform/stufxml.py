"""Builders for StUF-BG 0310 content: BG/StUF names, noValue, dates, metagegevens.

The emitter builds light :class:`Knoop` tuples and turns a finished object into lxml once
(:func:`naar_lxml`: one serialise-and-parse instead of a libxml2 document per element, which is
what made per-element lxml construction the emitter's main cost). The StUF notational details
(xsi:nil with StUF:noValue, indOnvolledigeDatum, StUF:metagegeven on authentiek) live here only.
"""
from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from knoop_esb.stuf.ns import BG, STUF, XSI

NSMAP = {"BG": BG, "StUF": STUF, "xsi": XSI}

ENTITEITTYPE = f"{{{STUF}}}entiteittype"
VERWERKINGSSOORT = f"{{{STUF}}}verwerkingssoort"
SLEUTEL_VERZENDEND = f"{{{STUF}}}sleutelVerzendend"

GEEN_WAARDE = "geenWaarde"
WAARDE_ONBEKEND = "waardeOnbekend"
NIET_ONDERSTEUND = "nietOndersteund"


class Knoop(NamedTuple):
    """One element: ``naam`` as the mapping tables write it (``StUF:x`` or a BG name), its text,
    its attributes as (prefixed name, value) pairs, its child Knoops."""

    naam: str
    tekst: str | None = None
    attrs: tuple[tuple[str, str], ...] = ()
    kinderen: list = []

    def attr(self, naam: str) -> str | None:
        return next((v for k, v in self.attrs if k == naam), None)


def qname(naam: str) -> str:
    """``StUF:x`` → StUF namespace, anything else → BG namespace (Clark notation)."""
    if naam.startswith("StUF:"):
        return f"{{{STUF}}}{naam[5:]}"
    return f"{{{BG}}}{naam}"


def element(naam: str, waarde: object = None, children: list | None = None,
            attrs: tuple[tuple[str, str], ...] = ()) -> Knoop:
    return Knoop(naam, None if waarde is None else str(waarde), attrs, children or [])


def geen(naam: str, reden: str) -> Knoop:
    """An empty, nil element carrying why it has no value (StUF 03.01 §3.4.1)."""
    return Knoop(naam, None, (("xsi:nil", "true"), ("StUF:noValue", reden)), [])


def entiteit(naam: str, entiteittype: str, children: list, sleutel: str | None = None,
             verwerkingssoort: str | None = None) -> Knoop:
    attrs = [("StUF:entiteittype", entiteittype)]
    if sleutel:
        attrs.append(("StUF:sleutelVerzendend", sleutel))
    if verwerkingssoort:
        attrs.append(("StUF:verwerkingssoort", verwerkingssoort))
    return Knoop(naam, None, tuple(attrs), list(children))


def lege_relatie(naam: str, entiteittype: str, reden: str, verwerkingssoort: str | None = None) -> Knoop:
    attrs = [("xsi:nil", "true"), ("StUF:noValue", reden), ("StUF:entiteittype", entiteittype)]
    if verwerkingssoort:
        attrs.append(("StUF:verwerkingssoort", verwerkingssoort))
    return Knoop(naam, None, tuple(attrs), [])


def onvolledig(datum: str) -> str | None:
    """StUF:indOnvolledigeDatum for a JJJJMMDD with 00 parts; None when the date is complete."""
    if datum[0:4] == "0000":
        return "J"
    if datum[4:6] == "00":
        return "M"
    if datum[6:8] == "00":
        return "D"
    return None


def datum(naam: str, waarde: str) -> Knoop:
    indicator = onvolledig(waarde)
    return Knoop(naam, waarde, (("StUF:indOnvolledigeDatum", indicator),) if indicator else (), [])


def metagegeven(naam: str, waarde: str) -> Knoop:
    return Knoop(naam, waarde, (("StUF:metagegeven", "true"),), [])


# --- to lxml -------------------------------------------------------------------------------------

_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


_TAGS: dict[str, tuple[str, str]] = {}


def _tags(naam: str) -> tuple[str, str]:
    tags = _TAGS.get(naam)
    if tags is None:
        prefixed = naam if naam.startswith("StUF:") else "BG:" + naam
        tags = _TAGS[naam] = ("<" + prefixed, "</" + prefixed + ">")
    return tags


def _esc(tekst: str) -> str:
    if "&" in tekst or "<" in tekst or ">" in tekst or '"' in tekst or "\r" in tekst:
        return tekst.translate(_ESC)
    return tekst


def _schrijf(knoop: Knoop, out: list[str]) -> None:
    naam, tekst, attrs, kinderen = knoop
    open_, close = _tags(naam)
    out.append(open_)
    for k, v in attrs:
        out.append(f' {k}="{_esc(v)}"')
    if tekst is None and not kinderen:
        out.append("/>")
        return
    out.append(">")
    if tekst is not None:
        out.append(_esc(tekst))
    for kind in kinderen:
        _schrijf(kind, out)
    out.append(close)


def naar_lxml(knoop: Knoop) -> etree._Element:
    out: list[str] = []
    _schrijf(knoop._replace(attrs=(("xmlns:BG", BG), ("xmlns:StUF", STUF), ("xmlns:xsi", XSI)) + knoop.attrs), out)
    return etree.fromstring("".join(out), _PARSER)
