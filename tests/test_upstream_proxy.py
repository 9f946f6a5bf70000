"""Upstream StUF proxy against real StUF SOAP servers (cheroot, mutual TLS, ephemeral ports):
forwarding with the node's stuurgegevens and WS-A, relaying the La01 as the node's own answer,
fan-out with one slow upstream, an upstream Fo02, and a 2W-be-S upstream (signed both ways)."""
from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field

import pytest
from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from cryptography import x509
from lxml import etree

from knoop_esb.config.routes import Upstream
from knoop_esb.digikoppeling import envelope as soap
from knoop_esb.digikoppeling import oin as oin_mod
from knoop_esb.digikoppeling import wsa
from knoop_esb.digikoppeling.profiles import profiel
from knoop_esb.digikoppeling.signing import sign_envelope, signature_value
from knoop_esb.digikoppeling.verify import verify_envelope
from knoop_esb.routing import relay
from knoop_esb.routing.chain import GeenAntwoord, Router
from knoop_esb.routing.sources.base import BronFout, Vraag
from knoop_esb.routing.sources.upstream import UpstreamSource, UpstreamTls
from knoop_esb.routing.table import RouteTable
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout, fo02, soap_fault_element
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF, q

NODE = sg.Systeem(organisatie="00000099000000000000", applicatie="KNOOP")
AFNEMER = sg.Systeem(organisatie="00000001001234567000", applicatie="ZAAKSYS", administratie="BG")
BRP_OIN = "00000099000000000000"  # the test PKI's server certificate


@dataclass
class UpstreamApp:
    """A StUF-BG BeantwoordVraag provider: answers npsLa01 with ``namen``, a Fo02, or slowly."""

    namen: tuple = ("Jansen", "de Vries")
    fo02: StufFout | None = None
    slaap: float = 0.0
    pki: object = None  # set for 2W-be-S: verify requests, sign answers
    ontvangen: list = field(default_factory=list)

    def __call__(self, environ, start_response):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        root = soap.parse(raw)
        cert = x509.load_pem_x509_certificate(environ["SSL_CLIENT_CERT"].encode())
        self.ontvangen.append({"soapaction": environ.get("HTTP_SOAPACTION"), "root": root,
                               "peer_oin": oin_mod.from_certificate(cert),
                               "content_type": environ.get("CONTENT_TYPE")})
        request_signature = None
        if self.pki is not None:
            verify_envelope(root, profiel("2W-be-S"), vertrouwen=self.pki.vertrouwen, peer_oin=None)
            request_signature = signature_value(root)
        time.sleep(self.slaap)
        vraag = soap.body_child(root)
        if self.fo02 is not None:
            body, status = soap_fault_element(fo02(self.fo02)), "500 Internal Server Error"
        else:
            body, status = self._la01(vraag), "200 OK"
        answer = etree.Element(q(SOAP11_ENV, "Envelope"), nsmap={"soapenv": SOAP11_ENV})
        etree.SubElement(answer, q(SOAP11_ENV, "Header"))
        etree.SubElement(answer, q(SOAP11_ENV, "Body")).append(body)
        wsa.set_headers(answer, wsa.response_headers(wsa.parse(root), action=f"{BG}/npsLa01"))
        if self.pki is not None:
            sign_envelope(answer, self.pki.ondertekenaar("server"), profiel("2W-be-S"),
                          signature_confirmation=request_signature)
        start_response(status, [("Content-Type", "text/xml; charset=utf-8")])
        return [etree.tostring(answer, xml_declaration=True, encoding="UTF-8")]

    def _la01(self, vraag):
        request = sg.van_bericht(vraag)
        la01 = etree.Element(q(BG, "npsLa01"), nsmap={"BG": BG, "StUF": STUF})
        la01.append(sg.to_element(sg.antwoord_op(request, "La01"), BG))
        etree.SubElement(etree.SubElement(la01, q(BG, "parameters")), q(STUF, "indicatorVervolgvraag")).text = "false"
        antwoord = etree.SubElement(la01, q(BG, "antwoord"))
        for i, naam in enumerate(self.namen):
            obj = etree.SubElement(antwoord, q(BG, "object"), {q(STUF, "entiteittype"): "NPS"})
            etree.SubElement(obj, q(BG, "inp.bsn")).text = f"99999{i:04d}"
            etree.SubElement(obj, q(BG, "geslachtsnaam")).text = naam
        return la01


