"""An upstream StUF service as a source: the vraag is forwarded over Digikoppeling WUS.

The connection is the zeep client of ``digikoppeling.client.wus_client``: mutual TLS with the
node's (or the upstream's own) certificate trusting only the upstream's CA, WS-Addressing with
both OINs, and for 2W-be-S/-SE the node's own WS-Security (signed, for -SE encrypted, requests;
verified answers with SignatureConfirmation and RelatesTo checks). A proxy relays the vraag element
as received, so the envelope is built here and passed through that client's own plugins, wsse and
transport in the order zeep itself uses (egress → sign → post → verify → ingress); the WSDL
(default: the installed official BG vraagAntwoord WSDL) gives each operation's Action.
An upstream Fo02 is a functional answer (``BronFout(functioneel=True)``), not a transport failure.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import requests
import zeep
from lxml import etree
from zeep import plugins as zeep_plugins

from knoop_esb import logs
from knoop_esb.config.routes import Upstream
from knoop_esb.digikoppeling import envelope as soap
from knoop_esb.digikoppeling.client import wus_client
from knoop_esb.digikoppeling.errors import NietGeautoriseerd, WusFout
from knoop_esb.routing import relay
from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag, nu
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import SOAP11_ENV, STUF, q

OFFICIELE_WSDL = Path("bg0310") / "vraagAntwoord" / "bg0310_beantwoordVraag_vraagAntwoord.wsdl"

log = logs.get("knoop_esb.upstream")


@dataclass(frozen=True)
class UpstreamTls:
    """Files for one upstream connection (defaults: the node's own TLS files and installed WSDL)."""

    certificate: Path
    private_key: Path
    ca: Path
    wsdl: Path
    crl_files: tuple[Path, ...] = ()


class UpstreamSource:
    bewaart = False

    def __init__(self, upstream: Upstream, node: sg.Systeem, tls: UpstreamTls):
        self.upstream = upstream
        self.naam = f"upstream:{upstream.name}"
        self.entiteittypen = frozenset(e.upper() for e in upstream.entiteittypen)
        self.timeout = upstream.timeout
        self.node = node
        self.tls = tls
        self.ontvanger = sg.Systeem(organisatie=upstream.organisatie or upstream.oin or None,
                                    applicatie=upstream.applicatie or upstream.name)
        self._client: zeep.Client | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, upstream: Upstream, config) -> "UpstreamSource":
        from knoop_esb import paths
        from knoop_esb.digikoppeling.tls import tls_files

        files = tls_files(config)
        tls = UpstreamTls(
            certificate=Path(upstream.certificate) if upstream.certificate else files.certificate,
            private_key=Path(upstream.private_key) if upstream.private_key else files.private_key,
            ca=Path(upstream.ca) if upstream.ca else files.trust_anchors,
            wsdl=Path(upstream.wsdl) if upstream.wsdl else paths.schemas_dir(config) / OFFICIELE_WSDL,
            crl_files=files.crl_files,
        )
        return cls(upstream, sg.node_systeem(config), tls)

    def client(self) -> zeep.Client:
        """The WUS zeep client, made on first use (loading the WSDL takes about half a second)."""
        with self._lock:
            if self._client is None:
                if not self.tls.wsdl.is_file():
                    raise BronFout(self.naam, "StUF058", f"WSDL {self.tls.wsdl} ontbreekt (knoop-esb schemas install)")
                self._client = wus_client(
                    str(self.tls.wsdl), profiel=self.upstream.profiel, client_cert=self.tls.certificate,
                    client_key=self.tls.private_key, ca=self.tls.ca, sender_oin=self.node.organisatie,
                    receiver_oin=self.upstream.oin, timeout=self.upstream.timeout, crl_files=self.tls.crl_files)
            return self._client

    def vraag(self, vraag: Vraag) -> Antwoord:
        if vraag.element is None:
            raise BronFout(self.naam, "StUF058", "doorsturen kan alleen met het oorspronkelijke vraagbericht")
        bericht, stuurgegevens = relay.doorgestuurde_vraag(vraag.element, self.node, self.ontvanger)
        client = self.client()
        try:
            operation = client.service._binding.get(etree.QName(bericht).localname)
        except ValueError:
            raise BronFout(self.naam, "StUF025", f"de WSDL van {self.upstream.name} kent {etree.QName(bericht).localname} niet") from None
        log.info("upstream_vraag", upstream=self.upstream.name, operation=operation.name,
                 referentienummer=stuurgegevens.referentienummer)
        root, response = self._wissel(client, operation, bericht)
        antwoord = self._antwoord(root, response.status_code)
        return Antwoord(bron=self.naam, stuf_objecten=relay.antwoord_objecten(antwoord), fetched_at=nu())

    def _wissel(self, client: zeep.Client, operation, bericht: etree._Element):
        """Send ``bericht`` through the client's WS-A plugin, signing and transport; check the answer."""
        root = etree.Element(q(SOAP11_ENV, "Envelope"), nsmap={"soapenv": SOAP11_ENV})
        etree.SubElement(root, q(SOAP11_ENV, "Header"))
        etree.SubElement(root, q(SOAP11_ENV, "Body")).append(bericht)
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation.soapaction}"'}
        try:
            root, headers = zeep_plugins.apply_egress(client, root, headers, operation, {"address": self.upstream.url})
            if client.wsse is not None:
                root, headers = client.wsse.apply(root, headers)
            response = client.transport.post_xml(self.upstream.url, root, headers)
        except requests.Timeout:
            raise BronFout(self.naam, "StUF960", f"geen antwoord binnen {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise BronFout(self.naam, "verbinding", f"{type(exc).__name__}: {_eerste_regel(exc)}") from None
        try:
            antwoord = soap.parse(response.content)
            if client.wsse is not None:
                client.wsse.verify(antwoord)
            antwoord, _ = zeep_plugins.apply_ingress(client, antwoord, response.headers, operation)
        except WusFout as exc:
            code = "ondertekening" if isinstance(exc, NietGeautoriseerd) else "wus"
            raise BronFout(self.naam, code, f"antwoord niet vertrouwd: {exc}") from None
        except StufFout as exc:
            raise BronFout(self.naam, f"HTTP {response.status_code}", f"geen bruikbaar SOAP-antwoord: {exc}") from None
        return antwoord, response

    def _antwoord(self, root: etree._Element, status: int) -> etree._Element:
        try:
            body = soap.body_child(root)
        except (StufFout, WusFout) as exc:
            raise BronFout(self.naam, f"HTTP {status}", f"geen bruikbaar SOAP-antwoord: {exc}") from None
        if body.tag == q(SOAP11_ENV, "Fault"):
            raise self._fo02(body, status)
        if status != 200:
            raise BronFout(self.naam, f"HTTP {status}", "antwoord zonder SOAP Fault")
        if not etree.QName(body).localname[3:].startswith("La"):
            raise BronFout(self.naam, "antwoord", f"onverwacht antwoordbericht {etree.QName(body).localname}")
        return body

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
