"""The SOAP 1.1 envelope as WUS allows it: UTF-8 XML (WS006), soap:Envelope with one Body (WW001,
WW003), and in the Header only WS-Addressing and WS-Security blocks (WS007).

Parsing is done once, on the raw received bytes, with :mod:`knoop_esb.stuf.xmlparse` (no DTD, no
entities, size limit); the signature is later verified on this very tree, never on a re-serialisation.
"""
from __future__ import annotations

import re

from lxml import etree

from knoop_esb.digikoppeling.errors import NietUtf8, OnbekendeHeader, OngeldigeEnvelope
from knoop_esb.stuf import xmlparse
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, WSA, WSSE

__all__ = ["parse", "header", "body", "body_child", "check_header_blocks", "check_content_type"]

_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*['\"]([A-Za-z0-9._-]+)['\"]")
_ALLOWED_HEADER_NS = {WSA, WSSE}


def check_content_type(content_type: str | None) -> None:
    """WS006: a charset parameter, when given, must be UTF-8."""
    match = re.search(r"charset\s*=\s*\"?([^\";\s]+)", content_type or "", re.I)
    if match and match.group(1).lower().replace("_", "-") not in {"utf-8", "utf8"}:
        raise NietUtf8(f"Content-Type charset {match.group(1)!r} is not UTF-8")


def parse(raw: bytes, max_bytes: int | None = xmlparse.DEFAULT_MAX_BYTES, *,
          parsed: etree._Element | None = None) -> etree._Element:
    """Parse a received envelope; refuse non-UTF-8 (0009), DTDs/entities and anything not SOAP 1.1.
    ``parsed``: ``raw`` as an earlier layer already parsed it with :func:`xmlparse.parse` (the
    node's envelope guard): the checks still run, the parse is not repeated."""
    declared = _DECL.match(raw[3:200] if raw.startswith(b"\xef\xbb\xbf") else raw[:200])
    if declared and declared.group(1).lower() not in {b"utf-8", b"utf8"}:
        raise NietUtf8(f"XML declaration encoding {declared.group(1).decode()!r} is not UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NietUtf8("message is UTF-16 encoded")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NietUtf8(f"message is not valid UTF-8 at byte {exc.start}") from None
    try:
        root = parsed if parsed is not None else xmlparse.parse(raw, max_bytes=max_bytes)
    except StufFout as exc:
        raise OngeldigeEnvelope(exc.omschrijving) from None
    if root.tag != f"{{{SOAP11_ENV}}}Envelope":
        raise OngeldigeEnvelope(f"root element {root.tag} is not a SOAP 1.1 Envelope")
    body(root)
    return root


def header(root: etree._Element) -> etree._Element | None:
    return root.find(f"{{{SOAP11_ENV}}}Header")


def body(root: etree._Element) -> etree._Element:
    bodies = root.findall(f"{{{SOAP11_ENV}}}Body")
    if len(bodies) != 1:
        raise OngeldigeEnvelope(f"envelope has {len(bodies)} soap:Body elements, expected 1", regel="WW003")
    return bodies[0]


def body_child(root: etree._Element) -> etree._Element:
    """WW003: exactly one element in soap:Body."""
    children = [c for c in body(root) if isinstance(c.tag, str)]
    if len(children) != 1:
        raise OngeldigeEnvelope(f"soap:Body holds {len(children)} elements, expected 1", regel="WW003")
    return children[0]


def check_header_blocks(root: etree._Element) -> None:
    """WS007: only WS-Addressing and WS-Security header blocks (fault 0010)."""
    hdr = header(root)
    if hdr is None:
        return
    for block in hdr:
        if not isinstance(block.tag, str):
            continue
        ns = etree.QName(block).namespace
        if ns not in _ALLOWED_HEADER_NS:
            raise OnbekendeHeader(f"header block {block.tag} is neither WS-Addressing nor WS-Security")
