"""StUF fouten: the one exception every layer raises, the Fo01/Fo02/Fo03 foutberichten it becomes
(stuf0301.xsd, stuf0301 §4.4.3) and the SOAP 1.1 Fault that carries them (Protocolbindingen §3).

Which one the endpoint sends: Fo02 for a synchronous message (BeantwoordVraag), Fo03 as the
synchronous technical answer to an asynchronous message (OntvangAsynchroon), Fo01 asynchronously.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as _sg
from knoop_esb.stuf.foutcodes import Foutcode
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, q

OMSCHRIJVING_MAX = 200  # StUF:Foutomschrijving
DETAILS_MAX = 1000  # StUF:Foutdetails
CODE_MAX = 7  # StUF:Foutcode


class StufFout(Exception):
    """A StUF foutsituatie. ``code`` is a :mod:`foutcodes` constant (preferred) or a code string
    (sector-defined codes); plek and omschrijving default to the standard's table."""

    def __init__(
        self,
        code: Foutcode | str,
        omschrijving: str | None = None,
        plek: str | None = None,
        details: str | None = None,
        details_xml: list[etree._Element] | None = None,
    ):
        entry = code if isinstance(code, Foutcode) else foutcodes.foutcode(code)
        self.code = entry.code if entry else str(code)
        self.plek = plek or (entry.plek if entry else "server")
        if self.plek not in ("client", "server"):
            raise ValueError(f"plek must be 'client' or 'server', not {self.plek!r}")
        self.omschrijving = omschrijving or (entry.omschrijving if entry else self.code)
        self.details = details
        self.details_xml = details_xml or []
        super().__init__(f"{self.code} ({self.plek}): {self.omschrijving}")


class SchemaFout(StufFout):
    """A message that does not conform to the official schema: StUF055, plek client."""

    def __init__(self, omschrijving: str, details: str | None = None):
        super().__init__(foutcodes.STUF055, _kort(omschrijving, OMSCHRIJVING_MAX), details=details)


def _kort(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def foutbericht_body(fout: StufFout) -> etree._Element:
    """``StUF:body`` of type StUF:Foutbericht: code, plek, omschrijving, details?, detailsXML?."""
    body = etree.Element(q(STUF, "body"), nsmap={"StUF": STUF})
    etree.SubElement(body, q(STUF, "code")).text = fout.code[:CODE_MAX]
    etree.SubElement(body, q(STUF, "plek")).text = fout.plek
    etree.SubElement(body, q(STUF, "omschrijving")).text = _kort(fout.omschrijving, OMSCHRIJVING_MAX)
    if fout.details:
        etree.SubElement(body, q(STUF, "details")).text = _kort(fout.details, DETAILS_MAX)
    if fout.details_xml:
        container = etree.SubElement(body, q(STUF, "detailsXML"))
        for element in fout.details_xml:
            container.append(element)
    return body


def _bericht(naam: str, stuurgegevens: etree._Element, fout: StufFout) -> etree._Element:
    root = etree.Element(q(STUF, naam), nsmap={"StUF": STUF})
    root.append(stuurgegevens)
    root.append(foutbericht_body(fout))
    return root


def fo02(fout: StufFout) -> etree._Element:
    """``StUF:Fo02Bericht``: the synchronous functional error; stuurgegevens hold only berichtcode."""
    return _bericht("Fo02Bericht", _sg.to_element(_sg.Stuurgegevens(berichtcode="Fo02")), fout)


def fo01(fout: StufFout, oorzaak: _sg.Stuurgegevens | None, node: _sg.Systeem | None = None) -> etree._Element:
    """``StUF:Fo01Bericht``: the asynchronous functional error about message ``oorzaak``."""
    return _bericht("Fo01Bericht", _sg.bevestiging_stuurgegevens("Fo01", oorzaak, node), fout)


def fo03(fout: StufFout, oorzaak: _sg.Stuurgegevens | None, node: _sg.Systeem | None = None) -> etree._Element:
    """``StUF:Fo03Bericht``: the synchronous technical refusal of asynchronous message ``oorzaak``.
    ``node`` names the node as zender when the message named no ontvanger."""
    return _bericht("Fo03Bericht", _sg.bevestiging_stuurgegevens("Fo03", oorzaak, node), fout)


def soap_fault_element(fo_element: etree._Element) -> etree._Element:
    """The ``soapenv:Fault`` for a Fo01/Fo02/Fo03 message: faultcode ``soapenv:Client|Server`` from
    ``plek``, faultstring = ``omschrijving``, detail = the whole foutbericht, no faultactor."""
    body = fo_element.find(q(STUF, "body"))
    if body is None:
        raise ValueError(f"{etree.QName(fo_element).localname} is not a StUF foutbericht")
    plek = body.findtext(q(STUF, "plek")) or "server"
    fault = etree.Element(q(SOAP11_ENV, "Fault"), nsmap={"soapenv": SOAP11_ENV})
    etree.SubElement(fault, "faultcode").text = f"soapenv:{plek.capitalize()}"
    etree.SubElement(fault, "faultstring").text = body.findtext(q(STUF, "omschrijving")) or ""
    etree.SubElement(fault, "detail").append(fo_element)
    return fault


def soap_fault_envelope(fo_element: etree._Element) -> etree._Element:
    """A complete SOAP 1.1 Envelope whose Body holds the Fault for ``fo_element``: for a layer that
    still adds headers (the WUS layer signs its refusals)."""
    envelope = etree.Element(q(SOAP11_ENV, "Envelope"), nsmap={"soapenv": SOAP11_ENV, "StUF": STUF})
    etree.SubElement(envelope, q(SOAP11_ENV, "Body")).append(soap_fault_element(fo_element))
    return envelope


def soap_fault(fo_element: etree._Element) -> bytes:
    """:func:`soap_fault_envelope` as UTF-8 bytes."""
    return etree.tostring(soap_fault_envelope(fo_element), xml_declaration=True, encoding="UTF-8")
