"""What a receiver's answer means for an outbox row (pure: no I/O).

- Bv03 (stored) or Bv04 (stored, not yet checked; stuf.bindingen §4) with HTTP 200 → delivered.
- Fo03 with a code in PERMANENT → dead at once, with the code and text as the reason: sending the
  same message again cannot change the answer.
- Fo03 StUF016 (zender + referentienummer not unique) on a row sent before → delivered: the
  receiver already has this very message (our earlier attempt got through, its Bv03 got lost).
- Anything else — another Fo03 code, a SOAP Fault without Fo03 (a WUS-layer refusal), HTTP 5xx or
  another status, a body that is no SOAP → retry with back-off (and dead after the limits).
Connection failures never reach here: the sender reports them as a retry itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from knoop_esb.stuf import xmlparse
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, WSA

BEZORGD = "bezorgd"
OPNIEUW = "opnieuw"
DOOD = "dood"

# Fo03 codes that make a kennisgeving dead at once: the receiver refuses this message as it is
# (schema, authorisation, unknown or unsupported zender/ontvanger/berichtcode/entiteittype/functie,
# content it cannot apply). StUF019 is here because a resend carries the same tijdstipBericht.
# Temporary, so retried: StUF046 (cannot store), StUF049, StUF058 (process error), StUF061,
# StUF130, StUF960, and codes outside the StUF table (sector- or vendor-defined).
PERMANENT = frozenset({
    "StUF001", "StUF004", "StUF007", "StUF010", "StUF013", "StUF016", "StUF019", "StUF022", "StUF025", "StUF028",
    "StUF031", "StUF034", "StUF037", "StUF040", "StUF043", "StUF052", "StUF055", "StUF062", "StUF063", "StUF064",
    "StUF065", "StUF066", "StUF067", "StUF068", "StUF069", "StUF070", "StUF094", "StUF127",
})
AL_ONTVANGEN = "StUF016"
BEVESTIGINGEN = frozenset({f"{{{STUF}}}Bv03Bericht", f"{{{STUF}}}Bv04Bericht"})
_FO = {f"{{{STUF}}}Fo0{n}Bericht" for n in (1, 2, 3)}


@dataclass(frozen=True)
class Uitkomst:
    soort: str  # BEZORGD | OPNIEUW | DOOD
    reden: str = ""
    response_message_id: str | None = None
    foutcode: str | None = None


def opnieuw(reden: str) -> Uitkomst:
    return Uitkomst(OPNIEUW, reden)


def beoordeel(status: int, inhoud: bytes | etree._Element, *, eerder_verzonden: bool) -> Uitkomst:
    """The outcome of one attempt from the HTTP status and the answer (bytes, or the envelope the
    sender already parsed and verified)."""
    if isinstance(inhoud, (bytes, bytearray)):
        try:
            root = xmlparse.parse(bytes(inhoud), max_bytes=None)
        except StufFout:
            return opnieuw(f"HTTP {status}: answer is no XML")
    else:
        root = inhoud
    if root.tag != f"{{{SOAP11_ENV}}}Envelope":
        return opnieuw(f"HTTP {status}: answer is no SOAP 1.1 envelope")
    message_id = root.findtext(f"{{{SOAP11_ENV}}}Header/{{{WSA}}}MessageID")
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    kind = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if kind is None:
        return opnieuw(f"HTTP {status}: empty soap:Body")
    if kind.tag in BEVESTIGINGEN:
        if status == 200:
            return Uitkomst(BEZORGD, etree.QName(kind).localname, message_id)
        return opnieuw(f"HTTP {status} with {etree.QName(kind).localname}")
    if kind.tag == f"{{{SOAP11_ENV}}}Fault":
        fo = next((c for c in kind.iter(*_FO)), None)
        if fo is None:
            tekst = (kind.findtext("faultstring") or "").strip()
            return opnieuw(f"HTTP {status}: SOAP Fault {kind.findtext('faultcode') or ''}: {tekst}"[:500])
        code = (fo.findtext(f"{{{STUF}}}body/{{{STUF}}}code") or "").strip()
        tekst = " ".join(filter(None, ((fo.findtext(f"{{{STUF}}}body/{{{STUF}}}omschrijving") or "").strip(),
                                       (fo.findtext(f"{{{STUF}}}body/{{{STUF}}}details") or "").strip())))
        reden = f"{etree.QName(fo).localname} {code}: {tekst}"[:1000]
        if code == AL_ONTVANGEN and eerder_verzonden:
            return Uitkomst(BEZORGD, f"{reden} (sent before: the receiver has it)", message_id, code)
        if code in PERMANENT:
            return Uitkomst(DOOD, reden, message_id, code)
        return Uitkomst(OPNIEUW, reden, message_id, code)
    return opnieuw(f"HTTP {status}: unexpected answer {etree.QName(kind).localname}")
