"""spyne's SOAP 1.1 protocol bent to StUF (LIBRARIES.md, "spyne").

Stock spyne dispatches on the body element's QName to a method of that name and, with AnyXml,
hands the handler only the body's first child and wraps the answer in a second element. StUF has
hundreds of body elements and handlers want the whole ``BG:nnpLv01``, so :class:`StufSoap11`
(a) records the body QName and the SOAPAction and routes every message to the one generic method,
(b) hands that method the whole body element, (c) appends the returned element directly to
``soap:Body``, (d) writes StUF faults exactly as Protocolbindingen §3 says (no faultactor), and
(e) declares only the SOAP namespace on the Envelope, and (f) takes the request tree the envelope
guard parsed (``environ["knoop.envelope"]``, after the WUS layer's decryption) instead of parsing
the bytes a second time.
"""
from __future__ import annotations

# Before any spyne import: spyne 2.14.0 does not import on Python 3.12+ without it.
import knoop_esb.spyne_compat  # noqa: F401  # isort: skip

from lxml import etree
from spyne import Fault
from spyne.const.http import HTTP_405
from spyne.error import RequestNotAllowed
from spyne.protocol.soap import Soap11
from spyne.server.http import HttpTransportContext

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.endpoints.faults import foutbericht
from knoop_esb.stuf import foutcodes, fouten
from knoop_esb.stuf.ns import SOAP11_ENV

GENERIC_METHOD = "bericht"

log = logs.get("knoop_esb.endpoints")


class StufFault(Fault):
    """A spyne Fault carrying a StUF foutbericht (Fo01/Fo02/Fo03) as its detail."""

    def __init__(self, fo_element: etree._Element):
        body = fo_element.find("{http://www.egem.nl/StUF/StUF0301}body")
        plek = body.findtext("{http://www.egem.nl/StUF/StUF0301}plek") if body is not None else "server"
        omschrijving = body.findtext("{http://www.egem.nl/StUF/StUF0301}omschrijving") if body is not None else ""
        super().__init__(faultcode=(plek or "server").capitalize(), faultstring=omschrijving or "")
        self.fo_element = fo_element


def _lean_envelope(envelope: etree._Element) -> etree._Element:
    """The same envelope declaring only the SOAP namespace: spyne declares a dozen prefixes on it,
    among them ``wsa`` bound to the 2003 WS-Addressing draft, which confuses peers and humans."""
    lean = etree.Element(envelope.tag, nsmap={"soapenv": SOAP11_ENV})
    for child in list(envelope):
        lean.append(child)
    return lean


_XML_IDS = etree.XPath("//@xml:id")


class StufSoap11(Soap11):
    def __init__(self, *args, config: Config | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.knoop_config = config  # for the foutbericht of a refusal spyne itself makes

    def create_in_document(self, ctx, charset=None):
        environ = getattr(ctx.transport, "req_env", None) or {}
        parsed = environ.pop("knoop.envelope", None)
        if parsed is None:
            return super().create_in_document(ctx, charset)
        # spyne's own HTTP check, then the guard's tree where spyne would parse ctx.in_string.
        if isinstance(ctx.transport, HttpTransportContext):
            if ctx.transport.get_request_content_type() is None or ctx.transport.get_request_method() != "POST":
                ctx.transport.resp_code = HTTP_405
                raise RequestNotAllowed("You must issue a POST request with the Content-Type header properly set.")
        received = b"".join(ctx.in_string)
        ctx.in_string = [received]
        if b"<!--" in received or b"<?" in received[2:]:
            # spyne's parser drops comments and processing instructions (SoapUI's "<!--Optional:-->"
            # among them); the handlers were written against that.
            etree.strip_tags(parsed, etree.Comment, etree.ProcessingInstruction)
        # What etree.XMLID returns next to the root: the xml:id'd elements (no DTD declares others).
        ids = {str(value): value.getparent() for value in _XML_IDS(parsed)} if b"xml:id" in received else {}
        ctx.in_document = (parsed, ids)

    def decompose_incoming_envelope(self, ctx, message=Soap11.REQUEST):
        super().decompose_incoming_envelope(ctx, message)
        if ctx.in_body_doc is None or not isinstance(ctx.in_body_doc.tag, str):
            return
        ctx.udc = ctx.udc or {}
        environ = getattr(ctx.transport, "req_env", None) or {}
        action = environ.get("HTTP_SOAPACTION")
        ctx.udc["soap_action"] = action.strip().strip('"') if action is not None else None
        ctx.method_request_string = "{%s}%s" % (self.app.tns, GENERIC_METHOD)

    def serialize(self, ctx, message):
        super().serialize(ctx, message)
        ctx.out_document = _lean_envelope(ctx.out_document)

    def xml_from_element(self, ctx, cls, element):
        return element

    def any_xml_to_parent(self, ctx, cls, inst, parent, ns, name, **_):
        if isinstance(inst, (str, bytes)):
            inst = etree.fromstring(inst)
        parent.append(inst)

    def fault_to_parent(self, ctx, cls, inst, parent, ns, *args, **kwargs):
        fo_element = getattr(inst, "fo_element", None)
        if fo_element is None:
            fo_element = self._foutbericht_for(ctx, inst)
        parent.append(fouten.soap_fault_element(fo_element))

    def _foutbericht_for(self, ctx, fault) -> etree._Element:
        """A refusal spyne made itself (``Client.ValidationError`` for an ``xsi:type`` on the Body,
        ``Client.RequestTooLong``, ...) as the service's StUF foutbericht: StUF055 for the client's
        faults, StUF058 (spyne's words in the log only) for the rest."""
        faultcode = str(getattr(fault, "faultcode", "") or "Server")
        faultstring = str(getattr(fault, "faultstring", "") or "")
        client = faultcode.split(".")[0] == "Client"
        fout = fouten.StufFout(foutcodes.STUF055 if client else foutcodes.STUF058,
                               details=f"{faultcode}: {faultstring}"[:500] if client else None)
        log.warning("request refused", code=fout.code, omschrijving=fout.omschrijving, spyne_fault=faultcode,
                    details=faultstring[:500])
        environ = getattr(ctx.transport, "req_env", None) or {}
        return foutbericht(fout, environ.get("knoop.porttype"), self.knoop_config)
