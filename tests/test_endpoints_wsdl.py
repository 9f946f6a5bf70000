"""The node publishes its own WSDLs with real addresses, and zeep (a real client) loads them
from the node over mutual TLS and talks to the service with them."""
from __future__ import annotations

import pytest
import requests
from lxml import etree

from knoop_esb.digikoppeling import zeep_compat
from knoop_esb.endpoints import handlers
from knoop_esb.stuf.ns import BG
from tests.fixtures.stuf import la01_skeleton

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS_NS = "http://www.w3.org/2001/XMLSchema"


def _wsdl(node, porttype):
    with node.client() as client:
        response = client.get(node.url(f"/stuf/bg0310/{porttype}?wsdl"))
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


@pytest.mark.parametrize("porttype", ["BeantwoordVraag", "OntvangAsynchroon"])
def test_WS008_wsdl_has_real_address_and_absolute_imports(node, porttype):
    root = _wsdl(node, porttype)
    assert [p.get("name") for p in root.findall(f"{{{WSDL_NS}}}portType")] == [porttype]  # WS005
    address = root.find(f".//{{{SOAP_NS}}}address").get("location")
    assert address == node.url(f"/stuf/bg0310/{porttype}")
    locations = [e.get("schemaLocation") for e in root.iter(f"{{{XS_NS}}}import")]
    assert locations and all(loc.startswith(node.url("/xsd/")) for loc in locations)
    with node.client() as client:
        for location in locations:
            assert client.get(location).status_code == 200


def test_xsd_path_traversal_refused(node):
    with node.client() as client:
        assert client.get(node.url("/xsd/../../etc/passwd")).status_code == 404
        assert client.get(node.url("/xsd/%2e%2e/%2e%2e/knoop.toml")).status_code == 404


def _zeep(node, porttype):
    import zeep
    from zeep.transports import Transport

    zeep_compat.apply()
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would silently override verify (LIBRARIES.md)
    session.verify = str(node.pki.ca)
    session.cert = (str(node.pki.cert("afnemer-demo")), str(node.pki.key("afnemer-demo")))
    # No WsAddressingPlugin: the WSDL's wsam:Action makes zeep add To, Action and MessageID itself.
    return zeep.Client(node.url(f"/stuf/bg0310/{porttype}?wsdl"), transport=Transport(session=session))


@pytest.fixture(scope="module")
def zeep_client(node):
    return _zeep(node, "BeantwoordVraag")


def test_zeep_loads_ontvang_asynchroon_wsdl(node):
    client = _zeep(node, "OntvangAsynchroon")
    operations = client.service._binding._operations
    assert {"nnpLk01", "vesLk01", "macLk01"} <= set(operations)
    assert operations["nnpLk01"].soapaction == f"{BG}/nnpLk01"


def test_zeep_loads_wsdl_and_calls_service(node, zeep_client):
    from tests.fixtures.node import nnp_lv01

    service = zeep_client.bind("BeantwoordVraag", "BeantwoordVraag")
    assert service._binding_options["address"] == node.url("/stuf/bg0310/BeantwoordVraag")
    operation = zeep_client.service._binding._operations["nnpLv01"]
    assert operation.soapaction == f"{BG}/nnpLv01"
    with handlers.replaced(f"{{{BG}}}nnpLv01", lambda r: la01_skeleton("NNP", r.stuurgegevens)):
        envelope = zeep_client.create_message(zeep_client.service, "nnpLv01",
                                              _soapheaders=None, **_lv01_kwargs(zeep_client, nnp_lv01()))
        body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        assert body[0].tag == f"{{{BG}}}nnpLv01"
        with zeep_client.settings(raw_response=True):
            response = zeep_client.service.nnpLv01(**_lv01_kwargs(zeep_client, nnp_lv01()))
    assert response.status_code == 200, response.text
    assert b"nnpLa01" in response.content
    assert b"RelatesTo" in response.content  # the WS-A layer answered in kind (WA001)


def _lv01_kwargs(client, element):
    """zeep keyword arguments for an nnpLv01 built as XML: parse it with zeep's own type."""
    xsd_element = client.get_element(f"{{{BG}}}nnpLv01")
    value = xsd_element.parse(element, client.wsdl.types)
    return {name: getattr(value, name) for name in value}
