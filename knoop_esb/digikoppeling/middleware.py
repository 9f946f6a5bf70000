"""The WUS layer of the node: WSGI middleware between the TLS peer layer and spyne.

On the way in, on the raw received bytes and per the afnemer's profile (``environ["knoop.peer"]``):
UTF-8 and header blocks (WS006, WS007) → decrypt the Body (2W-be-SE, WB006: before verifying) →
WS-Addressing and SOAPAction (WA001, WS002) → WS-Security (WB002-WB013; signer OIN = TLS OIN) →
MessageID replay. It leaves ``environ["knoop.wsa"]`` (:class:`wsa.Addressing`) and
``environ["knoop.wss"]`` (:class:`verify.WssResultaat`) and passes the (decrypted) body on.

On the way out it buffers spyne's response, adds the WS-A response headers (Action, MessageID,
RelatesTo), signs it with SignatureConfirmation (2W-be-S/-SE, WB014) and encrypts the Body to the
requester's certificate (2W-be-SE, WB012). A refusal is one log line and a SOAP Fault with Fo02
(Fo03 on OntvangAsynchroon) whose details carry the Best Practices code, rule and reason.
"""
from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from cryptography import x509
from lxml import etree

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.digikoppeling import envelope, stufbinding, wsa, xmlenc
from knoop_esb.digikoppeling.errors import NietGeautoriseerd, WusFout
from knoop_esb.digikoppeling.profiles import PROFIELEN, WusProfiel, profiel as wus_profiel
from knoop_esb.digikoppeling.replay import MemoryReplayCache, ReplayCache, StoreReplayCache
from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope
from knoop_esb.digikoppeling.verify import WssResultaat, verify_envelope
from knoop_esb.stuf import fouten, stuurgegevens, tolerant
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF

__all__ = ["WusMiddleware", "WusContext", "profiel_of"]

log = logs.get("knoop_esb.digikoppeling")
Vertrouwen = Callable[[x509.Certificate], str]
Foutbericht = Callable[[StufFout, str], etree._Element]
CONTENT_TYPE = "text/xml; charset=utf-8"  # SOAP 1.1 over HTTP (WW001)


@dataclass
class WusContext:
    """What the inbound half learned, for the outbound half (and for a refusal's headers)."""

    profiel: WusProfiel
    peer: object = None
    addressing: wsa.Addressing | None = None
    wss: WssResultaat | None = None
    plain: bool = False  # the plain StUF binding: WS-A headers on the response only when the request had them


def profiel_of(peer) -> WusProfiel:
    """The peer's WUS profile; the internal (Basic-auth) profile is 2W-be at message level."""
    name = getattr(peer, "profiel", None) or "2W-be"
    return wus_profiel("2W-be" if name.lower() == "intern" else name)


def _ski_of(cert: x509.Certificate) -> bytes:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _node_parts(config: Config, trust) -> tuple[Ondertekenaar, Vertrouwen]:
    from knoop_esb.digikoppeling.tls import tls_files

    files = tls_files(config)
    return Ondertekenaar.from_files(files.certificate, files.private_key), lambda cert: trust.verify(cert).oin


def _default_replay(config: Config) -> ReplayCache:
    try:
        from knoop_esb.store.db import database

        return StoreReplayCache(database(config))
    except Exception as exc:  # no usable store configured: still refuse replays within this process
        log.warning("replay cache in memory", reason=str(exc))
        return MemoryReplayCache()


