"""Requests take turns at the Python work of a worker process; a request waiting on the network
gives up its turn meanwhile.

Why: a worker's threads share one GIL. lxml (parse, c14n, serialise), RSA and SQLite let go of it
for every call, about thirty times per signed message, and with eight requests in flight each
let-go hands the GIL to another thread and back. Measured in one process, 8 threads against 1:
107 context switches and +2.2 ms CPU per signed answer (4.3 -> 6.5 ms), +0.9 ms per unsigned one.
The threads are still needed, for requests that wait on KVK or an upstream node; those wait
outside their turn (:func:`waiting_elsewhere`, used where the routing chain waits for a remote
source), so a slow KVK never holds up answers from the store. A request's body is read from the
client before it takes its turn, and its answer is sent after, so a slow client holds up only
itself.

``node.active_requests`` turns per worker; 0 switches the limit off (every thread at once).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["Turns", "waiting_elsewhere"]

_held = threading.local()  # the Turns whose turn this thread holds, if any


class Turns:
    """At most ``count`` requests of this process run at one time (0: no limit). As WSGI
    middleware, :meth:`wsgi` holds a turn while the application computes its answer; the body is
    sent to the client after the turn is given back."""

    def __init__(self, count: int):
        if count < 0:
            raise ValueError(f"turns must be 0 (no limit) or more, got {count}")
        self._semaphore = threading.BoundedSemaphore(count) if count else None

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self._semaphore is None or getattr(_held, "turns", None) is not None:
            yield  # no limit, or this thread already has a turn (a nested application)
            return
        self._semaphore.acquire()
        _held.turns = self
        try:
            yield
        finally:
            _held.turns = None
            self._semaphore.release()

    def wsgi(self, app, *, read_ahead: Callable[[dict], None] | None = None):
        """``app`` in turns; ``read_ahead(environ)`` runs before the turn is taken (the node reads a
        request's body there: a client that sends slowly holds up only its own request)."""
        if self._semaphore is None:
            return app

        def in_turn(environ, start_response):
            if read_ahead is not None:
                read_ahead(environ)
            with self.turn():
                result = app(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return in_turn


@contextmanager
def waiting_elsewhere() -> Iterator[None]:
    """Around a wait on the network: the thread's turn, if it holds one, goes to another request
    and is taken back afterwards."""
    turns = getattr(_held, "turns", None)
    if turns is None:
        yield
        return
    _held.turns = None
    turns._semaphore.release()
    try:
        yield
    finally:
        turns._semaphore.acquire()
        _held.turns = turns
