"""WS-Addressing 1.0 as Digikoppeling WUS (WA001, WS002) and the StUF binding (Tabel 3) use it.

Requests must carry To, Action and MessageID (Best Practices 0005/0006/0007); From and ReplyTo hold
only an Address; other WS-A headers only the anonymous/none URI. An ``?OIN=`` query parameter in To
names the receiver, in From the sender; it is compared case-insensitively (DUO writes ``?oin=``).
Responses carry Action, MessageID and RelatesTo (= the request's MessageID). The StUF binding
derives the values from stuurgegevens: ``urn:dkintern:<organisatie>:<applicatie>:<administratie>``.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from knoop_esb.digikoppeling.errors import (
    OinMismatch, OngeldigeSoapAction, OngeldigeWsaWaarde, OntbrekendeWsaHeader,
)
from knoop_esb.stuf.ns import SOAP11_ENV, WSA

__all__ = [
    "ANONYMOUS", "NONE", "FAULT_ACTION", "Addressing", "parse", "check_request", "check_soap_action",
    "oin_in", "dkintern", "message_id_uit_stuurgegevens", "relates_to_uit_stuurgegevens",
    "response_headers", "request_headers", "set_headers", "new_message_id",
]

ANONYMOUS = f"{WSA}/anonymous"
NONE = f"{WSA}/none"
FAULT_ACTION = f"{WSA}/soap/fault"
REPLY = f"{WSA}/reply"
_EPR = {"From", "ReplyTo", "FaultTo"}
_SIMPLE = {"To", "Action", "MessageID", "RelatesTo"}
_MISSING_CODE = {"To": "0005", "Action": "0006", "MessageID": "0007", "RelatesTo": "0008"}
# RFC 2141 <other> and <trans> characters that may stand unescaped in a URN NSS.
_URN_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789()+,-.:=@;$_!*'")


@dataclass(frozen=True)
class Addressing:
    """The WS-A headers of one message (None where absent)."""

    to: str | None = None
    action: str | None = None
    message_id: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    fault_to: str | None = None
    relates_to: str | None = None
    relationship_type: str | None = None

    @property
    def sender_oin(self) -> str | None:
        return oin_in(self.from_address)

    @property
    def receiver_oin(self) -> str | None:
        return oin_in(self.to)


def oin_in(uri: str | None) -> str | None:
    """The value of the OIN query parameter (any case) of a WS-A URI, or None."""
    if not uri:
        return None
    for key, value in parse_qsl(urlsplit(uri).query, keep_blank_values=True):
        if key.lower() == "oin":
            return value.strip().upper()
    return None


def _epr_address(element: etree._Element, name: str) -> str:
    children = [c for c in element if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != f"{{{WSA}}}Address":
        found = ", ".join(etree.QName(c).localname for c in children) or "nothing"
        raise OngeldigeWsaWaarde(f"wsa:{name} must hold only wsa:Address, found {found}")
    return (children[0].text or "").strip()


def parse(root: etree._Element) -> Addressing:
    """Read the WS-A headers of an envelope; refuse duplicates and malformed EPRs (0011)."""
    values: dict[str, str] = {}
    relationship = None
    hdr = root.find(f"{{{SOAP11_ENV}}}Header")
    for element in hdr if hdr is not None else ():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != WSA:
            continue
        name = etree.QName(element).localname
        if name not in _EPR | _SIMPLE:
            raise OngeldigeWsaWaarde(f"wsa:{name} is not a WS-Addressing 1.0 message header")
        if name in values:
            raise OngeldigeWsaWaarde(f"wsa:{name} appears more than once")
        if name in _EPR:
            values[name] = _epr_address(element, name)
        else:
            values[name] = (element.text or "").strip()
        if name == "RelatesTo":
            relationship = element.get("RelationshipType")
    return Addressing(
        to=values.get("To"), action=values.get("Action"), message_id=values.get("MessageID"),
        from_address=values.get("From"), reply_to=values.get("ReplyTo"), fault_to=values.get("FaultTo"),
        relates_to=values.get("RelatesTo"), relationship_type=relationship,
    )


def check_soap_action(http_soap_action: str | None, action: str | None) -> None:
    """WS002: the HTTP SOAPAction is ``""`` or equal to wsa:Action (quotes optional) → 0003."""
    if http_soap_action is None:
        raise OngeldigeSoapAction("HTTP SOAPAction header is missing (SOAP 1.1 requires it)")
    value = http_soap_action.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if value and value != action:
        raise OngeldigeSoapAction(f"HTTP SOAPAction {http_soap_action!r} differs from wsa:Action {action!r}")


def check_request(addressing: Addressing, *, soap_action: str | None, node_oin: str,
                  peer_oin: str | None) -> None:
    """WA001 + WS002 for a request received by the node."""
    for name, value in (("To", addressing.to), ("Action", addressing.action), ("MessageID", addressing.message_id)):
        if not value:
            raise OntbrekendeWsaHeader(f"wsa:{name} is missing or empty", bp_code=_MISSING_CODE[name])
    for name, value in (("To", addressing.to), ("Action", addressing.action)):
        if not urlsplit(value).scheme:
            raise OngeldigeWsaWaarde(f"wsa:{name} {value!r} is not an absolute URI")
    check_soap_action(soap_action, addressing.action)
    if addressing.reply_to not in (None, ANONYMOUS):
        raise OngeldigeWsaWaarde(f"wsa:ReplyTo must be anonymous for synchronous WUS, got {addressing.reply_to!r}")
    if addressing.fault_to not in (None, ANONYMOUS, NONE):
        raise OngeldigeWsaWaarde(f"wsa:FaultTo may only be anonymous or none, got {addressing.fault_to!r}")
    if addressing.from_address == "":
        raise OngeldigeWsaWaarde("wsa:From/wsa:Address is empty")
    receiver = addressing.receiver_oin
    if receiver is not None and receiver != node_oin.upper():
        raise OinMismatch(f"OIN {receiver} in wsa:To is not this node's OIN {node_oin}")
    sender = addressing.sender_oin
    if sender is not None and peer_oin is not None and sender != peer_oin.upper():
        raise OinMismatch(f"OIN {sender} in wsa:From differs from the TLS client certificate OIN {peer_oin}")


def _urn_escape(text: str) -> str:
    return "".join(c if c in _URN_SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text)


def dkintern(organisatie: str | None, applicatie: str | None, administratie: str | None) -> str:
    """``urn:dkintern:«organisatie»:«applicatie»:«administratie»`` with RFC 2141 escaping (StUF Tabel 3)."""
    parts = [organisatie or "", applicatie or "", administratie or ""]
    return "urn:dkintern:" + ":".join(_urn_escape(p) for p in parts)


def message_id_uit_stuurgegevens(zender, referentienummer: str) -> str:
    """wsa:MessageID = «wsa:From» + ":" + referentienummer; ``zender`` has organisatie/applicatie/administratie."""
    return f"{dkintern(zender.organisatie, zender.applicatie, zender.administratie)}:{_urn_escape(referentienummer)}"


def relates_to_uit_stuurgegevens(ontvanger, cross_refnummer: str) -> str:
    """wsa:RelatesTo = «ontvanger» + ":" + crossRefnummer (StUF Tabel 3)."""
    return f"{dkintern(ontvanger.organisatie, ontvanger.applicatie, ontvanger.administratie)}:{_urn_escape(cross_refnummer)}"


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _simple(name: str, text: str, **attrib: str) -> etree._Element:
    element = etree.Element(f"{{{WSA}}}{name}", attrib, nsmap={"wsa": WSA})
    element.text = text
    return element


def _epr(name: str, address: str) -> etree._Element:
    element = etree.Element(f"{{{WSA}}}{name}", nsmap={"wsa": WSA})
    etree.SubElement(element, f"{{{WSA}}}Address").text = address
    return element


def request_headers(*, to: str, action: str, message_id: str, from_address: str | None = None,
                    reply_to: str | None = ANONYMOUS) -> list[etree._Element]:
    """WS-A headers of a request as WA001 prescribes them."""
    headers = [_simple("To", to), _simple("Action", action), _simple("MessageID", message_id)]
    if from_address:
        headers.append(_epr("From", from_address))
    if reply_to:
        headers.append(_epr("ReplyTo", reply_to))
    return headers


def response_headers(request: Addressing, *, action: str, message_id: str | None = None) -> list[etree._Element]:
    """Action, MessageID and RelatesTo (the request's MessageID, relationship reply) of a response."""
    headers = [_simple("Action", action), _simple("MessageID", message_id or new_message_id())]
    if request.message_id:
        headers.append(_simple("RelatesTo", request.message_id))
    return headers


def set_headers(root: etree._Element, headers: list[etree._Element]) -> None:
    """Replace any WS-A headers of ``root`` by ``headers`` (creating soap:Header when needed)."""
    hdr = root.find(f"{{{SOAP11_ENV}}}Header")
    if hdr is None:
        hdr = etree.Element(f"{{{SOAP11_ENV}}}Header")
        root.insert(0, hdr)
    for old in [e for e in hdr if isinstance(e.tag, str) and etree.QName(e).namespace == WSA]:
        hdr.remove(old)
    for element in headers:
        hdr.append(element)
