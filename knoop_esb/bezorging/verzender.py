"""One afnemer endpoint's sender: HTTPS with the node's certificate (mutual TLS) to the endpoint's
trust anchors, the WUS signature / encryption its profile asks, the endpoint's timeout.

Why a plain ``requests`` POST and not zeep: the payload is a finished StUF body; zeep would need
the receiver's WSDL for every Lk01/Sa01 operation and would rebuild the body through its object
model. The WUS pieces are the node's own (``digikoppeling.client.WusSignature`` signs, encrypts and
checks the answer's signature and SignatureConfirmation exactly as the upstream client does), so
what goes out is byte for byte the envelope built here. One ``requests.Session`` per endpoint
keeps its TLS connections alive (a pool of ``parallel`` connections).
"""
from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography import x509
from lxml import etree
from requests.adapters import HTTPAdapter

from knoop_esb import logs
from knoop_esb.afnemers.registry import AfnemerEndpoint
from knoop_esb.bezorging import antwoord
from knoop_esb.bezorging.envelop import PLAIN, Bericht, envelop, http_headers
from knoop_esb.digikoppeling import envelope as soap_envelope
from knoop_esb.digikoppeling.client import WusSignature, session as mtls_session
from knoop_esb.digikoppeling.errors import WusFout
from knoop_esb.digikoppeling.profiles import profiel as wus_profiel
from knoop_esb.digikoppeling.signing import Ondertekenaar
from knoop_esb.digikoppeling.tls import TlsFiles
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, WSSE

log = logs.get("knoop_esb.bezorging")


class Verzender:
    def __init__(self, afnemer_oin: str, endpoint: AfnemerEndpoint, tls: TlsFiles):
        self.afnemer_oin = afnemer_oin
        self.endpoint = endpoint
        self.tls = tls
        self.trust_anchors = Path(endpoint.trust_anchors) if endpoint.trust_anchors else tls.trust_anchors
        self.profiel = endpoint.profiel
        self.wus = None if self.profiel == PLAIN else wus_profiel(self.profiel)
        self.session = mtls_session(client_cert=tls.certificate, client_key=tls.private_key, ca=self.trust_anchors)
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(endpoint.parallel, 1), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._ondertekening: WusSignature | None = None
        self._onondertekend_gemeld = False
        self._lock = threading.Lock()

    def _signature(self) -> WusSignature:
        """The WUS signer/verifier, made once; for 2W-be-SE it encrypts to the endpoint's TLS server
        certificate (learned by a verified handshake with our certificate and its trust anchors)."""
        with self._lock:
            if self._ondertekening is None:
                from knoop_esb.digikoppeling.certificates import TrustStore

                store = TrustStore(self.trust_anchors, list(self.tls.crl_files))
                ontvanger = self._server_certificaat() if self.wus.versleuteld else None
                self._ondertekening = WusSignature(
                    Ondertekenaar.from_files(self.tls.certificate, self.tls.private_key), self.wus,
                    vertrouwen=lambda cert: store.verify(cert).oin, receiver_oin=self.afnemer_oin,
                    receiver_certificate=ontvanger)
            return self._ondertekening

    def _server_certificaat(self) -> x509.Certificate:
        parts = urlsplit(self.endpoint.url)
        ctx = ssl.create_default_context(cafile=str(self.trust_anchors))
        ctx.load_cert_chain(str(self.tls.certificate), str(self.tls.private_key))
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=self.endpoint.timeout) as sock:
            with ctx.wrap_socket(sock, server_hostname=parts.hostname) as tls:
                return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))

    def verstuur(self, bericht: Bericht, *, eerder_verzonden: bool) -> antwoord.Uitkomst:
        """One attempt: never raises; every failure is an Uitkomst."""
        try:
            root = envelop(bericht, url=self.endpoint.url, profiel=self.profiel)
            ondertekening = None
            if self.wus is not None and self.wus.ondertekend:
                ondertekening = self._signature()
                root, _ = ondertekening.apply(root, {})
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        except (OSError, ssl.SSLError) as exc:
            return antwoord.opnieuw(f"endpoint certificate for encryption: {exc}"[:500])
        try:
            response = self.session.post(self.endpoint.url, data=data, headers=http_headers(bericht),
                                         timeout=(self.endpoint.timeout, self.endpoint.timeout))
            inhoud = response.content  # read whole: the connection then stays alive for the next one
        except requests.exceptions.SSLError as exc:
            return antwoord.opnieuw(f"TLS: {_kort(exc)}")
        except requests.Timeout:
            return antwoord.opnieuw(f"timeout: no answer within {self.endpoint.timeout:g} s")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, OSError) as exc:
            return antwoord.opnieuw(f"connection: {_kort(exc)}")
        except requests.RequestException as exc:
            return antwoord.opnieuw(f"HTTP: {_kort(exc)}")
        if ondertekening is None:
            return antwoord.beoordeel(response.status_code, inhoud, eerder_verzonden=eerder_verzonden)
        return self._beoordeel_ondertekend(ondertekening, response.status_code, inhoud, eerder_verzonden)

    def _beoordeel_ondertekend(self, ondertekening: WusSignature, status: int, inhoud: bytes,
                               eerder_verzonden: bool) -> antwoord.Uitkomst:
        try:
            root = soap_envelope.parse(inhoud, max_bytes=None)
        except (WusFout, StufFout):
            return antwoord.beoordeel(status, inhoud, eerder_verzonden=eerder_verzonden)
        if root.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security") is None:
            # TLS already authenticated the server to the endpoint's trust anchors; an unsigned
            # answer is taken as it is (a resend would only repeat a delivery the receiver has).
            if not self._onondertekend_gemeld:  # once per endpoint, not per message
                self._onondertekend_gemeld = True
                log.warning("bezorging_antwoord_onondertekend", afnemer=self.afnemer_oin, endpoint=self.endpoint.naam)
            return antwoord.beoordeel(status, root, eerder_verzonden=eerder_verzonden)
        try:
            root = ondertekening.verify(root)
        except (WusFout, StufFout, ValueError) as exc:
            return antwoord.opnieuw(f"answer signature: {_kort(exc)}")
        return antwoord.beoordeel(status, root, eerder_verzonden=eerder_verzonden)

    def close(self) -> None:
        self.session.close()


def _kort(exc: BaseException) -> str:
    # requests nests urllib3's reason several levels deep; the innermost text is the useful one.
    tekst = str(exc)
    return tekst[-300:] if len(tekst) > 300 else tekst
