"""Validation of StUF messages against the official schemas, compiled once per process.

StUF-BG cannot be compiled as one schema: vraagAntwoord and mutatie each redefine the StUF namespace
in their own ``bg0310_msg_stuf_*.xsd`` and libxml2 honours only the first import of a namespace. So
there is one wrapper schema per koppelvlak (``xsd/knoop_*.xsd``, installed next to the bundle) and a
message is validated by the wrapper that declares its root element.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import DETAILS_MAX, SchemaFout, StufFout
from knoop_esb.stuf.ns import BG, STUF

__all__ = ["Wrapper", "WRAPPERS", "SchemaRegistry", "SchemaFout", "SchemasOntbreken", "registry", "MARKER"]

MARKER = ".installed"
XS = "http://www.w3.org/2001/XMLSchema"
_PREFIXES = {STUF: "StUF", BG: "BG", "http://www.opengis.net/gml": "gml", "http://www.w3.org/1999/xlink": "xlink"}


@dataclass(frozen=True)
class Wrapper:
    """One compiled schema: the wrapper file, and the official file(s) whose top-level elements
    (in ``namespace``) it validates."""

    naam: str
    bestand: str
    namespace: str
    berichten: tuple[str, ...]


WRAPPERS = (
    Wrapper("stuf0301", "knoop_stuf0301.xsd", STUF, ("0301/stuf0301.xsd",)),
    Wrapper("vraagAntwoord", "knoop_bg0310_vraagAntwoord.xsd", BG, ("bg0310/vraagAntwoord/bg0310_msg_vraagAntwoord.xsd",)),
    Wrapper("mutatie", "knoop_bg0310_mutatie.xsd", BG, ("bg0310/mutatie/bg0310_msg_mutatie.xsd",)),
)


class SchemasOntbreken(RuntimeError):
    """The official schemas are not installed (or incomplete) where the configuration points."""


def schema_parser() -> etree.XMLParser:
    """For schema files (compiling here, following includes in ``stuf.install``): no entities, DTDs or network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def top_level_elements(path: Path) -> list[str]:
    """Names of the global element declarations of one schema file."""
    root = etree.parse(str(path), schema_parser()).getroot()
    return [el.get("name") for el in root.findall(f"{{{XS}}}element") if el.get("name")]


def kort(text: str) -> str:
    """libxml2 messages name elements in Clark notation; write them with the usual prefixes."""
    for uri, prefix in _PREFIXES.items():
        text = text.replace(f"{{{uri}}}", f"{prefix}:")
    return " ".join(text.split())


class SchemaRegistry:
    """The compiled wrapper schemas of one installed bundle. Thread-safe: compilation happens once
    under a lock; validation of one schema is serialised because lxml keeps the error log on the
    schema object (validation of a 3 KB message takes microseconds)."""

    def __init__(self, schemas_dir: Path):
        self.dir = Path(schemas_dir)
        missing = [w.bestand for w in WRAPPERS if not (self.dir / w.bestand).is_file()]
        if missing:
            raise SchemasOntbreken(
                f"official StUF schemas not installed in {self.dir} (missing {', '.join(missing)}); "
                "run: knoop-esb schemas install SOURCE"
            )
        self._compiled: dict[str, etree.XMLSchema] = {}
        self._locks = {w.naam: threading.Lock() for w in WRAPPERS}
        self._compile_lock = threading.Lock()
        self._roots: dict[str, Wrapper] = {}
        for wrapper in WRAPPERS:
            for bestand in wrapper.berichten:
                for name in top_level_elements(self.dir / bestand):
                    self._roots.setdefault(f"{{{wrapper.namespace}}}{name}", wrapper)

    def wrapper_for(self, tag: str) -> Wrapper | None:
        return self._roots.get(tag)

    def berichten(self) -> list[str]:
        """Every root element (Clark notation) this registry can validate."""
        return sorted(self._roots)

    def schema(self, wrapper: Wrapper) -> etree.XMLSchema:
        compiled = self._compiled.get(wrapper.naam)
        if compiled is not None:
            return compiled
        with self._compile_lock:
            compiled = self._compiled.get(wrapper.naam)
            if compiled is None:
                path = self.dir / wrapper.bestand
                try:
                    compiled = etree.XMLSchema(etree.parse(str(path), schema_parser()))
                except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
                    raise SchemasOntbreken(f"schema {path} does not compile: {kort(str(exc))[:300]}") from None
                self._compiled[wrapper.naam] = compiled
        return compiled

    def compile_all(self) -> dict[str, int]:
        """Compile every wrapper now; returns how many root elements each validates."""
        for wrapper in WRAPPERS:
            self.schema(wrapper)
        return {w.naam: sum(1 for x in self._roots.values() if x is w) for w in WRAPPERS}

    def _errors(self, element: etree._Element) -> list[etree._LogEntry]:
        tag = element.tag if isinstance(element.tag, str) else ""
        wrapper = self._roots.get(tag)
        if wrapper is None:
            naam = kort(tag) if tag else "geen element"
            raise StufFout(foutcodes.STUF025, f"Berichtcode niet ondersteund: {naam}"[:200])
        schema = self.schema(wrapper)
        with self._locks[wrapper.naam]:
            if schema.validate(element):
                return []
            return list(schema.error_log)

    def validate(self, element: etree._Element) -> None:
        """Raise :class:`SchemaFout` (StUF055) naming the offending element and line, or
        :class:`StufFout` StUF025 for a root element no installed schema declares."""
        errors = self._errors(element)
        if not errors:
            return
        first = errors[0]
        regel = f" (regel {first.line})" if first.line else ""
        omschrijving = f"Niet conform schema{regel}: {kort(first.message)}"
        details = "; ".join(f"regel {e.line}: {kort(e.message)}" for e in errors)[:DETAILS_MAX]
        raise SchemaFout(omschrijving, details=details)

    def is_valid(self, element: etree._Element) -> bool:
        try:
            return not self._errors(element)
        except StufFout:
            return False


_registries: dict[Path, SchemaRegistry] = {}
_registries_lock = threading.Lock()


_by_argument: dict[str, SchemaRegistry] = {}


def registry(schemas_dir: Path | str) -> SchemaRegistry:
    """The process's registry for ``schemas_dir`` (created once, schemas compiled on first use)."""
    # Asked for on every message: remember the answer per argument as given, so the path is
    # resolved against the file system once, not per message.
    found = _by_argument.get(str(schemas_dir))
    if found is not None:
        return found
    key = Path(schemas_dir).resolve()
    with _registries_lock:
        found = _registries.get(key)
        if found is None:
            found = SchemaRegistry(key)
            _registries[key] = found
        _by_argument[str(schemas_dir)] = found
    return found
