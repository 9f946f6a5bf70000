"""A zeep client that speaks Digikoppeling WUS: mutual TLS, WS-Addressing with OINs, and for
2W-be-S/-SE the same WS-Security as the node itself (signing.py / verify.py / xmlenc.py).

zeep's own pieces are not enough (FACTS.md §10): its WsAddressingPlugin writes no From/ReplyTo and
no OIN, and its BinarySignature signs only Body + Timestamp with SHA-1 defaults. zeep runs plugin
``egress`` before ``wsse.apply``, so the signer sees (and signs) the WS-A headers.

Used by the upstream proxy and deliveries: ``wus_client(wsdl, profiel=..., client_cert=...,
client_key=..., ca=..., sender_oin=..., receiver_oin=...)``.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import requests
import zeep
from cryptography import x509
from zeep.plugins import Plugin

from knoop_esb.digikoppeling import wsa, xmlenc, zeep_compat
from knoop_esb.digikoppeling.errors import (
    OngeldigeSignatureConfirmation, OngeldigeWsaWaarde, OntbrekendeWsaHeader,
)
from knoop_esb.digikoppeling.profiles import WusProfiel, profiel as wus_profiel
from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope, signature_value
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.stuf.ns import SOAP11_ENV, WSSE, WSSE11

__all__ = ["wus_client", "WusAddressingPlugin", "WusSignature", "session"]

Vertrouwen = Callable[[x509.Certificate], str]


class WusAddressingPlugin(Plugin):
    """WA001 request headers: To (endpoint ?OIN=receiver), Action, MessageID, From
    (anonymous ?OIN=sender), ReplyTo anonymous; checks RelatesTo on the response."""

    def __init__(self, sender_oin: str, receiver_oin: str, *, message_id: Callable[[], str] = wsa.new_message_id):
        self.sender_oin = sender_oin
        self.receiver_oin = receiver_oin
        self.message_id = message_id
        self._sent = threading.local()

    def egress(self, envelope, http_headers, operation, binding_options):
        action = operation.abstract.wsa_action or operation.soapaction
        address = binding_options["address"]
        separator = "&" if "?" in address else "?"
        message_id = self.message_id()
        self._sent.message_id = message_id
        wsa.set_headers(envelope, wsa.request_headers(
            to=f"{address}{separator}OIN={self.receiver_oin}", action=action, message_id=message_id,
            from_address=f"{wsa.ANONYMOUS}?OIN={self.sender_oin}"))
        http_headers["SOAPAction"] = f'"{action}"'
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        addressing = wsa.parse(envelope)
        sent = getattr(self._sent, "message_id", None)
        if addressing.relates_to is None and not _is_fault(envelope):
            raise OntbrekendeWsaHeader("response has no wsa:RelatesTo (WA001)", bp_code="0008")
        if addressing.relates_to is not None and addressing.relates_to != sent:
            raise OngeldigeWsaWaarde(f"response wsa:RelatesTo {addressing.relates_to} is not our MessageID {sent}",
                                     bp_code="0008")
        return envelope, http_headers


class WusSignature:
    """zeep ``wsse`` object: signs (and for -SE encrypts) requests exactly as the node signs, and
    verifies responses: signature, signer OIN = receiver OIN, SignatureConfirmation (WB014)."""

    def __init__(self, ondertekenaar: Ondertekenaar, profiel: WusProfiel, *, vertrouwen: Vertrouwen,
                 receiver_oin: str, receiver_certificate: x509.Certificate | None = None):
        if profiel.versleuteld and receiver_certificate is None:
            raise ValueError("2W-be-SE needs the provider's certificate to encrypt requests (WB012)")
        self.ondertekenaar = ondertekenaar
        self.profiel = profiel
        self.vertrouwen = vertrouwen
        self.receiver_oin = receiver_oin
        self.receiver_certificate = receiver_certificate
        self._sent = threading.local()

    def apply(self, envelope, headers):
        sign_envelope(envelope, self.ondertekenaar, self.profiel)
        self._sent.signature_value = signature_value(envelope)
        if self.profiel.versleuteld:
            xmlenc.encrypt_body(envelope, self.receiver_certificate, self.profiel)
        return envelope, headers

    def verify(self, envelope):
        xmlenc.decrypt_body(envelope, self.ondertekenaar.key, _receiving(self.profiel, envelope))
        if _unsigned_fault(envelope):
            # A refusal carries no data; let zeep raise the Fo02 so the caller sees why.
            return envelope
        verify_envelope(envelope, self.profiel, vertrouwen=self.vertrouwen, peer_oin=self.receiver_oin)
        confirmation = envelope.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE11}}}SignatureConfirmation")
        sent = getattr(self._sent, "signature_value", None)
        if confirmation is None or confirmation.get("Value") != sent:
            raise OngeldigeSignatureConfirmation(
                "response SignatureConfirmation is missing or does not repeat our SignatureValue")
        return envelope


def _receiving(profiel: WusProfiel, envelope) -> WusProfiel:
    # A Fault from the provider's WUS layer is signed but not encrypted.
    if profiel.versleuteld and _is_fault(envelope) and not xmlenc.is_encrypted(envelope):
        return wus_profiel("2W-be-S")
    return profiel


def _is_fault(envelope) -> bool:
    return envelope.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault") is not None


def _unsigned_fault(envelope) -> bool:
    return _is_fault(envelope) and envelope.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security") is None


def session(*, client_cert: Path | str, client_key: Path | str, ca: Path | str) -> requests.Session:
    """A requests Session for mutual TLS. ``trust_env`` off: REQUESTS_CA_BUNDLE would override ``verify``."""
    s = requests.Session()
    s.trust_env = False
    s.cert = (str(client_cert), str(client_key))
    s.verify = str(ca)
    return s


def _default_vertrouwen(ca: Path | str, crl_files) -> Vertrouwen:
    from knoop_esb.digikoppeling.certificates import TrustStore

    store = TrustStore(Path(ca), [Path(p) for p in crl_files])
    return lambda cert: store.verify(cert).oin


def wus_client(wsdl: str, *, profiel: str | WusProfiel, client_cert: Path | str, client_key: Path | str,
               ca: Path | str, sender_oin: str, receiver_oin: str, timeout: float = 30,
               crl_files: list[Path] | tuple = (), vertrouwen: Vertrouwen | None = None,
               receiver_certificate: x509.Certificate | None = None, settings: zeep.Settings | None = None) -> zeep.Client:
    """A zeep Client for a WUS service. ``ca`` is the PEM bundle of trust anchors (TLS and the
    response signer, checked against ``crl_files``; or pass ``vertrouwen``); for 2W-be-SE
    ``receiver_certificate`` is the provider's certificate requests are encrypted to."""
    zeep_compat.apply()
    prof = wus_profiel(profiel)
    transport = zeep.Transport(session=session(client_cert=client_cert, client_key=client_key, ca=ca),
                               timeout=timeout, operation_timeout=timeout)
    wsse = None
    if prof.ondertekend:
        wsse = WusSignature(Ondertekenaar.from_files(client_cert, client_key), prof,
                            vertrouwen=vertrouwen or _default_vertrouwen(ca, crl_files),
                            receiver_oin=receiver_oin, receiver_certificate=receiver_certificate)
    return zeep.Client(wsdl, transport=transport, wsse=wsse,
                       plugins=[WusAddressingPlugin(sender_oin, receiver_oin)],
                       settings=settings or zeep.Settings(strict=False, xml_huge_tree=False))
