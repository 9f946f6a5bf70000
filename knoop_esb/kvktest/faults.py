"""Fault injection for the test source: make KVK misbehave on request, the way it does in real
life (429 rate limit, 503 with IPD1002, 500, a slow answer, malformed JSON, a dropped
connection), so the client's retries and error handling are tested over real HTTP.

Arm faults with ``POST /_faults`` ``{"path": "/api/v1/basisprofielen/*", "kind": "429", "count": 2}``
(``count`` null = until ``DELETE /_faults``), or for one request with the header
``X-Kvktest-Fault: <kind>``.
"""
from __future__ import annotations

import fnmatch
import itertools
import re
import threading
from dataclasses import dataclass

KINDS = ("429", "503-IPD1002", "404-IPD1003", "500", "malformed-json", "reset")
SLOW = re.compile(r"^slow:(\d+(?:\.\d+)?)$")
HEADER = "X-Kvktest-Fault"


def valid_kind(kind: str) -> bool:
    return kind in KINDS or bool(SLOW.match(kind))


@dataclass
class Fault:
    id: int
    path: str
    kind: str
    count: int | None

    def as_dict(self) -> dict:
        return {"id": self.id, "path": self.path, "kind": self.kind, "count": self.count}


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def arm(self, path: str, kind: str, count: int | None) -> Fault:
        if not valid_kind(kind):
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}, slow:<seconds>")
        if count is not None and count < 1:
            raise ValueError("count must be >= 1 or null")
        with self._lock:
            fault = Fault(next(self._ids), path or "*", kind, count)
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [f.as_dict() for f in self._faults]

    def take(self, path: str) -> str | None:
        """The kind of the first armed fault matching ``path``, using up one of its count."""
        with self._lock:
            for fault in self._faults:
                if fnmatch.fnmatchcase(path, fault.path):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count == 0:
                            self._faults.remove(fault)
                    return fault.kind
        return None
