"""One input document → the StUF-BG objects the node would answer with, for `knoop-esb mapping
convert`: an integration engineer can check how a KVK answer or a StUF-HR 0300 message maps
without running the node. Pure: the caller reads the file and validates the result."""
from __future__ import annotations

import json
from typing import Any

from lxml import etree

from knoop_esb.stuf.xmlparse import parse as parse_xml
from knoop_esb.transform import emit, kvk, stufhr
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon, Vestiging

SOORTEN = ("basisprofiel", "bundel", "vestigingsprofiel", "zoeken", "naamgeving", "stufhr")


def herken(data: bytes) -> str:
    """Which kind of document ``data`` is, from its shape (KVK JSON or StUF-HR XML)."""
    if data.lstrip().startswith(b"<"):
        return "stufhr"
    document = _json(data)
    if isinstance(document.get("basisprofiel"), dict):
        return "bundel"
    if "resultaten" in document:
        return "zoeken"
    if "vestigingsnummer" in document and "kvkNummer" in document and "sbiActiviteiten" in document \
            and "_embedded" not in document and "eersteHandelsnaam" in document:
        return "vestigingsprofiel"
    if "kvkNummer" in document and ("_embedded" in document or "sbiActiviteiten" in document
                                    or "materieleRegistratie" in document):
        return "basisprofiel"
    if "kvkNummer" in document and ("handelsnamen" in document or "statutaireNaam" in document):
        return "naamgeving"
    raise MappingFout("unknown document: not a KVK Basisprofiel, Vestigingsprofiel, Zoeken or Naamgeving "
                      "answer, nor StUF-HR 0300 XML")


def _json(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingFout(f"not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MappingFout("a KVK answer is a JSON object")
    return document


def naar_model(soort: str, data: bytes) -> tuple[MaatschappelijkeActiviteit | Vestiging, ...]:
    """The canonical model of the document (several companies for a Zoeken answer)."""
    if soort == "stufhr":
        return (stufhr.maatschappelijke_activiteit(parse_xml(data, max_bytes=len(data) + 1)),)
    document = _json(data)
    if soort == "basisprofiel":
        return (kvk.basisprofiel(document),)
    if soort == "bundel":
        # What the node fetches for one company: {"basisprofiel", "vestigingen", "vestigingsprofielen"}.
        return (kvk.basisprofiel(document.get("basisprofiel"), vestigingen=document.get("vestigingen"),
                                 vestigingsprofielen=tuple(document.get("vestigingsprofielen") or ())),)
    if soort == "vestigingsprofiel":
        return (kvk.vestigingsprofiel(document),)
    if soort == "zoeken":
        return kvk.zoeken(document)
    if soort == "naamgeving":
        return (kvk.naamgeving(document),)
    raise MappingFout(f"unknown kind {soort!r}; one of {', '.join(SOORTEN)}")


def objecten(model: MaatschappelijkeActiviteit | Vestiging, entiteittype: str) -> list[etree._Element]:
    """The ``BG:object`` elements of one entiteittype (MAC, NNP or VES) for ``model``."""
    if isinstance(model, Vestiging):
        return [emit.ves(model)] if entiteittype == "VES" else []
    if entiteittype == "MAC":
        return [emit.mac(model)]
    if entiteittype == "NNP":
        return [emit.nnp(model, mac=model)] if isinstance(model.eigenaar, NietNatuurlijkPersoon) else []
    return [emit.ves(v, mac=model) for v in model.alle_vestigingen()]
