"""A gegevensmagazijn in miniature (``knoop-esb ontvanger-demo``, ``serve --with-demo-ontvanger``):
receives kennisgevingen over HTTPS with mutual TLS on the StUF OntvangAsynchroon binding, logs one
line per message, and answers Bv03 — or Fo03 StUF055 when the body is not schema-valid.

Why in the package: ``make run`` shows delivery end to end with it, and the tests' subscriber
servers are subclasses (``antwoord`` decides the answer). It uses the standard library's HTTP
server, not the node's cheroot stack, so what the node sends is read by other code than its own.
A repeated referentienummer (a resend whose Bv03 got lost) is answered Bv03 again and not counted
twice: the receiver side of exactly-once.
"""
from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

from knoop_esb import logs
from knoop_esb.digikoppeling import wsa
from knoop_esb.stuf import berichten, fouten, foutcodes, xmlparse
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.ns import SOAP11_ENV, STUF

log = logs.get("knoop_esb.ontvanger")
PAD = "/OntvangAsynchroon"


class Verbreek(Exception):
    """Raised by ``Ontvanger.antwoord`` to drop the connection without answering."""


@dataclass(frozen=True)
class Ontvangen:
    raw: bytes
    envelope: etree._Element
    bericht: etree._Element  # the body element (nnpLk01, vesSa01 …)
    stuurgegevens: sg.Stuurgegevens
    soap_action: str | None
    addressing: wsa.Addressing
    peer_oin: str | None

    @property
    def referentienummer(self) -> str:
        return self.stuurgegevens.referentienummer or ""


def _peer_oin(sock) -> str | None:
    cert = sock.getpeercert() if isinstance(sock, ssl.SSLSocket) else None
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "serialNumber":
                return value
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the node reuses its connections

    def log_message(self, format, *args):  # the access log goes through structlog below, not stderr
        return

    def do_POST(self):  # noqa: N802 (http.server's name)
        ontvanger: Ontvanger = self.server.ontvanger
        lengte = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(lengte)
        try:
            status, inhoud = ontvanger.verwerk(raw, self.headers.get("SOAPAction"), _peer_oin(self.connection))
        except Verbreek:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(inhoud)))
        self.end_headers()
        self.wfile.write(inhoud)

    def do_GET(self):  # noqa: N802
        inhoud = b"ontvanger-demo: POST StUF kennisgevingen to " + PAD.encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(inhoud)))
        self.end_headers()
        self.wfile.write(inhoud)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context: ssl.SSLContext | None, ontvanger: "Ontvanger"):
        self.context = context
        self.ontvanger = ontvanger
        super().__init__(address, _Handler)

    def get_request(self):
        sock, address = self.socket.accept()
        if self.context is not None:
            # The handshake runs in the handler's thread (first read), not in the accept loop.
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        # Dropped connections and failed handshakes are part of the tests; one log line, no traceback.
        log.info("ontvanger_verbinding_fout", client=client_address[0])


