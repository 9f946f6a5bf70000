"""Tolerant mode (``tolerant = true`` per afnemer): the deviations that clients migrating from
another makelaar, and their ESBs, are known to send, repaired before validation, each one logged
(one line naming the deviation) and counted per afnemer. Nothing else is repaired: every other
deviation is still refused as for any afnemer.

The deviations (docs/afnemers.md):

- ``wcf-addressing``: WCF's WS-Addressing headers in Microsoft's namespace
  (``http://schemas.microsoft.com/ws/2005/05/addressing/none``, what WCF writes for
  AddressingVersion.None) marked mustUnderstand. Each becomes its WS-Addressing 1.0 header
  without mustUnderstand, or is dropped when that header is already there.
- ``gerelateerde-entiteittype``: a ``gerelateerde`` without ``StUF:entiteittype`` where the
  schema allows exactly one entiteittype for it: the attribute is added with that value.
- ``parameters-ontbreekt``: a vraagbericht without its ``parameters`` element: it is added with
  the defaults (sortering 0, indicatorVervolgvraag false; the schema's own defaults for the rest).
"""
from __future__ import annotations

import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path

from lxml import etree

from knoop_esb import logs
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, WSA

__all__ = ["WCF_ADDRESSING", "herstel_header", "herstel_body", "tellingen"]

log = logs.get("knoop_esb.tolerant")

WCF_ADDRESSING = "http://schemas.microsoft.com/ws/2005/05/addressing/none"
_MUST_UNDERSTAND = f"{{{SOAP11_ENV}}}mustUnderstand"
_ENTITEITTYPE = f"{{{STUF}}}entiteittype"
XS = "http://www.w3.org/2001/XMLSchema"

_lock = threading.Lock()
_tellingen: Counter[tuple[str, str]] = Counter()


def _tel(afnemer: str, afwijking: str, detail: str) -> None:
    with _lock:
        _tellingen[(afnemer, afwijking)] += 1
        aantal = _tellingen[(afnemer, afwijking)]
    log.info("deviation tolerated", afnemer=afnemer, afwijking=afwijking, detail=detail, aantal=aantal)


def tellingen() -> dict[tuple[str, str], int]:
    """(afnemer OIN, deviation) → how many times this process repaired it."""
    with _lock:
        return dict(_tellingen)


def herstel_header(root: etree._Element, *, afnemer: str) -> list[str]:
    """Repair WCF's Microsoft-namespace addressing headers in place; returns the deviations repaired."""
    header = root.find(f"{{{SOAP11_ENV}}}Header")
    if header is None:
        return []
    gedaan = []
    for block in [b for b in header if isinstance(b.tag, str) and etree.QName(b).namespace == WCF_ADDRESSING]:
        name = etree.QName(block).localname
        index = header.index(block)
        header.remove(block)
        if header.find(f"{{{WSA}}}{name}") is None and name in ("To", "Action", "MessageID", "RelatesTo"):
            vervanging = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
            vervanging.text = (block.text or "").strip()
            header.insert(index, vervanging)
            detail = f"{name} in {WCF_ADDRESSING} read as wsa:{name}"
        else:
            detail = f"{name} in {WCF_ADDRESSING} dropped"
        _tel(afnemer, "wcf-addressing", detail)
        gedaan.append("wcf-addressing")
    return gedaan


def herstel_body(body: etree._Element, schemas_dir: Path, *, afnemer: str) -> list[str]:
    """Repair a StUF body element in place before it is validated; returns the deviations repaired."""
    gedaan = []
    name = etree.QName(body)
    if name.localname[-4:-2] == "Lv" and body.find(f"{{{name.namespace}}}parameters") is None:
        stuurgegevens = body.find(f"{{{name.namespace}}}stuurgegevens")
        parameters = etree.Element(f"{{{name.namespace}}}parameters")
        etree.SubElement(parameters, f"{{{STUF}}}sortering").text = "0"
        etree.SubElement(parameters, f"{{{STUF}}}indicatorVervolgvraag").text = "false"
        body.insert(body.index(stuurgegevens) + 1 if stuurgegevens is not None else 0, parameters)
        _tel(afnemer, "parameters-ontbreekt", f"{name.localname} without parameters: sortering 0, "
                                               "indicatorVervolgvraag false added")
        gedaan.append("parameters-ontbreekt")
    tabel = _gerelateerde_tabel(str(schemas_dir))
    for element in body:
        if isinstance(element.tag, str) and element.get(_ENTITEITTYPE):
            gedaan += _herstel_gerelateerde(element, element.get(_ENTITEITTYPE), tabel, afnemer)
    return gedaan


def _herstel_gerelateerde(element: etree._Element, entiteittype: str, tabel: dict, afnemer: str) -> list[str]:
    gedaan = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        soorten = tabel.get((entiteittype, name), set())
        eigen = child.get(_ENTITEITTYPE)
        if eigen is None and name == "gerelateerde" and len(soorten) == 1:
            eigen = next(iter(soorten))
            child.set(_ENTITEITTYPE, eigen)
            _tel(afnemer, "gerelateerde-entiteittype",
                 f"{entiteittype} … {etree.QName(element).localname}/gerelateerde without StUF:entiteittype: {eigen} added")
            gedaan.append("gerelateerde-entiteittype")
        if eigen is None and len(soorten) == 1:
            eigen = next(iter(soorten))
        if eigen is not None:
            gedaan += _herstel_gerelateerde(child, eigen, tabel, afnemer)
    return gedaan


# A complexType's own attributes and elements, not those of anonymous types nested in its elements.
_EIGEN_ATTRIBUTEN = etree.XPath("./xs:attribute | ./xs:complexContent/*/xs:attribute", namespaces={"xs": XS})
_EIGEN_ELEMENTEN = etree.XPath(".//xs:element[not(ancestor::xs:element)]", namespaces={"xs": XS})


@lru_cache(maxsize=4)
def _gerelateerde_tabel(schemas_dir: str) -> dict[tuple[str, str], set[str]]:
    """(entiteittype of an element, child element name) → the entiteittypes the BG schemas allow
    for that child: read once per process from the complexTypes' fixed StUF:entiteittype."""
    vast: dict[str, str] = {}
    kinderen: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(Path(schemas_dir).glob("bg0310/*/bg0310_ent_*.xsd")):
        tree = etree.parse(str(path))
        for ctype in tree.getroot().iterfind(f"{{{XS}}}complexType"):
            naam = ctype.get("name")
            for attr in _EIGEN_ATTRIBUTEN(ctype):
                if (attr.get("ref") or "").endswith(":entiteittype") and attr.get("fixed"):
                    vast[naam] = attr.get("fixed")
            kinderen[naam] = [(e.get("name"), e.get("type").split(":")[-1])
                              for e in _EIGEN_ELEMENTEN(ctype) if e.get("name") and e.get("type")]
    tabel: dict[tuple[str, str], set[str]] = {}
    for naam, lijst in kinderen.items():
        ouder = vast.get(naam)
        if ouder is None:
            continue
        for kind, type_naam in lijst:
            if type_naam in vast:
                tabel.setdefault((ouder, kind), set()).add(vast[type_naam])
    return tabel
