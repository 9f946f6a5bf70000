"""Refusals at the edge of the node are StUF fouten (Fo02 in a SOAP Fault), never a bare HTTP error,
a SOAP library's own fault or a dropped connection (issue 16, item 2)."""
from __future__ import annotations

import http.client

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV
from tests.fixtures.node import fault_code, nnp_lv01, soap_envelope, soap_post, wait_for_log

BV = "/stuf/bg0310/BeantwoordVraag"
NNP_ACTION = f"{BG}/nnpLv01"


class _Answer:
    """What ``fault_code`` reads from an httpx response, from an http.client one."""

    def __init__(self, response: http.client.HTTPResponse):
        self.status_code = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.content = response.read()
        self.text = self.content.decode("utf-8", "replace")


def _send_headers(node, headers: dict[str, str], body: bytes = b"") -> tuple[_Answer, http.client.HTTPSConnection]:
    """A POST whose headers say what the test wants (http.client sends them as given)."""
    connection = http.client.HTTPSConnection("127.0.0.1", node.server.port, timeout=20,
                                             context=node.pki.client_context("afnemer-demo"))
    connection.putrequest("POST", BV, skip_accept_encoding=True)
    for name, value in {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', **headers}.items():
        connection.putheader(name, value)
    connection.endheaders(body or None)
    return _Answer(connection.getresponse()), connection


@pytest.mark.parametrize("length", ["-5", "-1"])
def test_a_negative_content_length_is_StUF055(node, length):
    answer, connection = _send_headers(node, {"Content-Length": length})
    connection.close()
    assert answer.status_code == 500
    assert fault_code(answer) == ("Fo02Bericht", "StUF055")
    assert "negatief" in answer.text


def test_a_declared_100_GB_body_is_refused_from_its_headers_and_the_connection_closed(node):
    # Nothing of the body is sent: the answer must come from the headers alone, and the node must
    # not try to read 100 GB to keep the connection alive.
    answer, connection = _send_headers(node, {"Content-Length": str(100 * 1000**3), "Connection": "keep-alive"})
    try:
        assert answer.status_code == 413
        assert fault_code(answer) == ("Fo02Bericht", "StUF055")
        assert "groter dan toegestaan" in answer.text
        assert answer.headers.get("connection") == "close"
    finally:
        connection.close()
    with node.client() as client:  # and the node goes on answering
        assert client.get(node.url("/health")).status_code == 200


@pytest.fixture(scope="module")
def roomy_node(node_factory):
    return node_factory(node={"max_message_bytes": 4_000_000})


def _post(node, envelope: bytes):
    with node.client() as client:
        return soap_post(client, node.url(BV), envelope, action=NNP_ACTION)


def test_a_message_over_spynes_own_2_MiB_within_max_message_bytes_is_served(roomy_node):
    envelope = soap_envelope(nnp_lv01(), to=roomy_node.url(BV))
    padded = envelope.replace(b"<soapenv:Body>", b"<!--" + b"x" * (2_500_000) + b"--><soapenv:Body>")
    assert 2 * 1024 * 1024 < len(padded) < 4_000_000
    plain, big = _post(roomy_node, envelope), _post(roomy_node, padded)
    assert b"RequestTooLong" not in big.content
    assert big.status_code == plain.status_code
    assert _body_element(big) == _body_element(plain)


def test_xsi_type_on_the_body_is_a_Fo02_StUF055_not_spynes_fault(node, captured_logs):
    envelope = soap_envelope(nnp_lv01(), to=node.url(BV)).replace(
        b"<BG:nnpLv01 ", b'<BG:nnpLv01 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                         b'xmlns:xs="http://www.w3.org/2001/XMLSchema" xsi:type="xs:string" ')
    response = _post(node, envelope)
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    assert etree.fromstring(response.content).findtext(".//faultcode").endswith("Client")
    wait_for_log(captured_logs, event="request refused", code="StUF055", spyne_fault="Client.ValidationError")


def _body_element(response) -> str:
    body = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")
    return etree.QName(body[0]).localname