class WusMiddleware:
    """``WusMiddleware(app, config, trust=..., foutbericht=...)``: ``trust`` is the TrustStore the TLS
    layer uses, so the process loads trust anchors and CRLs once; ``foutbericht(fout, porttype)``
    builds the service's Fo02/Fo03 for a refusal (the endpoints layer knows which it is, and this
    layer must not import it)."""

    def __init__(self, app, config: Config, *, trust, foutbericht: Foutbericht):
        self.app = app
        self.config = config
        self.foutbericht = foutbericht
        self.node_oin = config.node.oin
        self.ondertekenaar, self.vertrouwen = _node_parts(config, trust)
        self._trust = trust
        from knoop_esb.digikoppeling.reload import on_reload

        on_reload(self.reload)
        self.replay = _default_replay(config)
        self.now = lambda: datetime.now(timezone.utc)

    def reload(self) -> None:
        """SIGHUP: the node's signing certificate and key, and the trust store, from the files now."""
        self.ondertekenaar, self.vertrouwen = _node_parts(self.config, self._trust)
        reread = getattr(self._trust, "reload", None)
        if reread is not None:
            reread()

    def __call__(self, environ, start_response):
        peer = environ.get("knoop.peer")
        context = WusContext(profiel=PROFIELEN["2W-be"], peer=peer,
                             plain=getattr(peer, "binding", stufbinding.DIGIKOPPELING) == stufbinding.STUF)
        try:
            context.profiel = profiel_of(peer)
            body = self._inbound(environ, context)
        except WusFout as fout:
            log.warning("request refused", code=fout.stuf_code, afnemer=getattr(peer, "oin", None),
                        profiel=context.profiel.naam, **{k: v for k, v in fout.log_fields().items() if k != "stuf_code"})
            return self._refuse(environ, start_response, fout, context)
        except Exception:  # a bug or a library surprise: StUF058, traceback only in the log
            log.exception("WS-Addressing/WS-Security processing failed", afnemer=getattr(peer, "oin", None))
            return self._refuse(environ, start_response, WusFout("internal error while processing WS-Addressing/WS-Security"), context)
        environ["knoop.wsa"] = context.addressing
        environ["knoop.wss"] = context.wss
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self._outbound(environ, start_response, context)

    # -- inbound ---------------------------------------------------------------------------------

    def _inbound(self, environ, context: WusContext) -> bytes:
        peer = context.peer
        if peer is None or not getattr(peer, "oin", None):
            raise NietGeautoriseerd("no authenticated peer (the TLS layer must run before WS-Security)")
        # EnvelopeGuard, always mounted outside this layer, read the body within max_message_bytes
        # and parsed it once; the WUS checks run on those bytes and that tree.
        raw = environ["knoop.raw_body"]
        envelope.check_content_type(environ.get("CONTENT_TYPE"))
        # The tree stays in the environ for spyne; decrypting replaces its Body in place.
        root = envelope.parse(raw, parsed=environ["knoop.envelope"])
        if getattr(peer, "tolerant", False):
            tolerant.herstel_header(root, afnemer=peer.oin)
        if getattr(peer, "binding", stufbinding.DIGIKOPPELING) == stufbinding.STUF:
            return self._inbound_plain(environ, context, root, raw)
        envelope.check_header_blocks(root)
        decrypted = xmlenc.decrypt_body(root, self.ondertekenaar.key, context.profiel)
        context.addressing = wsa.parse(root)
        logs.bind_message(message_id=context.addressing.message_id, afnemer=peer.oin)
        wsa.check_request(context.addressing, soap_action=environ.get("HTTP_SOAPACTION"),
                          node_oin=self.node_oin, peer_oin=peer.oin)
        tls_cert = getattr(peer, "certificate", None)
        by_ski = (lambda ski: tls_cert if ski == _ski_of(tls_cert) else None) if tls_cert is not None else None
        wss = verify_envelope(root, context.profiel, vertrouwen=self.vertrouwen, peer_oin=peer.oin,
                              now=self.now(), by_ski=by_ski)
        context.wss = dataclasses.replace(wss, versleuteld=True) if decrypted else wss
        if wss.ondertekend:
            self.replay.remember(wss.signer_oin, context.addressing.message_id,
                                 self._remember_until(wss, context.profiel), now=self.now())
        log.debug("wus accepted", profiel=context.profiel.naam, ondertekend=wss.ondertekend,
                  versleuteld=decrypted, signer=wss.signer_oin, references=len(wss.signed_ids))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8") if decrypted else raw

    def _inbound_plain(self, environ, context: WusContext, root: etree._Element, raw: bytes) -> bytes:
        """The plain StUF http/SOAP binding: WS-A optional, SOAPAction in any of its forms, no
        WS-Security (the TLS layer authenticated the afnemer by HTTP Basic or certificate)."""
        stufbinding.check_header_blocks(root)
        context.addressing = wsa.parse(root)
        logs.bind_message(message_id=context.addressing.message_id, afnemer=context.peer.oin)
        stufbinding.check_request(context.addressing, soap_action_header=environ.get("HTTP_SOAPACTION"),
                                  body_child=envelope.body_child(root), node_oin=self.node_oin,
                                  peer_oin=context.peer.oin)
        context.wss = WssResultaat(ondertekend=False)
        log.debug("plain stuf binding accepted", wsa=stufbinding.heeft_wsa(context.addressing))
        return raw

    @staticmethod
    def _remember_until(wss: WssResultaat, profiel: WusProfiel) -> datetime:
        # After this moment the Timestamp check refuses the message anyway.
        until = wss.created + profiel.replay_venster
        if wss.expires is not None:
            until = min(until, wss.expires)
        return until + profiel.timestamp_skew

    # -- outbound --------------------------------------------------------------------------------

    def _outbound(self, environ, start_response, context: WusContext):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: captured.setdefault("written", []).append(data)

        chunks = self.app(environ, capture)
        try:
            payload = b"".join(captured.get("written", [])) + b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        try:
            root = etree.fromstring(payload)
        except etree.XMLSyntaxError:
            root = None
        if root is not None and root.tag == f"{{{SOAP11_ENV}}}Envelope":
            payload = self._secure_response(root, context, encrypt=True)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(payload)))])
        return [payload]

    def _secure_response(self, root: etree._Element, context: WusContext, *, encrypt: bool) -> bytes:
        body = root.find(f"{{{SOAP11_ENV}}}Body")
        child = next((c for c in body if isinstance(c.tag, str)), None)
        if child is None:
            action = wsa.FAULT_ACTION
        elif child.tag == f"{{{SOAP11_ENV}}}Fault":
            action = _fault_action(child)
        else:
            action = f"{etree.QName(child).namespace}/{etree.QName(child).localname}"
        request = context.addressing or wsa.Addressing()
        if not context.plain or stufbinding.heeft_wsa(request):
            wsa.set_headers(root, wsa.response_headers(request, action=action, message_id=_message_id(child)))
        wss = context.wss
        if context.profiel.ondertekend:
            confirmation = wss.signature_value if wss is not None and wss.ondertekend else None
            sign_envelope(root, self.ondertekenaar, context.profiel, signature_confirmation=confirmation,
                          now=self.now())
            if encrypt and context.profiel.versleuteld and wss is not None and wss.certificate is not None:
                xmlenc.encrypt_body(root, wss.certificate, context.profiel)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    def _refuse(self, environ, start_response, fout: WusFout, context: WusContext):
        # The envelope guard outside this layer put the portType of the service address there.
        fo = self.foutbericht(fout.to_stuf_fout(), environ["knoop.porttype"])
        root = fouten.soap_fault_envelope(fo)
        # Signed (so the afnemer can trust the refusal) but never encrypted: the requester's
        # certificate has not been verified.
        payload = self._secure_response(root, context, encrypt=False)
        start_response("500 Internal Server Error", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(payload)))])
        return [payload]


def _fault_action(fault: etree._Element) -> str:
    """The wsam:Action the WSDLs declare for the fault "fout": the StUF namespace + "/" + Fo02 or
    Fo03 (from the detail's foutbericht); WS-Addressing's generic fault Action for other faults."""
    detail = fault.find("detail")
    bericht = next((c for c in detail if isinstance(c.tag, str)), None) if detail is not None else None
    if bericht is not None:
        name = etree.QName(bericht)
        if name.namespace == STUF and name.localname in ("Fo01Bericht", "Fo02Bericht", "Fo03Bericht"):
            return f"{STUF}/{name.localname[:4]}"
    return wsa.FAULT_ACTION


def _message_id(child: etree._Element | None) -> str:
    """StUF Tabel 3: «urn:dkintern:zender» + ":" + referentienummer when the response has them."""
    if child is None:
        return wsa.new_message_id()
    try:
        sg = stuurgegevens.van_bericht(child)
    except StufFout:  # no (usable) stuurgegevens, e.g. a SOAP Fault
        return wsa.new_message_id()
    if not sg.referentienummer or sg.zender is None:
        return wsa.new_message_id()
    return wsa.message_id_uit_stuurgegevens(sg.zender, sg.referentienummer)
