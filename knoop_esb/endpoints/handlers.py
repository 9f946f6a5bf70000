"""The handler registry: which function answers which body element on which service.

A handler is ``handler(request: StufRequest) -> lxml element`` (the answer body element, e.g. a
``BG:nnpLa01`` or ``StUF:Bv03Bericht``); it raises :class:`knoop_esb.stuf.fouten.StufFout` to
refuse. Packages register their handlers at import time in a module named
``knoop_esb.<package>.handlers``; :func:`load_handler_modules` imports every such module that
exists, so wiring a new message into the running node is one ``register`` call.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from lxml import etree

import knoop_esb
from knoop_esb.endpoints.request import StufRequest

Handler = Callable[[StufRequest], etree._Element]

BEANTWOORD_VRAAG = "BeantwoordVraag"
ONTVANG_ASYNCHROON = "OntvangAsynchroon"
PORTTYPES = (BEANTWOORD_VRAAG, ONTVANG_ASYNCHROON)

_registry: dict[tuple[str, str], Handler] = {}
_lock = threading.Lock()


def register(qname: str | etree.QName, handler: Handler, porttype: str = BEANTWOORD_VRAAG) -> Handler:
    """Answer body element ``qname`` (Clark ``{ns}local`` or QName) arriving on ``porttype``."""
    if porttype not in PORTTYPES:
        raise ValueError(f"unknown portType {porttype!r}; known: {', '.join(PORTTYPES)}")
    key = (porttype, etree.QName(qname).text)
    with _lock:
        existing = _registry.get(key)
        if existing is not None and existing is not handler:
            raise ValueError(f"{key[1]} on {porttype} already has handler {existing!r}")
        _registry[key] = handler
    return handler


def lookup(porttype: str, qname: str) -> Handler | None:
    return _registry.get((porttype, qname))


def load_handler_modules() -> list[str]:
    """Import ``knoop_esb.<package>.handlers`` for every package that has one; returns their names."""
    loaded = []
    for info in pkgutil.iter_modules(knoop_esb.__path__):
        if not info.ispkg or info.name == "endpoints":
            continue
        name = f"knoop_esb.{info.name}.handlers"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        loaded.append(name)
    return loaded


@contextmanager
def replaced(qname: str | etree.QName, handler: Handler, porttype: str = BEANTWOORD_VRAAG) -> Iterator[Handler]:
    """Use ``handler`` for ``qname`` while the block runs, then restore what was registered (tests,
    and operators' diagnostics that answer one message differently for a while)."""
    key = (porttype, etree.QName(qname).text)
    with _lock:
        previous = _registry.get(key)
        _registry[key] = handler
    try:
        yield handler
    finally:
        with _lock:
            if previous is None:
                _registry.pop(key, None)
            else:
                _registry[key] = previous
