"""Why a Digikoppeling WUS message was refused: one exception class per reason.

Every refusal names the rule it enforces (FACTS.md ids: WS002, WA001, WB004, SIGN003, ...), the
Digikoppeling Best Practices WUS fault code (0001-0011) and the StUF foutcode it is reported as,
so the endpoint can answer with one Fo02/Fo03 and the log carries one line with the reason.

    WusFout
    ├── EnvelopeFout                 StUF055  envelope / header syntax
    │   ├── OngeldigeEnvelope        0001     not a SOAP 1.1 envelope, no Body, DTD, not XML
    │   ├── NietUtf8                 0009     WS006
    │   ├── OngeldigeSoapAction      0003     WS002
    │   ├── OntbrekendeWsaHeader     0005/0006/0007/0008  WA001
    │   ├── OngeldigeWsaWaarde       0011     WA001 (EPR content, anonymous/none, duplicates)
    │   ├── OnbekendeHeader          0010     WS007
    │   └── DubbelId                 0001     duplicate Id attributes (signature wrapping)
    ├── NietGeautoriseerd            StUF052  0002
    │   ├── OinMismatch                       OIN in To/From/certificate/stuurgegevens differ
    │   ├── OndertekeningOntbreekt            WB003: profile requires a signature
    │   ├── OngeldigeOndertekening            WB013: signature value / digest does not verify
    │   ├── GewijzigdeInhoud                  WB013: a signed part was changed (digest)
    │   ├── AlgoritmeNietToegestaan           SIGN001-004 / ENC003-004 / WB007 (SHA-1 ...)
    │   ├── OnvolledigeOndertekening          WB004: Body, Timestamp or a WS-A header unsigned
    │   ├── OngeldigeTimestamp                WB002: Created missing / in the future / expired
    │   ├── OngeldigeSleutelverwijzing        WB010: key reference kind not accepted
    │   ├── OnbetrouwbaarCertificaat          WB010/PKI: chain, CRL, OIN of the signer
    │   ├── VersleutelingVereist              WB005: 2W-be-SE body not encrypted
    │   ├── OntsleutelingMislukt              WB006: cannot decrypt
    │   └── OngeldigeSignatureConfirmation    WB014 (client side, on responses)
    └── HerhaaldBericht              StUF016  replayed MessageID
"""
from __future__ import annotations

__all__ = [
    "WusFout", "EnvelopeFout", "OngeldigeEnvelope", "NietUtf8", "OngeldigeSoapAction",
    "OntbrekendeWsaHeader", "OngeldigeWsaWaarde", "OnbekendeHeader", "DubbelId",
    "NietGeautoriseerd", "OinMismatch", "OndertekeningOntbreekt", "OngeldigeOndertekening",
    "GewijzigdeInhoud", "AlgoritmeNietToegestaan", "OnvolledigeOndertekening", "OngeldigeTimestamp",
    "OngeldigeSleutelverwijzing", "OnbetrouwbaarCertificaat", "VersleutelingVereist",
    "OntsleutelingMislukt", "OngeldigeSignatureConfirmation", "HerhaaldBericht",
]


class WusFout(Exception):
    """A refused WUS message. ``reden`` is the one-line reason for the log and the Fo02 details."""

    stuf_code = "StUF058"
    plek = "server"
    bp_code = "0001"
    regel = ""

    def __init__(self, reden: str, *, regel: str | None = None, bp_code: str | None = None):
        super().__init__(reden)
        self.reden = reden
        if regel:
            self.regel = regel
        if bp_code:
            self.bp_code = bp_code

    @property
    def details(self) -> str:
        """What goes into Foutbericht/details: Best Practices code, rule and reason."""
        return f"{self.bp_code} {self.regel}: {self.reden}".strip()[:1000]

    def log_fields(self) -> dict[str, str]:
        return {"fout": type(self).__name__, "stuf_code": self.stuf_code, "bp_code": self.bp_code,
                "regel": self.regel, "reden": self.reden}

    def to_stuf_fout(self):
        """The :class:`knoop_esb.stuf.fouten.StufFout` this refusal is reported as (omschrijving =
        the reason, details = Best Practices code + rule + reason)."""
        from knoop_esb.stuf.fouten import StufFout

        omschrijving = self.reden if len(self.reden) <= 200 else self.reden[:199] + "…"
        return StufFout(self.stuf_code, omschrijving, plek=self.plek, details=self.details)


class EnvelopeFout(WusFout):
    stuf_code = "StUF055"
    plek = "client"


class OngeldigeEnvelope(EnvelopeFout):
    bp_code, regel = "0001", "WW001"


class NietUtf8(EnvelopeFout):
    bp_code, regel = "0009", "WS006"


class OngeldigeSoapAction(EnvelopeFout):
    bp_code, regel = "0003", "WS002"


class OntbrekendeWsaHeader(EnvelopeFout):
    """wsa:To → 0005, wsa:Action → 0006, wsa:MessageID → 0007, wsa:RelatesTo → 0008."""

    regel = "WA001"


class OngeldigeWsaWaarde(EnvelopeFout):
    bp_code, regel = "0011", "WA001"


class OnbekendeHeader(EnvelopeFout):
    bp_code, regel = "0010", "WS007"


class DubbelId(EnvelopeFout):
    bp_code, regel = "0001", "WB004"


class NietGeautoriseerd(WusFout):
    stuf_code = "StUF052"
    plek = "client"
    bp_code = "0002"


class OinMismatch(NietGeautoriseerd):
    regel = "WA001"


class OndertekeningOntbreekt(NietGeautoriseerd):
    regel = "WB003"


class OngeldigeOndertekening(NietGeautoriseerd):
    regel = "WB013"


class GewijzigdeInhoud(OngeldigeOndertekening):
    regel = "WB013"


class AlgoritmeNietToegestaan(NietGeautoriseerd):
    regel = "SIGN003"


class OnvolledigeOndertekening(NietGeautoriseerd):
    regel = "WB004"


class OngeldigeTimestamp(NietGeautoriseerd):
    regel = "WB002"


class OngeldigeSleutelverwijzing(NietGeautoriseerd):
    regel = "WB010"


class OnbetrouwbaarCertificaat(NietGeautoriseerd):
    regel = "WB010"


class VersleutelingVereist(NietGeautoriseerd):
    regel = "WB005"


class OntsleutelingMislukt(NietGeautoriseerd):
    regel = "WB006"


class OngeldigeSignatureConfirmation(NietGeautoriseerd):
    regel = "WB014"


class HerhaaldBericht(WusFout):
    stuf_code = "StUF016"
    plek = "client"
    bp_code = "0011"
    regel = "WB002"
