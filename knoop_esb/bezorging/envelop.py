"""An outbox payload as the SOAP 1.1 message that goes on the wire (pure: no I/O).

The payload is a complete StUF-BG body element; the envelope adds, per endpoint profile, the
WS-Addressing headers the StUF binding derives from its stuurgegevens (stuf.bindingen Tabel 3):
From = ``urn:dkintern:`` + zender, MessageID = From + ":" + referentienummer — so a resend of the
same row carries the same MessageID, and a receiver can recognise it. To = the endpoint URL with
``?OIN=`` the ontvanger (Digikoppeling), Action = SOAPAction = the body element's namespace + "/" +
its name (stuf.bindingen §4.3). The plain StUF binding ("stuf") writes no WS-A headers: chapter 4
defines none, and a receiver of that binding need not understand them.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from knoop_esb.digikoppeling import wsa
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf import xmlparse
from knoop_esb.stuf.ns import SOAP11_ENV

PLAIN = "stuf"


@dataclass(frozen=True)
class Bericht:
    """One outbox payload, read: its element, stuurgegevens and the values derived from them."""

    element: etree._Element
    stuurgegevens: sg.Stuurgegevens
    soap_action: str
    from_address: str
    message_id: str


def lees(payload: str) -> Bericht:
    """Parse a payload (safely: no DTD, no entities) and derive SOAPAction and WS-A values."""
    element = xmlparse.parse(payload.encode("utf-8"), max_bytes=None)
    stuurgegevens = sg.van_bericht(element)
    naam = etree.QName(element)
    zender = stuurgegevens.zender or sg.Systeem(applicatie="")
    from_address = wsa.dkintern(zender.organisatie, zender.applicatie, zender.administratie)
    return Bericht(element=element, stuurgegevens=stuurgegevens, soap_action=f"{naam.namespace}/{naam.localname}",
                   from_address=from_address,
                   message_id=wsa.message_id_uit_stuurgegevens(zender, stuurgegevens.referentienummer or ""))


def adres_met_oin(url: str, oin: str | None) -> str:
    """wsa:To: the endpoint URL with the receiver's OIN as Digikoppeling names it."""
    if not oin:
        return url
    return f"{url}{'&' if '?' in url else '?'}OIN={oin}"


def envelop(bericht: Bericht, *, url: str, profiel: str) -> etree._Element:
    """A new Envelope around a copy of the payload element; WS-A headers unless ``profiel`` is "stuf"."""
    root = etree.Element(f"{{{SOAP11_ENV}}}Envelope", nsmap={"soapenv": SOAP11_ENV})
    header = etree.SubElement(root, f"{{{SOAP11_ENV}}}Header")
    if profiel != PLAIN:
        ontvanger = bericht.stuurgegevens.ontvanger
        wsa.set_headers(root, wsa.request_headers(
            to=adres_met_oin(url, ontvanger.organisatie if ontvanger else None), action=bericht.soap_action,
            message_id=bericht.message_id, from_address=bericht.from_address, reply_to=wsa.ANONYMOUS))
    else:
        root.remove(header)
    body = etree.SubElement(root, f"{{{SOAP11_ENV}}}Body")
    body.append(_kopie(bericht.element))
    return root


def _kopie(element: etree._Element) -> etree._Element:
    # The parsed payload is kept for every attempt; the envelope (and a signature) gets its own copy.
    from copy import deepcopy

    return deepcopy(element)


def http_headers(bericht: Bericht) -> dict[str, str]:
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{bericht.soap_action}"'}