@pytest.fixture(scope="module")
def upstream_server(wss_pki):
    """``upstream_server(app)`` → the https URL of a cheroot server with mutual TLS for ``app``."""
    servers = []

    def start(app):
        server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
        adapter = BuiltinSSLAdapter(str(wss_pki.dir / "server.pem"), str(wss_pki.dir / "server.key"),
                                    certificate_chain=str(wss_pki.dir / "ca.pem"))
        adapter.context.verify_mode = ssl.CERT_REQUIRED
        server.ssl_adapter = adapter
        server.prepare()
        threading.Thread(target=server.serve, daemon=True).start()
        servers.append(server)
        return f"https://127.0.0.1:{server.bind_addr[1]}/BeantwoordVraag"

    yield start
    for server in servers:
        server.stop()


def tls(pki, client="afnemer-demo"):
    return UpstreamTls(pki.dir / f"{client}.pem", pki.dir / f"{client}.key", pki.dir / "ca.pem",
                       tuple(sorted(pki.dir.glob("*.crl"))))


def npslv01(bsn="999990000"):
    root = etree.Element(q(BG, "npsLv01"), nsmap={"BG": BG, "StUF": STUF})
    root.append(sg.to_element(sg.Stuurgegevens(
        berichtcode="Lv01", zender=AFNEMER, ontvanger=NODE, referentienummer="afn-0001",
        tijdstip_bericht="20261123101500123", entiteittype="NPS"), BG))
    parameters = etree.SubElement(root, q(BG, "parameters"))
    etree.SubElement(parameters, q(STUF, "sortering")).text = "0"
    etree.SubElement(parameters, q(STUF, "indicatorVervolgvraag")).text = "false"
    gelijk = etree.SubElement(root, q(BG, "gelijk"), {q(STUF, "entiteittype"): "NPS"})
    etree.SubElement(gelijk, q(BG, "inp.bsn")).text = bsn
    scope = etree.SubElement(root, q(BG, "scope"))
    etree.SubElement(scope, q(BG, "object"), {q(STUF, "entiteittype"): "NPS"})
    return root


def source(name, url, pki, timeout=5.0, profiel_naam="2W-be"):
    upstream = Upstream(name=name, url=url, entiteittypen=["NPS"], oin=BRP_OIN, applicatie="BRP",
                        timeout=timeout, profiel=profiel_naam)
    return UpstreamSource(upstream, NODE, tls(pki))


def vraag():
    return Vraag("npsLv01", "NPS", {}, element=npslv01())


def test_forwards_with_the_nodes_stuurgegevens_and_wsa(upstream_server, wss_pki):
    app = UpstreamApp()
    antwoord = source("brp", upstream_server(app), wss_pki).vraag(vraag())
    assert [o.findtext(q(BG, "geslachtsnaam")) for o in antwoord.stuf_objecten] == ["Jansen", "de Vries"]
    (ontvangen,) = app.ontvangen
    assert ontvangen["peer_oin"] == "00000099000000000001"
    assert ontvangen["soapaction"] == f'"{BG}/npsLv01"' and ontvangen["content_type"].startswith("text/xml")
    forwarded = sg.van_bericht(soap.body_child(ontvangen["root"]))
    assert forwarded.zender == NODE and forwarded.ontvanger.organisatie == BRP_OIN
    assert forwarded.referentienummer != "afn-0001" and forwarded.entiteittype == "NPS"
    addressing = wsa.parse(ontvangen["root"])
    assert addressing.action == f"{BG}/npsLv01" and addressing.receiver_oin == BRP_OIN
    assert addressing.message_id == wsa.message_id_uit_stuurgegevens(NODE, forwarded.referentienummer)
    assert soap.body_child(ontvangen["root"]).find(q(BG, "gelijk")).findtext(q(BG, "inp.bsn")) == "999990000"


def test_relayed_answer_is_the_nodes_own_and_schema_valid(upstream_server, wss_pki, schema_registry):
    app = UpstreamApp()
    element = npslv01()
    antwoord = source("brp", upstream_server(app), wss_pki).vraag(Vraag("npsLv01", "NPS", element=element))
    la01 = relay.antwoordbericht(element, antwoord, NODE)
    schema_registry.validate(la01)
    stuurgegevens = sg.van_bericht(la01)
    assert stuurgegevens.berichtcode == "La01" and stuurgegevens.cross_refnummer == "afn-0001"
    assert stuurgegevens.ontvanger == AFNEMER and stuurgegevens.zender == NODE
    assert len(relay.antwoord_objecten(la01)) == 2


