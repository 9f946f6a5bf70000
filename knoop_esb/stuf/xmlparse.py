"""Parsing of XML from outside the node, safely: every request body and every upstream answer goes
through :func:`parse` before anything else looks at it.

No DTD (internal or external), no entity expansion, no network, libxml2's size limits kept
(huge_tree off), a byte limit (``node.max_message_bytes``) checked before parsing, and UTF-8 only
(Digikoppeling WS006). Anything else is a StUF055 fout with a one-line Dutch omschrijving.
"""
from __future__ import annotations

import re
import threading

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout

DEFAULT_MAX_BYTES = 5_000_000
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_NAMES = {"utf-8", "utf8"}

_local = threading.local()


def _parser() -> etree.XMLParser:
    # One parser per thread: an lxml parser holds per-parse state.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def _fout(omschrijving: str, details: str | None = None) -> StufFout:
    return StufFout(foutcodes.STUF055, omschrijving[:200], details=details)


def _check_encoding(data: bytes) -> None:
    if data.startswith(_UTF16_BOMS) or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        raise _fout("XML niet leesbaar: alleen UTF-8 toegestaan (Digikoppeling WS006), bericht is UTF-16/32")
    # Without a byte-order mark libxml2 still detects UTF-16/32 from the first characters ("<" or
    # white space, each with a NUL byte beside it), which UTF-8 XML never holds (NUL is no XML
    # character); the DOCTYPE pre-filter below would not see such a document's markup either.
    if b"\x00" in data[:4]:
        raise _fout("XML niet leesbaar: alleen UTF-8 toegestaan (Digikoppeling WS006), bericht is UTF-16/32 zonder BOM")
    head = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    match = _XML_DECL.match(head[:512])
    if match:
        declared = match.group(1).decode("ascii").lower()
        if declared not in _UTF8_NAMES:
            raise _fout(f"XML niet leesbaar: alleen UTF-8 toegestaan (Digikoppeling WS006), niet {declared}")


def parse(data: bytes, max_bytes: int | None = DEFAULT_MAX_BYTES) -> etree._Element:
    """The root element of ``data``; raises :class:`StufFout` StUF055 for anything unsafe or unreadable."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("parse() takes bytes")
    data = bytes(data)
    if max_bytes is not None and len(data) > max_bytes:
        raise _fout(f"XML niet leesbaar: bericht van {len(data)} bytes is groter dan toegestaan ({max_bytes} bytes)")
    if not data.strip():
        raise _fout("XML niet leesbaar: leeg bericht")
    _check_encoding(data)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _fout("DTD/entiteiten niet toegestaan")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _fout(f"XML niet leesbaar: {_first_line(exc)}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise _fout("DTD/entiteiten niet toegestaan")
    if any(True for _ in root.iter(etree.Entity)):
        raise _fout("DTD/entiteiten niet toegestaan")
    return root


def _first_line(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg if getattr(exc, "msg", None) else exc).splitlines()[0]
    return f"{message} (regel {exc.lineno})" if exc.lineno else message


def max_bytes_from(config) -> int:
    """The configured request size limit (``node.max_message_bytes``)."""
    return int(config.node.max_message_bytes)
