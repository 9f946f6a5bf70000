"""An upstream StUF service as a source: the vraag is forwarded over Digikoppeling WUS.

Per upstream: mutual TLS with the node's (or the upstream's own configured) certificate, the
upstream's CA only (``trust_env`` off: requests would otherwise swap in REQUESTS_CA_BUNDLE),
WS-Addressing per the StUF binding with the receiver's OIN in wsa:To, and, for 2W-be-S(E), a
signed request and a verified answer. zeep's transport does the HTTP; the envelope is built here
because a proxy relays the vraag element as received and needs no WSDL-typed serialisation.
An upstream Fo02 is a functional answer (``BronFout(functioneel=True)``), not a transport failure.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree
from zeep.transports import Transport

from knoop_esb import logs
from knoop_esb.config.routes import Upstream
from knoop_esb.digikoppeling import envelope as soap
from knoop_esb.digikoppeling import wsa
from knoop_esb.digikoppeling.certificates import TrustStore
from knoop_esb.digikoppeling.errors import WusFout
from knoop_esb.digikoppeling.profiles import profiel as wus_profiel
from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.routing import relay
from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag, nu
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, q

log = logs.get("knoop_esb.upstream")


@dataclass(frozen=True)
class UpstreamTls:
    """Files for one upstream connection (defaults: the node's own TLS files)."""

    certificate: Path
    private_key: Path
    ca: Path
    crl_files: tuple[Path, ...] = ()


class UpstreamSource:
    bewaart = False

    def __init__(self, upstream: Upstream, node: sg.Systeem, tls: UpstreamTls):
        self.upstream = upstream
        self.naam = f"upstream:{upstream.name}"
        self.entiteittypen = frozenset(e.upper() for e in upstream.entiteittypen)
        self.timeout = upstream.timeout
        self.node = node
        self.ontvanger = sg.Systeem(organisatie=upstream.organisatie or upstream.oin or None,
                                    applicatie=upstream.applicatie or upstream.name)
        self.profiel = wus_profiel(upstream.profiel)
        self.ondertekenaar = Ondertekenaar.from_files(tls.certificate, tls.private_key) if self.profiel.ondertekend else None
        self.trust = TrustStore(tls.ca, list(tls.crl_files)) if self.profiel.ondertekend else None
        session = requests.Session()
        session.trust_env = False
        session.cert = (str(tls.certificate), str(tls.private_key))
        session.verify = str(tls.ca)
        self.transport = Transport(session=session, timeout=upstream.timeout, operation_timeout=upstream.timeout)

    @classmethod
    def from_config(cls, upstream: Upstream, config) -> "UpstreamSource":
        from knoop_esb.digikoppeling.tls import tls_files

        files = tls_files(config)
        tls = UpstreamTls(
            certificate=Path(upstream.certificate) if upstream.certificate else files.certificate,
            private_key=Path(upstream.private_key) if upstream.private_key else files.private_key,
            ca=Path(upstream.ca) if upstream.ca else files.trust_anchors,
            crl_files=files.crl_files,
        )
        return cls(upstream, sg.Systeem(organisatie=config.node.oin, applicatie=config.node.applicatie), tls)

    @property
    def to(self) -> str:
        return f"{self.upstream.url}?OIN={self.upstream.oin}" if self.upstream.oin else self.upstream.url

    def vraag(self, vraag: Vraag) -> Antwoord:
        if vraag.element is None:
            raise BronFout(self.naam, "StUF058", "doorsturen kan alleen met het oorspronkelijke vraagbericht")
        bericht, stuurgegevens = relay.doorgestuurde_vraag(vraag.element, self.node, self.ontvanger)
        action = f"{etree.QName(bericht).namespace}/{etree.QName(bericht).localname}"
        root = self._envelope(bericht, stuurgegevens, action)
        log.info("upstream_vraag", upstream=self.upstream.name, action=action, referentienummer=stuurgegevens.referentienummer)
        response = self._post(root, action)
        antwoord = self._antwoord(response)
        return Antwoord(bron=self.naam, stuf_objecten=relay.antwoord_objecten(antwoord), fetched_at=nu())

    def _envelope(self, bericht: etree._Element, stuurgegevens: sg.Stuurgegevens, action: str) -> etree._Element:
        root = etree.Element(q(SOAP11_ENV, "Envelope"), nsmap={"soapenv": SOAP11_ENV})
        etree.SubElement(root, q(SOAP11_ENV, "Header"))
        etree.SubElement(root, q(SOAP11_ENV, "Body")).append(bericht)
        wsa.set_headers(root, wsa.request_headers(
            to=self.to, action=action,
            message_id=wsa.message_id_uit_stuurgegevens(self.node, stuurgegevens.referentienummer),
            from_address=wsa.dkintern(self.node.organisatie, self.node.applicatie, self.node.administratie)))
        if self.ondertekenaar is not None:
            sign_envelope(root, self.ondertekenaar, self.profiel)
        return root

    def _post(self, root: etree._Element, action: str) -> requests.Response:
        headers = {"SOAPAction": f'"{action}"', "Content-Type": "text/xml; charset=utf-8"}
        try:
            return self.transport.post_xml(self.upstream.url, root, headers)
        except requests.Timeout:
            raise BronFout(self.naam, "StUF960", f"geen antwoord binnen {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise BronFout(self.naam, "verbinding", f"{type(exc).__name__}: {_eerste_regel(exc)}") from None

    def _antwoord(self, response: requests.Response) -> etree._Element:
        try:
            root = soap.parse(response.content)
            body = soap.body_child(root)
        except (StufFout, WusFout) as exc:
            raise BronFout(self.naam, f"HTTP {response.status_code}", f"geen bruikbaar SOAP-antwoord: {exc}") from None
        if self.profiel.ondertekend:
            self._controleer_ondertekening(root)
        if body.tag == q(SOAP11_ENV, "Fault"):
            raise self._fo02(body, response.status_code)
        if response.status_code != 200:
            raise BronFout(self.naam, f"HTTP {response.status_code}", "antwoord zonder SOAP Fault")
        if not etree.QName(body).localname[3:].startswith("La"):
            raise BronFout(self.naam, "antwoord", f"onverwacht antwoordbericht {etree.QName(body).localname}")
        return body

    def _controleer_ondertekening(self, root: etree._Element) -> None:
        try:
            verify_envelope(root, self.profiel, vertrouwen=lambda cert: self.trust.verify(cert).oin,
                            peer_oin=self.upstream.oin or None)
        except WusFout as exc:
            raise BronFout(self.naam, "ondertekening", f"antwoord niet vertrouwd: {exc}") from None

    def _fo02(self, fault: etree._Element, status: int) -> BronFout:
        body = fault.find(f"detail/{{{STUF}}}Fo02Bericht/{{{STUF}}}body")
        if body is None:
            tekst = fault.findtext("faultstring") or f"SOAP Fault (HTTP {status})"
            return BronFout(self.naam, "Fault", tekst)
        code = body.findtext(q(STUF, "code")) or "Fo02"
        omschrijving = body.findtext(q(STUF, "omschrijving")) or ""
        log.info("upstream_fo02", upstream=self.upstream.name, code=code, omschrijving=omschrijving)
        return BronFout(self.naam, code, omschrijving, details=body.findtext(q(STUF, "details")), functioneel=True)


def _eerste_regel(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
