"""The ready requests in examples/ (README's quick start sends them with curl) stay answerable:
each is sent as-is to a running node over mutual TLS and gets a schema-valid La01."""
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV, WSA

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*Lv01-*.xml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_request_is_answered(example, vraag_node, schema_registry):
    envelope = etree.fromstring(example.read_bytes())
    body = envelope.find(f"{{{SOAP11_ENV}}}Body")[0]
    operation = etree.QName(body).localname
    # The example addresses the default `make run` node; point wsa:To at the test node instead.
    to = envelope.find(f".//{{{WSA}}}To")
    to.text = to.text.replace("https://127.0.0.1:8443", vraag_node.url("")).replace("//stuf", "/stuf")
    with vraag_node.client() as client:
        response = client.post(vraag_node.url("/stuf/bg0310/BeantwoordVraag"),
                               content=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
                               headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{BG}/{operation}"'})
    assert response.status_code == 200, response.text[:500]
    answer = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    assert etree.QName(answer).localname == operation.replace("Lv01", "La01")
    schema_registry.validate(answer)
    assert answer.findall(f"{{{BG}}}antwoord/{{{BG}}}object"), "the example's company exists in the KVK test source"
