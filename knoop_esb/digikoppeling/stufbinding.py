"""The plain StUF http/SOAP binding (Protocolbindingen 03.02.04 chapter 4) for the municipality's
own backoffice applications and ESBs, next to the Digikoppeling WUS binding (chapter 5).

Chapter 4 asks SOAP 1.1 over http(s), document/literal, WS-I Basic Profile 1.1, and leaves
security and extra headers to the parties. So for an afnemer with ``binding = "stuf"``:

- WS-Addressing is optional. Headers that are present are honoured (ReplyTo only anonymous, an
  ``?OIN=`` in To / From must be the node's / the afnemer's) and the response carries WS-A
  headers only when the request did ("answered in kind").
- SOAPAction may be quoted, unquoted, empty or absent; a non-empty one must name the operation
  (wsa:Action when present, else the body element: namespace + "/" + name, chapter 4.3).
- Header blocks other than WS-Addressing are ignored unless marked ``mustUnderstand``, which a
  SOAP 1.1 node must refuse for a header it does not process (WS-Security is not processed in
  this binding: authentication is the TLS layer's, by HTTP Basic or an internal client certificate).

The Digikoppeling binding (``wsa.check_request`` and ``envelope.check_header_blocks``) is untouched.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from knoop_esb.digikoppeling import wsa
from knoop_esb.digikoppeling.errors import OinMismatch, OnbekendeHeader, OngeldigeSoapAction, OngeldigeWsaWaarde
from knoop_esb.stuf.ns import SOAP11_ENV, WSA

from knoop_esb.config.afnemers import BINDINGEN  # noqa: E402  (the names are config data)

__all__ = ["DIGIKOPPELING", "STUF", "BINDINGEN", "binding_van", "soap_action", "body_action",
           "heeft_wsa", "check_request", "check_header_blocks"]

DIGIKOPPELING, STUF = BINDINGEN
_MUST_UNDERSTAND = f"{{{SOAP11_ENV}}}mustUnderstand"


def binding_van(profiel: str, binding: str = "") -> str:
    """The binding an afnemer speaks: the configured one, else by its profile (intern → plain StUF)."""
    return binding or (STUF if profiel == "intern" else DIGIKOPPELING)


def soap_action(header: str | None) -> str | None:
    """The HTTP SOAPAction without its optional quotes; None when absent or empty."""
    if header is None:
        return None
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].strip()
    return value or None


def body_action(body_child: etree._Element) -> str:
    """Chapter 4.3: the soapAction of an operation = namespace of the body element + "/" + its name."""
    name = etree.QName(body_child)
    return f"{name.namespace}/{name.localname}"


def heeft_wsa(addressing: wsa.Addressing) -> bool:
    return any(value is not None for value in (addressing.to, addressing.action, addressing.message_id,
                                               addressing.from_address, addressing.reply_to,
                                               addressing.fault_to, addressing.relates_to))


def check_request(addressing: wsa.Addressing, *, soap_action_header: str | None, body_child: etree._Element,
                  node_oin: str, peer_oin: str | None) -> None:
    """What the plain binding asks of a request; raises the same :class:`WusFout` kinds as WUS."""
    action = soap_action(soap_action_header)
    expected = addressing.action or body_action(body_child)
    if action is not None and action != expected:
        bron = "wsa:Action" if addressing.action else "the body element"
        raise OngeldigeSoapAction(f"HTTP SOAPAction {action!r} is not the operation {expected!r} ({bron})")
    for name, value in (("To", addressing.to), ("Action", addressing.action)):
        if value is not None and not urlsplit(value).scheme:
            raise OngeldigeWsaWaarde(f"wsa:{name} {value!r} is not an absolute URI")
    if addressing.reply_to not in (None, wsa.ANONYMOUS):
        raise OngeldigeWsaWaarde(f"wsa:ReplyTo must be anonymous for a synchronous answer, got {addressing.reply_to!r}")
    if addressing.fault_to not in (None, wsa.ANONYMOUS, wsa.NONE):
        raise OngeldigeWsaWaarde(f"wsa:FaultTo may only be anonymous or none, got {addressing.fault_to!r}")
    receiver = addressing.receiver_oin
    if receiver is not None and receiver != node_oin.upper():
        raise OinMismatch(f"OIN {receiver} in wsa:To is not this node's OIN {node_oin}")
    sender = addressing.sender_oin
    if sender is not None and peer_oin is not None and sender != peer_oin.upper():
        raise OinMismatch(f"OIN {sender} in wsa:From is not the afnemer's OIN {peer_oin}")


def check_header_blocks(root: etree._Element) -> None:
    """SOAP 1.1 §4.2.3: a header block marked mustUnderstand="1" that this binding does not
    process (anything but WS-Addressing) is refused; unmarked ones are ignored."""
    hdr = root.find(f"{{{SOAP11_ENV}}}Header")
    for block in hdr if hdr is not None else ():
        if not isinstance(block.tag, str) or etree.QName(block).namespace == WSA:
            continue
        if (block.get(_MUST_UNDERSTAND) or "").strip() in ("1", "true"):
            raise OnbekendeHeader(f"header block {block.tag} is marked mustUnderstand and is not processed "
                                  "in the plain StUF binding")
