"""The node's own WSDLs (``wsdl/``), found by portType name and published with real addresses.

zeep (and every other client) resolves relative ``import``/``schemaLocation`` against the URL it
fetched the WSDL from and does not follow redirects for imports, so the published copy gets:
``soap:address`` = the real service URL, and every relative location turned into an absolute URL
under ``/xsd/``. Convention for files in ``wsdl/``: relative locations are relative to the installed
schemas directory (``bg0310/vraagAntwoord/bg0310_msg_vraagAntwoord.xsd``, ``0301/stuf0301.xsd``);
``../xsd/<file>`` reaches the project's own schemas in ``xsd/``. Both are served under ``/xsd/``.
"""
from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import etree

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def find_wsdls(wsdl_dir: Path) -> dict[str, Path]:
    """portType name → WSDL file, for every ``*.wsdl`` in ``wsdl_dir`` (WS005: one portType per WSDL)."""
    found: dict[str, Path] = {}
    for path in sorted(Path(wsdl_dir).glob("*.wsdl")):
        try:
            root = etree.parse(str(path), _PARSER).getroot()
        except etree.XMLSyntaxError:
            continue
        for port_type in root.findall(f"{{{WSDL_NS}}}portType"):
            found[port_type.get("name")] = path
    return found


def _relative(location: str | None) -> bool:
    return bool(location) and not urlsplit(location).scheme and not location.startswith("/")


# Every ?wsdl request asks for one of a handful of results; the WSDLs ship with the program, so they
# do not change while it runs. Bounded because base_url follows the Host header when node.public_url
# is empty.
@functools.lru_cache(maxsize=32)
def publish(wsdl_path: Path, base_url: str, service_path: str) -> bytes:
    """The WSDL as served: absolute schema URLs under ``<base_url>/xsd/`` and the real soap:address."""
    tree = etree.parse(str(wsdl_path), _PARSER)
    xsd_base = base_url.rstrip("/") + "/xsd/"
    for element, attribute in (
        *((e, "location") for e in tree.iter(f"{{{WSDL_NS}}}import")),
        *((e, "schemaLocation") for e in tree.iter(f"{{{XS_NS}}}import", f"{{{XS_NS}}}include",
                                                   f"{{{XS_NS}}}redefine")),
    ):
        location = element.get(attribute)
        if _relative(location):
            element.set(attribute, urljoin(xsd_base, location))
    for address in tree.iter(f"{{{SOAP_BINDING_NS}}}address", f"{{{SOAP12_BINDING_NS}}}address"):
        address.set("location", base_url.rstrip("/") + service_path)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def resolve_schema_file(roots: list[Path], relative: str) -> Path | None:
    """The file ``/xsd/<relative>`` names, looked up in each root in turn; never outside a root."""
    for root in roots:
        base = Path(root).resolve()
        candidate = (base / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(base):
            return candidate
    return None
