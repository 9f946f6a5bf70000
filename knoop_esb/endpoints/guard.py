"""WSGI layer that makes the request body safe to look at, before WS-Security or spyne see it:
``text/xml``, size limit (``node.max_message_bytes``), safe parsing (no DTD/entities, UTF-8 only:
:mod:`knoop_esb.stuf.xmlparse`), a SOAP 1.1 Envelope with exactly one Body child (WW001, WW003).
Failures are the service's StUF055 foutbericht in a SOAP Fault, never a traceback.

It also binds the log context (referentienummer, wsa:MessageID) as early as possible so every
later log line of the request carries them, and hands the bytes on unchanged (signatures are
verified on the raw bytes)."""
from __future__ import annotations

import io

from lxml import etree

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.endpoints.faults import fault_response, foutbericht
from knoop_esb.stuf import foutcodes, xmlparse
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, WSA, q

log = logs.get("knoop_esb.endpoints")


class BerichtTeGroot(StufFout):
    """A body over the limit, refused from its Content-Length before it is read (or after the limit
    when chunked). Answered with HTTP 413, on which cheroot closes the connection: after a 500 it
    would read the unread rest of the body to keep the connection alive (all of a declared 100 GB)."""

    http_status = "413 Payload Too Large"


def read_body(environ: dict, limit: int) -> bytes:
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length.strip():
        try:
            size = int(length)
        except ValueError:
            raise StufFout(foutcodes.STUF055, "Content-Length is geen getal") from None
        if size < 0:
            raise StufFout(foutcodes.STUF055, f"Content-Length {size} is negatief")
        if size > limit:
            raise BerichtTeGroot(foutcodes.STUF055, f"bericht van {size} bytes is groter dan toegestaan ({limit} bytes)")
        return stream.read(size)
    data = stream.read(limit + 1)  # chunked: read no more than the limit allows
    if len(data) > limit:
        raise BerichtTeGroot(foutcodes.STUF055, f"bericht is groter dan toegestaan ({limit} bytes)")
    return data


def read_ahead(environ: dict, limit: int) -> None:
    """Read a POST body now, for :class:`EnvelopeGuard` to check later: the node reads it before the
    request takes its turn (``knoop_esb.turns``), so a client that sends slowly holds up only itself.
    The bytes, or the refusal :func:`read_body` gave, wait in ``environ["knoop.body"]``."""
    if environ.get("REQUEST_METHOD") != "POST":
        return
    try:
        environ["knoop.body"] = read_body(environ, limit)
    except StufFout as fout:
        environ["knoop.body"] = fout


def check_envelope(root: etree._Element) -> etree._Element:
    """The one body child; StUF055 when the envelope is not SOAP 1.1 with exactly one body element."""
    if root.tag != q(SOAP11_ENV, "Envelope"):
        raise StufFout(foutcodes.STUF055, f"geen SOAP 1.1 Envelope maar {root.tag} (WW001)")
    bodies = root.findall(q(SOAP11_ENV, "Body"))
    if len(bodies) != 1:
        raise StufFout(foutcodes.STUF055, "SOAP Envelope moet precies één Body hebben")
    children = [c for c in bodies[0] if isinstance(c.tag, str)]
    if len(children) != 1:
        raise StufFout(foutcodes.STUF055, f"SOAP Body moet precies één element bevatten, niet {len(children)} (WW003)")
    if children[0].tag == q(SOAP11_ENV, "Fault"):
        raise StufFout(foutcodes.STUF055, "een SOAP Fault is geen verzoek")
    return children[0]


def check_content_type(environ: dict) -> None:
    """SOAP 1.1 over HTTP is ``text/xml`` (WW001); SOAP 1.2's application/soap+xml and MTOM are not served."""
    content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != "text/xml":
        raise StufFout(foutcodes.STUF055, f"Content-Type {content_type or '(geen)'} is geen text/xml (SOAP 1.1, WW001)")


def bind_identifiers(root: etree._Element, body: etree._Element) -> None:
    header = root.find(q(SOAP11_ENV, "Header"))
    message_id = header.findtext(q(WSA, "MessageID")) if header is not None else None
    referentienummer = body.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}referentienummer")
    if referentienummer is None:
        referentienummer = body.findtext(f"*/{{{STUF}}}referentienummer")
    logs.bind_message(referentienummer=(referentienummer or "").strip() or None,
                      message_id=(message_id or "").strip() or None)


class EnvelopeGuard:
    def __init__(self, app, config: Config, porttype_of):
        self.app = app
        self.config = config
        self.limit = xmlparse.max_bytes_from(config)
        self.porttype_of = porttype_of

    def __call__(self, environ, start_response):
        porttype = self.porttype_of(environ.get("PATH_INFO", ""))
        environ["knoop.porttype"] = porttype  # the WUS layer's refusals are this service's foutbericht
        try:
            check_content_type(environ)
            data = environ.pop("knoop.body", None)
            if data is None:
                data = read_body(environ, self.limit)
            elif isinstance(data, StufFout):
                raise data
            root = xmlparse.parse(data, max_bytes=self.limit)
            body = check_envelope(root)
        except StufFout as fout:
            log.warning("request refused", porttype=porttype, code=fout.code, omschrijving=fout.omschrijving,
                        details=fout.details)
            return fault_response(start_response, foutbericht(fout, porttype, self.config),
                                  status=getattr(fout, "http_status", None))
        bind_identifiers(root, body)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ["knoop.raw_body"] = data
        environ["knoop.envelope"] = root  # parsed once; the WUS layer reads it instead of parsing again
        return self.app(environ, start_response)