def test_fanout_with_one_slow_upstream(upstream_server, wss_pki, routing_config, schema_registry):
    snel = upstream_server(UpstreamApp(namen=("Jansen",)))
    traag = upstream_server(UpstreamApp(namen=("Bakker",), slaap=3.0))
    config = routing_config(f"""
        [[routes.upstream]]
        name = "snel"
        url = "{snel}"
        entiteittypen = ["NPS"]
        [[routes.upstream]]
        name = "traag"
        url = "{traag}"
        entiteittypen = ["NPS"]
        timeout = 0.5
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:snel+traag"]
    """)
    bronnen = {f"upstream:{u.name}": UpstreamSource(u, NODE, tls(wss_pki)) for u in config.routes.upstream}
    element = npslv01()
    antwoord = Router(RouteTable.from_config(config), bronnen).beantwoord(Vraag("npsLv01", "NPS", element=element))
    assert [o.findtext(q(BG, "geslachtsnaam")) for o in antwoord.stuf_objecten] == ["Jansen"]
    assert [(m.bron, m.code) for m in antwoord.meldingen] == [("upstream:traag", "StUF960")]
    la01 = relay.antwoordbericht(element, antwoord, NODE)
    schema_registry.validate(la01)
    assert la01.findtext(q(BG, "melding")).startswith("upstream:traag: StUF960")


def test_upstream_fo02_is_relayed_as_the_nodes_fo02(upstream_server, wss_pki, routing_config):
    url = upstream_server(UpstreamApp(fo02=StufFout(foutcodes.STUF052, "Afnemer niet geautoriseerd voor BSN", details="doelbinding")))
    bron = source("brp", url, wss_pki)
    with pytest.raises(BronFout) as exc:
        bron.vraag(vraag())
    assert (exc.value.code, exc.value.omschrijving, exc.value.functioneel) == ("StUF052", "Afnemer niet geautoriseerd voor BSN", True)
    config = routing_config(f"""
        [[routes.upstream]]
        name = "brp"
        url = "{url}"
        entiteittypen = ["NPS"]
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:brp"]
    """)
    with pytest.raises(GeenAntwoord) as fout:
        Router(RouteTable.from_config(config), {"upstream:brp": bron}).beantwoord(vraag())
    assert fout.value.code == "StUF058"
    assert "upstream:brp: StUF052 Afnemer niet geautoriseerd voor BSN" in fout.value.details


def test_signed_upstream_2w_be_s(upstream_server, wss_pki):
    app = UpstreamApp(pki=wss_pki)
    antwoord = source("brp-s", upstream_server(app), wss_pki, profiel_naam="2W-be-S").vraag(vraag())
    assert len(antwoord.stuf_objecten) == 2
    assert app.ontvangen[0]["root"].find(f"{{{SOAP11_ENV}}}Header") is not None


def test_unsigned_answer_from_a_signed_upstream_is_refused(upstream_server, wss_pki):
    url = upstream_server(UpstreamApp())
    with pytest.raises(BronFout) as exc:
        source("brp-s", url, wss_pki, profiel_naam="2W-be-S").vraag(vraag())
    assert exc.value.code == "ondertekening"


def test_unreachable_and_untrusted_upstreams(wss_pki, upstream_server):
    with pytest.raises(BronFout) as exc:
        source("weg", "https://127.0.0.1:9/BeantwoordVraag", wss_pki).vraag(vraag())
    assert exc.value.code == "verbinding"
    url = upstream_server(UpstreamApp())
    other = UpstreamSource(Upstream(name="x", url=url, entiteittypen=["NPS"]), NODE,
                           UpstreamTls(wss_pki.dir / "afnemer-demo.pem", wss_pki.dir / "afnemer-demo.key",
                                       wss_pki.dir / "other-root.pem"))
    with pytest.raises(BronFout) as exc:
        other.vraag(vraag())
    assert exc.value.code == "verbinding" and "SSL" in exc.value.omschrijving
