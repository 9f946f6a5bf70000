"""The node's cheroot connection: an answer the client did not take leaves nothing for the garbage
collector to flush (on Python 3.13 that flush is an "Exception ignored" traceback on stderr)."""
from __future__ import annotations

import gc
import socket
import sys
import types

from knoop_esb.endpoints.server import _Connection

NO_PEERCREDS = types.SimpleNamespace(peercreds_enabled=False, peercreds_resolve_enabled=False)


def test_a_connection_whose_client_left_closes_without_an_unraisable_error(monkeypatch):
    caught = []
    monkeypatch.setattr(sys, "unraisablehook", caught.append)
    ours, theirs = socket.socketpair()
    connection = _Connection(NO_PEERCREDS, ours)
    theirs.close()  # the client is gone before its answer is written
    try:
        connection.wfile.write(b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 1000)
    except OSError:
        pass  # cheroot's request handler sees this and closes the connection
    connection.close()
    assert connection.wfile.closed
    assert ours.fileno() == -1  # the descriptor is released now, not when the GC gets to it
    del connection
    gc.collect()
    assert caught == []


def test_the_node_serves_with_that_connection(node):
    assert node.server._server.ConnectionClass is _Connection
    with node.client() as client:
        assert client.get(node.url("/health")).status_code == 200
