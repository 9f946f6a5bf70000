"""Upstream StUF proxy against real StUF SOAP servers (cheroot, mutual TLS, ephemeral ports):
forwarding with the node's stuurgegevens and WS-A, relaying the La01 as the node's own answer,
fan-out with one slow upstream, an upstream Fo02, and a 2W-be-S upstream (signed both ways)."""
from __future__ import annotations

import pytest

from knoop_esb.config.routes import Upstream
from knoop_esb.digikoppeling import envelope as soap
from knoop_esb.digikoppeling import wsa
from knoop_esb.routing import relay
from knoop_esb.routing.chain import GeenAntwoord, Router
from knoop_esb.routing.sources.base import BronFout, Vraag
import dataclasses

from knoop_esb.routing.sources.upstream import OFFICIELE_WSDL, UpstreamSource, UpstreamTls
from knoop_esb.routing.table import RouteTable
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, SOAP11_ENV, q
from tests.fixtures.routing import UpstreamApp, npslv01

NODE = sg.Systeem(organisatie="00000099000000000000", applicatie="KNOOP")
AFNEMER = sg.Systeem(organisatie="00000001001234567000", applicatie="ZAAKSYS")  # zender of npslv01()
BRP_OIN = "00000099000000000000"  # the test PKI's server certificate


@pytest.fixture(scope="module")
def tls(pki, stuf_schemas_dir):
    """The node's side of an upstream connection: afnemer-demo's certificate, the installed WSDL."""
    return UpstreamTls(pki.cert("afnemer-demo"), pki.key("afnemer-demo"), pki.ca,
                       stuf_schemas_dir / OFFICIELE_WSDL, tuple(pki.crls))


def source(name, url, tls, timeout=5.0, profiel_naam="2W-be"):
    upstream = Upstream(name=name, url=url, entiteittypen=["NPS"], oin=BRP_OIN, applicatie="BRP",
                        timeout=timeout, profiel=profiel_naam)
    return UpstreamSource(upstream, NODE, tls)


def vraag():
    return Vraag("npsLv01", "NPS", {}, element=npslv01())


def test_forwards_with_the_nodes_stuurgegevens_and_wsa(upstream_server, pki, tls):
    app = UpstreamApp()
    antwoord = source("brp", upstream_server(app), tls).vraag(vraag())
    assert [o.findtext(q(BG, "geslachtsnaam")) for o in antwoord.stuf_objecten] == ["Jansen", "de Vries"]
    (ontvangen,) = app.ontvangen
    assert ontvangen["peer_oin"] == "00000099000000000001"
    assert ontvangen["soapaction"] == f'"{BG}/npsLv01"' and ontvangen["content_type"].startswith("text/xml")
    forwarded = sg.van_bericht(soap.body_child(ontvangen["root"]))
    assert forwarded.zender == NODE and forwarded.ontvanger.organisatie == BRP_OIN
    assert forwarded.referentienummer != "afn-0001" and forwarded.entiteittype == "NPS"
    addressing = wsa.parse(ontvangen["root"])
    assert addressing.action == f"{BG}/npsLv01" and addressing.receiver_oin == BRP_OIN
    assert addressing.sender_oin == NODE.organisatie and addressing.message_id
    assert soap.body_child(ontvangen["root"]).find(q(BG, "gelijk")).findtext(q(BG, "inp.bsn")) == "999990000"


def test_relayed_answer_is_the_nodes_own_and_schema_valid(upstream_server, pki, tls, schema_registry):
    app = UpstreamApp()
    element = npslv01()
    antwoord = source("brp", upstream_server(app), tls).vraag(Vraag("npsLv01", "NPS", element=element))
    la01 = relay.antwoordbericht(element, antwoord, NODE)
    schema_registry.validate(la01)
    stuurgegevens = sg.van_bericht(la01)
    assert stuurgegevens.berichtcode == "La01" and stuurgegevens.cross_refnummer == "afn-0001"
    assert stuurgegevens.ontvanger == AFNEMER and stuurgegevens.zender == NODE
    assert len(relay.antwoord_objecten(la01)) == 2


