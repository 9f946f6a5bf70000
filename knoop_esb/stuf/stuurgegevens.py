"""Stuurgegevens: the StUF 03.01 envelope data every message carries (who, which message, which
reference), read from and written to XML, and the rules for answering one (stuf0301 §4.3, §4.4.1).

The ``stuurgegevens`` element itself lives in the namespace of the message that declares it (BG for
``BG:nnpLa01``, StUF for ``StUF:Fo02Bericht``); its children are always in the StUF namespace.
"""
from __future__ import annotations

import datetime as _dt
import threading
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lxml import etree

# fouten imports this module for Fo01/Fo03; import the module, not the name, to keep the cycle benign.
from knoop_esb.stuf import foutcodes, fouten
from knoop_esb.stuf.ns import STUF, q

# StUF tijdstippen are Dutch wall-clock time, as every municipal system writes them.
TIJDZONE = ZoneInfo("Europe/Amsterdam")
REFNUMMER_MAX = 40  # StUF:Refnummer maxLength
ONBEKEND = "onbekend"  # applicatie of a party a faulty message did not name


@dataclass(frozen=True)
class Systeem:
    """StUF:Systeem; with Digikoppeling the organisatie is the OIN."""

    organisatie: str | None = None
    applicatie: str = ""
    administratie: str | None = None
    gebruiker: str | None = None


def node_systeem(config) -> Systeem:
    """The node itself as StUF zender: its OIN and applicatie from ``[node]``."""
    return Systeem(organisatie=config.node.oin, applicatie=config.node.applicatie)


@dataclass(frozen=True)
class Stuurgegevens:
    berichtcode: str
    zender: Systeem | None = None
    ontvanger: Systeem | None = None
    referentienummer: str | None = None
    tijdstip_bericht: str | None = None
    entiteittype: str | None = None
    cross_refnummer: str | None = None
    functie: str | None = None


_SYSTEEM_VELDEN = ("organisatie", "applicatie", "administratie", "gebruiker")


def _text(parent: etree._Element, local: str) -> str | None:
    child = parent.find(q(STUF, local))
    if child is None:
        return None
    return (child.text or "").strip()


def _parse_systeem(element: etree._Element | None) -> Systeem | None:
    if element is None:
        return None
    values = {name: _text(element, name) for name in _SYSTEEM_VELDEN}
    return Systeem(
        organisatie=values["organisatie"],
        applicatie=values["applicatie"] or "",
        administratie=values["administratie"],
        gebruiker=values["gebruiker"],
    )


def parse(element: etree._Element) -> Stuurgegevens:
    """Read a ``stuurgegevens`` element (any namespace). Lenient about optional parts so that a
    foutbericht can still be addressed for a message that failed validation; a missing berichtcode
    is a StUF055 fout."""
    berichtcode = _text(element, "berichtcode")
    if not berichtcode:
        raise fouten.StufFout(foutcodes.STUF055, "stuurgegevens zonder berichtcode")
    return Stuurgegevens(
        berichtcode=berichtcode,
        zender=_parse_systeem(element.find(q(STUF, "zender"))),
        ontvanger=_parse_systeem(element.find(q(STUF, "ontvanger"))),
        referentienummer=_text(element, "referentienummer"),
        tijdstip_bericht=_text(element, "tijdstipBericht"),
        cross_refnummer=_text(element, "crossRefnummer"),
        entiteittype=_text(element, "entiteittype"),
        functie=_text(element, "functie"),
    )


def van_bericht(bericht: etree._Element) -> Stuurgegevens:
    """The stuurgegevens of a whole StUF message (its first ``stuurgegevens`` child, any namespace)."""
    for child in bericht:
        if isinstance(child.tag, str) and etree.QName(child).localname == "stuurgegevens":
            return parse(child)
    raise fouten.StufFout(foutcodes.STUF055, f"bericht {etree.QName(bericht).localname} zonder stuurgegevens")


def _systeem_element(parent: etree._Element, local: str, systeem: Systeem) -> None:
    el = etree.SubElement(parent, q(STUF, local))
    for name in _SYSTEEM_VELDEN:
        value = getattr(systeem, name)
        if value is not None:
            etree.SubElement(el, q(STUF, name)).text = value


def to_element(sg: Stuurgegevens, element_ns: str = STUF) -> etree._Element:
    """``<stuurgegevens>`` in ``element_ns`` with StUF children in the schema's order
    (berichtcode, zender, ontvanger, referentienummer, tijdstipBericht, crossRefnummer, entiteittype, functie)."""
    el = etree.Element(q(element_ns, "stuurgegevens"), nsmap={"StUF": STUF})
    etree.SubElement(el, q(STUF, "berichtcode")).text = sg.berichtcode
    if sg.zender is not None:
        _systeem_element(el, "zender", sg.zender)
    if sg.ontvanger is not None:
        _systeem_element(el, "ontvanger", sg.ontvanger)
    for local, value in (
        ("referentienummer", sg.referentienummer),
        ("tijdstipBericht", sg.tijdstip_bericht),
        ("crossRefnummer", sg.cross_refnummer),
        ("entiteittype", sg.entiteittype),
        ("functie", sg.functie),
    ):
        if value is not None:
            etree.SubElement(el, q(STUF, local)).text = value
    return el


