"""The request pipeline of the running node over real mTLS: bad input always gets a StUF
foutbericht in a SOAP Fault (never a 500 with a traceback), in the order StUF reports faults."""
from __future__ import annotations

import httpx
import pytest
from lxml import etree

from knoop_esb.endpoints import handlers
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF
from tests.fixtures.node import fault_code, nnp_lv01, soap_envelope, soap_post, wait_for_log
from tests.fixtures.stuf import la01_skeleton

BV = "/stuf/bg0310/BeantwoordVraag"
OA = "/stuf/bg0310/OntvangAsynchroon"
NNP_LV01 = f"{{{BG}}}nnpLv01"
ACTION = f"{BG}/nnpLv01"


def la01_handler(request):
    return la01_skeleton("NNP", request.stuurgegevens)


@pytest.fixture(scope="module")
def small_node(node_factory):
    """A node that accepts at most 4000 bytes per request."""
    return node_factory(node={"max_message_bytes": 4000})


def post(node, envelope: bytes, path: str = BV, cert: str = "afnemer-demo", action: str = ACTION):
    with node.client(cert) as client:
        return soap_post(client, node.url(path), envelope, action)


def _no_traceback(response: httpx.Response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_WW001_answer_is_soap11_with_body_element_unwrapped(node):
    with handlers.replaced(NNP_LV01, la01_handler):
        response = post(node, soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    body = root.find(f"{{{SOAP11_ENV}}}Body")
    assert [child.tag for child in body] == [f"{{{BG}}}nnpLa01"]
    assert body[0].findtext(f"{{{BG}}}stuurgegevens/{{{STUF}}}berichtcode") == "La01"


def test_handler_gets_whole_body_and_peer(node):
    seen = {}

    def handler(request):
        seen.update(tag=request.body.tag, children=[etree.QName(c).localname for c in request.body],
                    peer=request.peer, refnr=request.stuurgegevens.referentienummer, porttype=request.porttype)
        return la01_skeleton("NNP", request.stuurgegevens)

    with handlers.replaced(NNP_LV01, handler):
        response = post(node, soap_envelope(nnp_lv01(referentienummer="ref-peer-1"), to=node.url(BV)))
    assert response.status_code == 200, response.text
    assert seen["tag"] == NNP_LV01
    assert seen["children"] == ["stuurgegevens", "parameters", "gelijk", "scope"]
    assert (seen["peer"].oin, seen["peer"].profiel, seen["peer"].via) == ("00000099000000000001", "2W-be", "tls")
    assert seen["refnr"] == "ref-peer-1" and seen["porttype"] == "BeantwoordVraag"


def test_request_and_answer_trees_are_freed_when_the_request_ends(node):
    """spyne's request context is a reference cycle; the node drops the trees it holds when it
    closes, so they do not wait for the cycle collector."""
    import gc

    def tags(objects):
        return {getattr(o, "tag", None) for o in objects if type(o).__name__ == "_Element"}

    gc.collect()
    gc.disable()
    try:
        with handlers.replaced(NNP_LV01, la01_handler):
            response = post(node, soap_envelope(nnp_lv01(), to=node.url(BV)))
        assert response.status_code == 200, response.text
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = tags(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not left & {NNP_LV01, f"{{{BG}}}nnpLa01", f"{{{SOAP11_ENV}}}Envelope", f"{{{SOAP11_ENV}}}Body"}


@pytest.mark.parametrize("payload", [
    b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'><soapenv:Body>",
    b"this is not XML at all",
    b"",
])
def test_WW001_malformed_xml_is_Fo02_StUF055(node, payload):
    response = post(node, payload)
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    _no_traceback(response)


def test_XXE_is_refused_with_StUF055_and_not_resolved(node):
    payload = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
               b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
               b'<soapenv:Body><x>&xxe;</x></soapenv:Body></soapenv:Envelope>')
    response = post(node, payload)
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    assert "root:" not in response.text


def test_oversize_request_is_StUF055(small_node):
    envelope = soap_envelope(nnp_lv01(), to=small_node.url(BV))
    padded = envelope.replace(b"<soapenv:Body>", b"<!--" + b"x" * 5000 + b"--><soapenv:Body>")
    response = post(small_node, padded)
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
    assert "groter dan toegestaan" in response.text


def test_WW003_two_body_elements_is_StUF055(node):
    envelope = etree.fromstring(soap_envelope(nnp_lv01(), to=node.url(BV)))
    envelope.find(f"{{{SOAP11_ENV}}}Body").append(nnp_lv01())
    response = post(node, etree.tostring(envelope))
    assert fault_code(response) == ("Fo02Bericht", "StUF055")


def test_schema_invalid_body_is_StUF055(node):
    lv01 = nnp_lv01()
    lv01.find(f"{{{BG}}}gelijk").append(etree.Element(f"{{{BG}}}bestaatNiet"))
    with handlers.replaced(NNP_LV01, la01_handler):
        response = post(node, soap_envelope(lv01, to=node.url(BV)))
    assert fault_code(response) == ("Fo02Bericht", "StUF055")


def test_unknown_body_element_is_StUF025(node):
    # npsLv02 (an asynchronous vraag): no handler on BeantwoordVraag. onbekendLv01 has one (routing.handlers).
    body = etree.Element(f"{{{BG}}}npsLv02")
    etree.SubElement(etree.SubElement(body, f"{{{BG}}}stuurgegevens"), f"{{{STUF}}}berichtcode").text = "Lv02"
    response = post(node, soap_envelope(body, to=node.url(BV)), action=f"{BG}/npsLv02")
    assert fault_code(response) == ("Fo02Bericht", "StUF025")


def test_zender_other_than_peer_oin_is_StUF052(node, captured_logs):
    with handlers.replaced(NNP_LV01, la01_handler):
        response = post(node, soap_envelope(nnp_lv01("00000099000000000002"), to=node.url(BV)))
    assert fault_code(response) == ("Fo02Bericht", "StUF052")
    wait_for_log(captured_logs, event="request refused", code="StUF052")


def test_handler_stuffout_becomes_Fo02(node):
    def refuse(request):
        raise StufFout(foutcodes.STUF064, details="geen NNP met dit RSIN")

    with handlers.replaced(NNP_LV01, refuse):
        response = post(node, soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert response.status_code == 500
    assert fault_code(response) == ("Fo02Bericht", "StUF064")
    fault = etree.fromstring(response.content).find(f".//{{{SOAP11_ENV}}}Fault")
    prefix, local = fault.findtext("faultcode").split(":")
    assert (fault.nsmap[prefix], local) == (SOAP11_ENV, "Server")  # a QName that resolves
    assert fault.find("faultactor") is None


def test_unexpected_exception_is_StUF058_with_traceback_only_in_log(node, captured_logs):
    def crash(request):
        raise RuntimeError("secret internal detail")

    with handlers.replaced(NNP_LV01, crash):
        response = post(node, soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert fault_code(response) == ("Fo02Bericht", "StUF058")
    assert "secret internal detail" not in response.text
    _no_traceback(response)
    event = wait_for_log(captured_logs, event="request failed")
    assert event.get("exc_info")


def test_invalid_outgoing_answer_is_StUF058_and_logged_as_defect(node, captured_logs):
    def bad_answer(request):
        answer = la01_skeleton("NNP", request.stuurgegevens)
        answer.append(etree.Element(f"{{{BG}}}nietInHetSchema"))
        return answer

    with handlers.replaced(NNP_LV01, bad_answer):
        response = post(node, soap_envelope(nnp_lv01(), to=node.url(BV)))
    assert fault_code(response) == ("Fo02Bericht", "StUF058")
    wait_for_log(captured_logs, event="outgoing message not schema-valid (defect)")


def test_ontvang_asynchroon_refusal_is_Fo03(node):
    body = etree.Element(f"{{{BG}}}onbekendLk01")
    sg = etree.SubElement(body, f"{{{BG}}}stuurgegevens")
    etree.SubElement(sg, f"{{{STUF}}}berichtcode").text = "Lk01"
    etree.SubElement(sg, f"{{{STUF}}}referentienummer").text = "lk-1"
    response = post(node, soap_envelope(body, to=node.url(OA)), path=OA, action=f"{BG}/onbekendLk01")
    assert response.status_code == 500
    assert fault_code(response) == ("Fo03Bericht", "StUF025")
    fo03 = etree.fromstring(response.content).find(f".//{{{STUF}}}Fo03Bericht")
    assert fo03.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}crossRefnummer") == "lk-1"


def test_log_lines_carry_referentienummer_and_message_id(node, captured_logs):
    with handlers.replaced(NNP_LV01, la01_handler):
        envelope = soap_envelope(nnp_lv01(referentienummer="ref-log-42"), to=node.url(BV),
                                 message_id="urn:uuid:log-test-1")
        assert post(node, envelope).status_code == 200
    event = wait_for_log(captured_logs, event="request answered")
    assert event["referentienummer"] == "ref-log-42"
    assert event["message_id"] == "urn:uuid:log-test-1"
    assert event["afnemer"] == "00000099000000000001"


def test_get_on_service_address_and_unknown_path(node):
    with node.client() as client:
        assert client.get(node.url(BV)).status_code == 405
        assert client.get(node.url("/nope")).status_code == 404
        assert client.post(node.url("/nope"), content=b"<x/>").status_code == 404


def test_other_methods_on_service_address_are_refused_by_the_front(node):
    with node.client() as client:
        for method in ("PUT", "DELETE", "PATCH"):
            response = client.request(method, node.url(BV), content=b"<x/>")
            assert response.status_code == 405 and "POST" in response.headers["allow"]
        assert client.request("PUT", node.url("/nope"), content=b"<x/>").status_code == 404


def test_ontvang_asynchroon_malformed_xml_is_Fo03_StUF055(node):
    response = post(node, b"<niet-af", path=OA, action="")
    assert response.status_code == 500
    assert fault_code(response) == ("Fo03Bericht", "StUF055")
    _no_traceback(response)


@pytest.mark.parametrize("content_type", ["application/soap+xml; charset=utf-8", "application/json", None])
def test_WW001_content_type_other_than_text_xml_is_StUF055(node, content_type):
    headers = {"SOAPAction": f'"{ACTION}"'}
    if content_type:
        headers["Content-Type"] = content_type
    with node.client() as client:
        response = client.post(node.url(BV), content=soap_envelope(nnp_lv01(), to=node.url(BV)), headers=headers)
    assert fault_code(response) == ("Fo02Bericht", "StUF055")


def test_soap_fault_as_request_body_is_StUF055(node):
    fault = etree.Element(f"{{{SOAP11_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soapenv:Client"
    response = post(node, soap_envelope(fault, to=node.url(BV), action=ACTION))
    assert fault_code(response) == ("Fo02Bericht", "StUF055")