def test_fanout_with_one_slow_upstream(upstream_server, pki, tls, routing_config, schema_registry):
    snel = upstream_server(UpstreamApp(namen=("Jansen",)))
    traag = upstream_server(UpstreamApp(namen=("Bakker",), slaap=3.0))
    config = routing_config(f"""
        [[routes.upstream]]
        name = "snel"
        url = "{snel}"
        entiteittypen = ["NPS"]
        oin = "00000099000000000000"
        [[routes.upstream]]
        name = "traag"
        url = "{traag}"
        entiteittypen = ["NPS"]
        oin = "00000099000000000000"
        timeout = 0.5
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:snel+traag"]
    """)
    bronnen = {f"upstream:{u.name}": UpstreamSource(u, NODE, tls) for u in config.routes.upstream}
    element = npslv01()
    antwoord = Router(RouteTable.from_config(config), bronnen).beantwoord(Vraag("npsLv01", "NPS", element=element))
    assert [o.findtext(q(BG, "geslachtsnaam")) for o in antwoord.stuf_objecten] == ["Jansen"]
    assert [(m.bron, m.code) for m in antwoord.meldingen] == [("upstream:traag", "StUF960")]
    la01 = relay.antwoordbericht(element, antwoord, NODE)
    schema_registry.validate(la01)
    assert la01.findtext(q(BG, "melding")).startswith("upstream:traag: StUF960")


def test_upstream_fo02_is_relayed_as_the_nodes_fo02(upstream_server, pki, tls, routing_config):
    url = upstream_server(UpstreamApp(fo02=StufFout(foutcodes.STUF052, "Afnemer niet geautoriseerd voor BSN", details="doelbinding")))
    bron = source("brp", url, tls)
    with pytest.raises(BronFout) as exc:
        bron.vraag(vraag())
    assert (exc.value.code, exc.value.omschrijving, exc.value.functioneel) == ("StUF052", "Afnemer niet geautoriseerd voor BSN", True)
    config = routing_config(f"""
        [[routes.upstream]]
        name = "brp"
        url = "{url}"
        entiteittypen = ["NPS"]
        oin = "00000099000000000000"
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:brp"]
    """)
    with pytest.raises(GeenAntwoord) as fout:
        Router(RouteTable.from_config(config), {"upstream:brp": bron}).beantwoord(vraag())
    assert fout.value.code == "StUF058"
    assert "upstream:brp: StUF052 Afnemer niet geautoriseerd voor BSN" in fout.value.details


def test_signed_upstream_2w_be_s(upstream_server, pki, tls):
    app = UpstreamApp(pki=pki)
    antwoord = source("brp-s", upstream_server(app), tls, profiel_naam="2W-be-S").vraag(vraag())
    assert len(antwoord.stuf_objecten) == 2
    assert app.ontvangen[0]["root"].find(f"{{{SOAP11_ENV}}}Header") is not None


def test_unsigned_answer_from_a_signed_upstream_is_refused(upstream_server, pki, tls):
    url = upstream_server(UpstreamApp())
    with pytest.raises(BronFout) as exc:
        source("brp-s", url, tls, profiel_naam="2W-be-S").vraag(vraag())
    assert exc.value.code == "ondertekening"


def test_unreachable_and_untrusted_upstreams(pki, tls, upstream_server):
    with pytest.raises(BronFout) as exc:
        source("weg", "https://127.0.0.1:9/BeantwoordVraag", tls).vraag(vraag())
    assert exc.value.code == "verbinding"
    url = upstream_server(UpstreamApp())
    other = UpstreamSource(Upstream(name="x", url=url, entiteittypen=["NPS"], oin=BRP_OIN), NODE,
                           dataclasses.replace(tls, ca=pki.dir / "other-root.pem"))
    with pytest.raises(BronFout) as exc:
        other.vraag(vraag())
    assert exc.value.code == "verbinding" and "SSL" in exc.value.omschrijving