def nieuw_referentienummer() -> str:
    """A fresh referentienummer, unique per zender as StUF demands (§4.3.1); 32 characters."""
    return uuid.uuid4().hex


def antwoord_op(
    request: Stuurgegevens,
    berichtcode: str,
    node_systeem: Systeem | None = None,
    entiteittype: str | None = None,
) -> Stuurgegevens:
    """Stuurgegevens of the answer to ``request``: zender and ontvanger swapped, crossRefnummer =
    the request's referentienummer, a fresh referentienummer and tijdstipBericht. ``node_systeem``
    stands in as zender when the request named no ontvanger. ``entiteittype`` defaults to the request's."""
    return Stuurgegevens(
        berichtcode=berichtcode,
        zender=request.ontvanger if request.ontvanger is not None else node_systeem,
        ontvanger=request.zender,
        referentienummer=nieuw_referentienummer(),
        tijdstip_bericht=tijdstip_bericht(),
        cross_refnummer=request.referentienummer,
        entiteittype=entiteittype if entiteittype is not None else request.entiteittype,
    )


def geldig_systeem(systeem: Systeem | None) -> Systeem:
    """StUF:Systeem needs an applicatie of 3..50 characters; a foutbericht about a message that lacks
    one still has to validate, so such a party is named 'onbekend'."""
    if systeem is None:
        return Systeem(applicatie=ONBEKEND)
    if not 3 <= len(systeem.applicatie) <= 50:
        systeem = Systeem(systeem.organisatie, ONBEKEND, systeem.administratie, systeem.gebruiker)
    return Systeem(
        organisatie=None if systeem.organisatie is None else systeem.organisatie[:200],
        applicatie=systeem.applicatie,
        administratie=None if systeem.administratie is None else systeem.administratie[:50],
        gebruiker=None if systeem.gebruiker is None else systeem.gebruiker[:100],
    )


def bevestiging_stuurgegevens(
    berichtcode: str, oorzaak: Stuurgegevens | None, node: Systeem | None
) -> etree._Element:
    """Fo01/Fo03/Bv01/Bv03 stuurgegevens: zender/ontvanger from the causing message (swapped),
    crossRefnummer = its referentienummer (empty when it had none: the element is required)."""
    basis = oorzaak or Stuurgegevens(berichtcode="")
    antwoord = antwoord_op(basis, berichtcode, node_systeem=node)
    antwoord = Stuurgegevens(
        berichtcode=berichtcode,
        zender=geldig_systeem(antwoord.zender),
        ontvanger=geldig_systeem(antwoord.ontvanger),
        referentienummer=antwoord.referentienummer,
        tijdstip_bericht=antwoord.tijdstip_bericht,
        cross_refnummer=(basis.referentienummer or "")[:REFNUMMER_MAX],
    )
    return to_element(antwoord)


# --- StUF date and tijdstip formats -----------------------------------------------------------

_last_tijdstip: _dt.datetime | None = None
_tijdstip_lock = threading.Lock()


def tijdstip(moment: _dt.datetime) -> str:
    """StUF:Tijdstip ``yyyymmddhhmmssfff`` (17 digits) in Dutch time; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    local = moment.astimezone(TIJDZONE)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def tijdstip_bericht() -> str:
    """The tijdstipBericht for a message made now; strictly increasing within this process, since
    StUF requires each message's tijdstipBericht to exceed that of every earlier one of the zender."""
    global _last_tijdstip
    with _tijdstip_lock:
        now = _dt.datetime.now(_dt.timezone.utc)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if _last_tijdstip is not None and now <= _last_tijdstip:
            now = _last_tijdstip + _dt.timedelta(milliseconds=1)
        _last_tijdstip = now
        return tijdstip(now)


def datum(dag: _dt.date) -> str:
    """StUF:Datum ``yyyymmdd``."""
    return dag.strftime("%Y%m%d")


def parse_datum(text: str) -> _dt.date:
    """A complete StUF:Datum (8 digits); raises StufFout StUF055 otherwise."""
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError(text)
        return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise fouten.StufFout(foutcodes.STUF055, f"ongeldige datum {text[:20]!r} (verwacht jjjjmmdd)") from None


def parse_tijdstip(text: str) -> _dt.datetime:
    """A StUF:Tijdstip of 8 to 17 digits (precision as given) as an aware datetime in Dutch time."""
    if not (8 <= len(text) <= 17 and text.isdigit()):
        raise fouten.StufFout(foutcodes.STUF055, f"ongeldig tijdstip {text[:20]!r} (verwacht jjjjmmdd[uummssmmm])")
    padded = text.ljust(17, "0")
    try:
        return _dt.datetime(
            int(padded[0:4]), int(padded[4:6]), int(padded[6:8]), int(padded[8:10]), int(padded[10:12]),
            int(padded[12:14]), int(padded[14:17]) * 1000, tzinfo=TIJDZONE,
        )
    except ValueError:
        raise fouten.StufFout(foutcodes.STUF055, f"ongeldig tijdstip {text[:20]!r}") from None
