"""Refusals at the edge of the node are StUF fouten (Fo02 in a SOAP Fault), never a bare HTTP error,
a SOAP library's own fault or a dropped connection (issue 16, item 2)."""
from __future__ import annotations

import http.client

import pytest

from tests.fixtures.node import fault_code

BV = "/stuf/bg0310/BeantwoordVraag"


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
