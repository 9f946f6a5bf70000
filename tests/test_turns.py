"""knoop_esb.turns: requests take turns at a worker's Python work; a wait on the network is spent
outside the turn (node.active_requests)."""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from knoop_esb.stuf.ns import BG, SOAP11_ENV
from knoop_esb.turns import Turns, waiting_elsewhere
from tests.fixtures.node import soap_envelope, soap_post
from tests.fixtures.vraag import AFNEMER, VRAAG_AFNEMERS, kvk_extra, lv01

PAD = "/stuf/bg0310/BeantwoordVraag"


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_one_turn_at_a_time():
    turns, order, first_in = Turns(1), [], threading.Event()

    def first():
        with turns.turn():
            first_in.set()
            time.sleep(0.2)
            order.append("first done")

    def second():
        first_in.wait(5)
        with turns.turn():
            order.append("second in")

    threads = [_in_thread(first), _in_thread(second)]
    for thread in threads:
        thread.join(5)
    assert order == ["first done", "second in"]


def test_a_wait_elsewhere_gives_the_turn_to_another_request():
    turns, order = Turns(1), []
    waiting, answered = threading.Event(), threading.Event()

    def slow():
        with turns.turn():
            with waiting_elsewhere():
                waiting.set()
                answered.wait(5)  # the network: the other request gets the turn meanwhile
            order.append("slow has its turn back")

    def quick():
        waiting.wait(5)
        with turns.turn():
            order.append("quick computed")
        answered.set()

    threads = [_in_thread(slow), _in_thread(quick)]
    for thread in threads:
        thread.join(5)
    assert order == ["quick computed", "slow has its turn back"]


def test_no_limit_and_nesting():
    app = object()
    assert Turns(0).wsgi(app) is app
    turns = Turns(1)
    with turns.turn():
        with turns.turn():  # a nested application in the same thread does not wait for itself
            with waiting_elsewhere():
                with turns.turn():  # a new turn while waiting elsewhere is taken and given back
                    pass
    with pytest.raises(ValueError):
        Turns(-1)


def test_wsgi_answer_is_computed_in_the_turn_and_closed():
    turns, seen = Turns(1), {}

    class Body:
        def __iter__(self):
            seen["held while iterating"] = not turns._semaphore.acquire(blocking=False)
            yield b"answer"

        def close(self):
            seen["closed"] = True

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body()

    assert turns.wsgi(app)({}, lambda *a: None) == [b"answer"]
    assert seen == {"held while iterating": True, "closed": True}


def test_a_vraag_waiting_on_slow_kvk_does_not_hold_up_answers_from_the_store(node_factory, kvk_testserver,
                                                                              kvk_faults):
    """One turn per process: while a vraag waits 1.5 s on KVK, a vraag the store answers is done."""
    node = node_factory(extra=kvk_extra(kvk_testserver), afnemers=VRAAG_AFNEMERS,
                        node={"active_requests": 1, "workers": 1})
    url = node.url(PAD)

    def ask(kvk_nummer: str):
        with node.client("afnemer-demo") as client:
            envelope = soap_envelope(lv01("MAC", {"kvkNummer": kvk_nummer}), to=url, action=f"{BG}/macLv01",
                                     sender_oin=AFNEMER)
            response = soap_post(client, url, envelope, f"{BG}/macLv01")
        assert response.status_code == 200, response.text
        assert b"<BG:macLa01" in response.content and f"{SOAP11_ENV}".encode() in response.content
        return time.monotonic()

    ask("68750110")  # from KVK into the store
    kvk_faults.arm("slow:1.5", path="*90003942*", count=1)
    done = {}
    slow = _in_thread(lambda: done.setdefault("kvk", ask("90003942")))
    time.sleep(0.4)  # the slow vraag has its turn and waits on KVK
    done["store"] = ask("68750110")
    slow.join(10)
    assert done["store"] < done["kvk"]


def test_a_client_sending_its_body_slowly_holds_up_only_itself(node_factory, kvk_testserver):
    """One turn per process: while one client has sent half its body and waits, a whole vraag from
    another client is answered (the body is read before the turn is taken)."""
    node = node_factory(extra=kvk_extra(kvk_testserver), afnemers=VRAAG_AFNEMERS,
                        node={"active_requests": 1, "workers": 1})
    url = node.url(PAD)
    parts = urlsplit(url)
    body = soap_envelope(lv01("MAC", {"kvkNummer": "68750110"}), to=url, action=f"{BG}/macLv01", sender_oin=AFNEMER)
    head = (f"POST {PAD} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"SOAPAction: \"{BG}/macLv01\"\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    context = node.pki.client_context("afnemer-demo")
    with context.wrap_socket(socket.create_connection((parts.hostname, parts.port)),
                             server_hostname=parts.hostname) as slow:
        slow.sendall(head + body[: len(body) // 2])
        time.sleep(0.3)  # the node has the headers and waits for the rest of the body
        begun = time.monotonic()
        with node.client("afnemer-demo") as client:
            response = soap_post(client, url, body.replace(b"urn:uuid:", b"urn:uuid:1", 1), f"{BG}/macLv01")
        assert response.status_code == 200, response.text
        assert time.monotonic() - begun < 5  # not held up until the slow client times out
        slow.sendall(body[len(body) // 2:])
        slow.settimeout(30)
        answer = b""
        while b"</soapenv:Envelope>" not in answer and b"</SOAP-ENV:Envelope>" not in answer:
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 ")