class Ontvanger:
    """``Ontvanger(host, port, certificate=, private_key=, trust_anchors=)``; ``start()`` → base URL.
    Without certificate: plain HTTP (the plain StUF binding's http://)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, certificate=None, private_key=None,
                 trust_anchors=None, systeem: sg.Systeem | None = None, schemas=None):
        self.systeem = systeem or sg.Systeem(organisatie="00000099000000000001", applicatie="DEMOGM")
        self.schemas = schemas
        context = None
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(str(certificate), str(private_key))
            context.load_verify_locations(cafile=str(trust_anchors))
            context.verify_mode = ssl.CERT_REQUIRED
        self._server = _Server((host, port), context, self)
        self.scheme = "https" if context else "http"
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.ontvangen: dict[str, Ontvangen] = {}  # first receipt per referentienummer
        self.volgorde: list[str] = []  # referentienummers in the order first received
        self.pogingen = 0

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}{PAD}"

    def start(self) -> str:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="ontvanger-demo", daemon=True)
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.5)

    def stop(self) -> None:
        if self._thread is None:
            self._server.server_close()
            return
        thread, self._thread = self._thread, None
        self._server.shutdown()
        self._server.server_close()
        thread.join(5)

    # What a receiver does with one message ---------------------------------------------------

    def verwerk(self, raw: bytes, soap_action: str | None, peer_oin: str | None) -> tuple[int, bytes]:
        with self._lock:
            self.pogingen += 1
        try:
            envelope = xmlparse.parse(raw)
            body = envelope.find(f"{{{SOAP11_ENV}}}Body")
            bericht = next(c for c in body if isinstance(c.tag, str))
            stuurgegevens = sg.van_bericht(bericht)
            addressing = wsa.parse(envelope)
        except (fouten.StufFout, StopIteration, TypeError, AttributeError, ValueError) as exc:
            fout = exc if isinstance(exc, fouten.StufFout) else fouten.StufFout(foutcodes.STUF055, "geen StUF-bericht")
            return 500, self._fo03(None, fout, None)
        ontvangen = Ontvangen(raw, envelope, bericht, stuurgegevens, soap_action, addressing, peer_oin)
        return self.antwoord(ontvangen)

    def antwoord(self, ontvangen: Ontvangen) -> tuple[int, bytes]:
        """Validate, store (here: remember) and answer Bv03; subclasses answer otherwise."""
        if self.schemas is not None:
            try:
                self.schemas.validate(ontvangen.bericht)
            except fouten.StufFout as fout:
                log.info("ontvanger_geweigerd", referentienummer=ontvangen.referentienummer, code=fout.code,
                         omschrijving=fout.omschrijving)
                return 500, self.fo03(ontvangen, fout)
        if self.onthoud(ontvangen):
            obj = ontvangen.bericht.find(f"{{{etree.QName(ontvangen.bericht).namespace}}}object")
            log.info("ontvanger_kennisgeving", bericht=etree.QName(ontvangen.bericht).localname,
                     referentienummer=ontvangen.referentienummer, zender=ontvangen.stuurgegevens.zender.organisatie
                     if ontvangen.stuurgegevens.zender else None,
                     entiteittype=ontvangen.stuurgegevens.entiteittype, message_id=ontvangen.addressing.message_id,
                     verwerkingssoort=obj.get(f"{{{STUF}}}verwerkingssoort") if obj is not None else None,
                     client_oin=ontvangen.peer_oin)
        return 200, self.bv03(ontvangen)

    def onthoud(self, ontvangen: Ontvangen) -> bool:
        """Remember the message; False when its referentienummer was received before."""
        with self._lock:
            if ontvangen.referentienummer in self.ontvangen:
                return False
            self.ontvangen[ontvangen.referentienummer] = ontvangen
            self.volgorde.append(ontvangen.referentienummer)
            return True

    def bv03(self, ontvangen: Ontvangen) -> bytes:
        return self._envelop(berichten.bv03(ontvangen.stuurgegevens, self.systeem), ontvangen, "Bv03")

    def fo03(self, ontvangen: Ontvangen, fout: fouten.StufFout) -> bytes:
        return self._fo03(ontvangen.stuurgegevens, fout, ontvangen)

    def _fo03(self, stuurgegevens, fout, ontvangen) -> bytes:
        fault = fouten.soap_fault_element(fouten.fo03(fout, stuurgegevens, self.systeem))
        return self._envelop(fault, ontvangen, "Fo03")

    def _envelop(self, inhoud: etree._Element, ontvangen: Ontvangen | None, naam: str) -> bytes:
        root = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soapenv": SOAP11_ENV})
        if ontvangen is not None and ontvangen.addressing.message_id:
            action = wsa.FAULT_ACTION if naam == "Fo03" else f"{STUF}/{naam}"
            wsa.set_headers(root, wsa.response_headers(ontvangen.addressing, action=action))
        etree.SubElement(root, f"{{{SOAP11_ENV}}}Body").append(inhoud)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
