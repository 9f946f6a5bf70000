"""The sorteringen of each entiteittype, read from the installed StUF-BG schema.

Why from the schema: the sector model defines every sortering number in ``StUF:sorteringObject``
appinfo of ``<ENT>-sortering`` (bg0310_msg_stuf_vraagAntwoord.xsd). Reading it at start-up keeps
the node's meaning of "VES sortering 5" identical to the standard's, patch after patch.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from lxml import etree

from knoop_esb.stuf.ns import STUF

XSD = "http://www.w3.org/2001/XMLSchema"
BESTAND = "bg0310_msg_stuf_vraagAntwoord.xsd"

Sorteringen = Mapping[str, Mapping[int, tuple[str, ...]]]


class SorteringSchemaOntbreekt(Exception):
    """The installed schemas hold no StUF-BG vraagAntwoord sortering definitions."""


def schema_bestand(schemas_dir: Path) -> Path:
    for kandidaat in (Path(schemas_dir) / "bg0310" / "vraagAntwoord" / BESTAND, Path(schemas_dir) / BESTAND):
        if kandidaat.is_file():
            return kandidaat
    gevonden = sorted(Path(schemas_dir).rglob(BESTAND))
    if not gevonden:
        raise SorteringSchemaOntbreekt(f"{BESTAND} not found under {schemas_dir}; run `knoop-esb schemas install`")
    return gevonden[0]


@lru_cache(maxsize=8)
def sorteringen(schemas_dir: Path) -> Sorteringen:
    """``{"VES": {1: ("vestigingsNummer",), 5: ("verblijfsadres/aoa.postcode", ...)}, ...}``."""
    tree = etree.parse(str(schema_bestand(schemas_dir)))
    tabel: dict[str, dict[int, tuple[str, ...]]] = {}
    for simple in tree.iterfind(f"{{{XSD}}}simpleType"):
        naam = simple.get("name", "")
        if not naam.endswith("-sortering"):
            continue
        per_nummer: dict[int, tuple[str, ...]] = {}
        for obj in simple.iter(f"{{{STUF}}}sorteringObject"):
            nummer = obj.findtext(f"{{{STUF}}}nummer")
            paden = tuple((e.text or "").strip() for e in obj.iterfind(f"{{{STUF}}}element"))
            if nummer and paden:
                per_nummer[int(nummer)] = paden
        tabel[naam[: -len("-sortering")]] = MappingProxyType(per_nummer)
    return MappingProxyType(tabel)
