"""The running node proxies npsLv01 to upstream BRP providers: an afnemer asks the node over
mutual TLS, the node asks the upstream(s) over mutual TLS, the afnemer gets the node's own La01."""
from __future__ import annotations

import pytest
from lxml import etree

from knoop_esb.routing.handlers import PROXY_BERICHTEN
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, SOAP11_ENV, q
from tests.fixtures.node import afnemers_toml, fault_code, soap_envelope, soap_post
from tests.fixtures.routing import UpstreamApp, npslv01

DEMO = "00000099000000000001"
PAD = "/stuf/bg0310/BeantwoordVraag"


# Doelbinding is default deny: the demo afnemer needs a rule for NPS (its profile covers only the
# Handelsregister).
NPS_AFNEMERS = afnemers_toml(demo_regels="""
[[afnemers.afnemer.autorisatie]]
berichtcode = "Lv01"
entiteittype = "NPS"
selectie = ["*"]
attributen = ["geslachtsnaam", "inp.bsn"]
relaties = []
doel = "Schuldhulpverlening"
""")


def upstream_toml(pki, *upstreams, chain):
    parts = []
    for name, url, timeout in upstreams:
        parts.append(f"""
[[routes.upstream]]
name = "{name}"
url = "{url}"
entiteittypen = ["NPS"]
oin = "00000099000000000000"
applicatie = "BRP"
timeout = {timeout}
ca = "{pki.ca}"
""")
    parts.append(f"""
[[routes.route]]
berichtcode = "npsLv01"
entiteittype = "NPS"
chain = {chain}
""")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def proxy_node(node_factory, upstream_server, pki):
    snel = UpstreamApp(namen=("Jansen", "de Vries"))
    traag = UpstreamApp(namen=("Bakker",), slaap=3.0)
    extra = upstream_toml(pki, ("snel", upstream_server(snel), 5.0), ("traag", upstream_server(traag), 0.5),
                          chain='["upstream:snel+traag"]')
    return node_factory(extra=extra, afnemers=NPS_AFNEMERS), snel


def ask(node, body):
    with node.client("afnemer-demo") as client:
        return soap_post(client, node.url(PAD), soap_envelope(body, to=node.url(PAD)),
                         action=f"{BG}/{etree.QName(body).localname}")


def test_node_proxies_npslv01_with_fanout(proxy_node, schema_registry):
    node, snel = proxy_node
    response = ask(node, npslv01(zender_oin=DEMO, referentienummer="afn-node-1"))
    assert response.status_code == 200, response.text
    la01 = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    assert la01.tag == q(BG, "npsLa01")
    schema_registry.validate(la01)
    stuurgegevens = sg.van_bericht(la01)
    assert stuurgegevens.cross_refnummer == "afn-node-1" and stuurgegevens.ontvanger.organisatie == DEMO
    namen = [o.findtext(q(BG, "geslachtsnaam")) for o in la01.find(q(BG, "antwoord"))]
    assert namen == ["Jansen", "de Vries"]
    assert la01.findtext(q(BG, "melding")).startswith("upstream:traag: StUF960")
    forwarded = sg.van_bericht(snel.ontvangen[-1]["root"].find(f"{{{SOAP11_ENV}}}Body")[0])
    assert forwarded.zender.organisatie == node.config.node.oin and forwarded.referentienummer != "afn-node-1"


def test_node_relays_upstream_fo02(node_factory, upstream_server, pki):
    app = UpstreamApp(fo02=StufFout(foutcodes.STUF052, "Geen doelbinding voor deze BSN"))
    node = node_factory(extra=upstream_toml(pki, ("brp", upstream_server(app), 5.0), chain='["upstream:brp"]'),
                        afnemers=NPS_AFNEMERS)
    response = ask(node, npslv01(zender_oin=DEMO))
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF058")
    details = etree.fromstring(response.content).findtext(".//{http://www.egem.nl/StUF/StUF0301}details")
    assert "upstream:brp: StUF052 Geen doelbinding voor deze BSN" in details


def test_proxied_vraag_without_doelbinding_is_stuf052_and_upstream_not_asked(node_factory, upstream_server, pki):
    app = UpstreamApp(namen=("Jansen",))
    node = node_factory(extra=upstream_toml(pki, ("brp", upstream_server(app), 5.0), chain='["upstream:brp"]'))
    response = ask(node, npslv01(zender_oin=DEMO))  # the default afnemers: Handelsregister only
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    assert app.ontvangen == []


def test_proxied_answer_is_filtered_and_in_the_protocol_log(proxy_node):
    from knoop_esb.afnemers import protocol
    from knoop_esb.store.db import database

    node, _ = proxy_node
    response = ask(node, npslv01(zender_oin=DEMO, referentienummer="afn-node-protocol"))
    assert response.status_code == 200, response.text
    antwoord = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0].find(q(BG, "antwoord"))
    for obj in antwoord:
        assert {etree.QName(e).localname for e in obj} <= {"geslachtsnaam", "inp.bsn"}
    with database(node.config).session() as session:
        regels = [r for r in protocol.regels(session, afnemer_oin=DEMO) if r.referentienummer == "afn-node-protocol"]
    assert len(regels) == 1 and regels[0].berichtcode == "npsLa01" and regels[0].doel == "Schuldhulpverlening"


def test_unrouted_vraag_is_stuf025(proxy_node):
    node, _ = proxy_node
    body = npslv01(zender_oin=DEMO)
    body.tag = q(BG, "aoaLv01")
    sg_el = body.find(q(BG, "stuurgegevens"))
    sg_el.find("{http://www.egem.nl/StUF/StUF0301}entiteittype").text = "AOA"
    for el in body.iter(q(BG, "gelijk"), q(BG, "object")):
        el.set("{http://www.egem.nl/StUF/StUF0301}entiteittype", "AOA")
    gelijk = body.find(q(BG, "gelijk"))
    gelijk.remove(gelijk[0])
    etree.SubElement(gelijk, q(BG, "identificatie")).text = "0518200000000001"
    response = ask(node, body)
    assert fault_code(response) == ("Fo02Bericht", "StUF025")


def test_proxy_berichten_are_the_schemas_vraagberichten_except_the_handelsregister(stuf_schemas_dir):
    xsd = next(stuf_schemas_dir.rglob("bg0310_msg_vraagAntwoord.xsd"))
    namen = {e.get("name") for e in etree.parse(str(xsd)).getroot().iter("{http://www.w3.org/2001/XMLSchema}element")
             if e.get("name") and e.get("name")[3:6] == "Lv0" and len(e.get("name")) == 7
             and e.get("name")[6] in "1357"}
    assert set(PROXY_BERICHTEN) == {n for n in namen if n[:3] not in ("nnp", "mac", "ves")}


def test_warm_up_loads_every_upstream_client_before_the_first_vraag(proxy_node):
    from knoop_esb.endpoints.app import warm_up
    from knoop_esb.routing.bronnen import node_router

    node, _ = proxy_node
    warm_up(node.config)  # what `knoop-esb serve` and each worker do at start
    bronnen = [b for naam, b in node_router(node.config).bronnen.items() if naam.startswith("upstream:")]
    assert bronnen and all(b._client is not None for b in bronnen)
