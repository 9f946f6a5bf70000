"""What an answer object must contain: the StUF ``scope`` of a vraagbericht as a small value.

A :class:`Scope` is a set of element names (``None`` = all of them, StUF:scope="alles") plus, per
relation element name, the scope of its gerelateerde. The vraag/antwoord code builds it from the
Lv01 ``scope/object`` (see :func:`uit_object`); the emitter only asks :meth:`Scope.wil` and
:meth:`Scope.relatie`. An explicitly named element the source has no value for is still written,
with StUF:noValue (StUF 03.01 §3.4.1, "gevraagd in het vraagbericht").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from lxml import etree

from knoop_esb.stuf.ns import STUF

# Kerngegevens per entiteittype (bg0310 *-kerngegevens types): what a gerelateerde carries
# under StUF:scope="allesMaarKerngegevensGerelateerden".
KERNGEGEVENS = {
    "MAC": frozenset({"kvkNummer", "authentiek", "handelsnaam"}),
    "NNP": frozenset({"inn.nnpId", "authentiek", "ann.identificatie", "statutaireNaam", "inn.rechtsvorm",
                      "bezoekadres", "sub.verblijfBuitenland"}),
    "VES": frozenset({"vestigingsNummer", "authentiek", "handelsnaam", "verblijfsadres", "sub.verblijfBuitenland"}),
    "NPS": frozenset({"inp.bsn", "authentiek", "geslachtsnaam", "voorvoegselGeslachtsnaam", "voornamen",
                      "geslachtsaanduiding"}),
}


@dataclass(frozen=True)
class Scope:
    elementen: frozenset[str] | None = None
    relaties: Mapping[str, "Scope"] | None = None
    kerngegevens_gerelateerden: bool = False
    metagegevens: bool = True

    @property
    def expliciet(self) -> bool:
        return self.elementen is not None

    def wil(self, naam: str) -> bool:
        if naam.startswith("StUF:") and not self.metagegevens:
            return False
        return self.elementen is None or naam in self.elementen

    def relatie(self, naam: str, entiteittype: str) -> "Scope | None":
        """Scope for the gerelateerde of relation ``naam``, or None when the relation is not wanted."""
        if self.relaties is not None:
            return self.relaties.get(naam)
        if self.elementen is not None and naam not in self.elementen:
            return None
        if self.kerngegevens_gerelateerden:
            return Scope(elementen=KERNGEGEVENS.get(entiteittype, frozenset()), relaties={})
        return Scope(relaties={}, metagegevens=self.metagegevens)


ALLES = Scope()
KERN_GERELATEERDEN = Scope(kerngegevens_gerelateerden=True)

_SCOPE_ATTR = {
    "alles": Scope(),
    "allesZonderMetagegevens": Scope(metagegevens=False),
    "allesMaarKerngegevensGerelateerden": Scope(kerngegevens_gerelateerden=True),
    "allesZonderMetagegevensMaarKerngegevensGerelateerden": Scope(kerngegevens_gerelateerden=True, metagegevens=False),
}


def uit_object(obj: etree._Element) -> Scope:
    """Scope from an Lv01 ``scope/object`` element (or a relation's ``gerelateerde``).

    ``StUF:scope`` on the element wins; otherwise each child names a wanted element, and a child
    with a ``gerelateerde`` names a relation whose own scope is read from that gerelateerde.
    """
    attr = obj.get(f"{{{STUF}}}scope")
    if attr == "kerngegevens":
        return Scope(elementen=KERNGEGEVENS.get(obj.get(f"{{{STUF}}}entiteittype", ""), frozenset()), relaties={})
    if attr in _SCOPE_ATTR:
        return _SCOPE_ATTR[attr]
    namen: set[str] = set()
    relaties: dict[str, Scope] = {}
    for child in obj:
        if not isinstance(child.tag, str):
            continue
        q = etree.QName(child)
        naam = ("StUF:" if q.namespace == STUF else "") + q.localname
        gerelateerde = next((c for c in child if isinstance(c.tag, str) and etree.QName(c).localname == "gerelateerde"), None)
        if gerelateerde is not None:
            inner = next((c for c in gerelateerde if isinstance(c.tag, str)), None)
            doel = inner if inner is not None and inner.get(f"{{{STUF}}}entiteittype") else gerelateerde
            relaties[naam] = uit_object(doel)
        elif child.get(f"{{{STUF}}}entiteittype") and len(child) == 0 and naam not in ("StUF:tijdvakGeldigheid",):
            relaties[naam] = Scope(relaties={})
        namen.add(naam)
    return Scope(elementen=frozenset(namen), relaties=relaties)


__all__ = ["ALLES", "KERN_GERELATEERDEN", "KERNGEGEVENS", "Scope", "uit_object"]
