"""Re-reading the TLS material of a running node (``kill -HUP``), for certificate and CRL rotation
without downtime: the listening socket stays open, connections in progress keep the material they
were opened with, and every new connection, signature and client-certificate check uses the files
as they are now.

Each holder of loaded material (the TLS adapter's context, the trust store, the WS-Security
signer) registers a callback with :func:`on_reload`; :func:`reload_tls` first checks the files
(parsed, key matching the certificate: :mod:`knoop_esb.digikoppeling.tlscheck`) and calls the
callbacks only when they pass, so a half-copied certificate never replaces a working one.
Callbacks are held weakly: a test's node that is gone drops out by itself.
"""
from __future__ import annotations

import threading
import weakref
from typing import Callable

from knoop_esb import logs
from knoop_esb.config import Config, ConfigError

log = logs.get("knoop_esb.tls")

_lock = threading.Lock()
_callbacks: list[weakref.WeakMethod] = []


def on_reload(method: Callable[[], None]) -> None:
    """Register a bound method to call (with no arguments) when the TLS files are re-read."""
    with _lock:
        _callbacks.append(weakref.WeakMethod(method))


def reload_tls(config: Config) -> bool:
    """Check the configured files and hand them to every holder; False (and the old material
    kept) when they do not pass. Logs one line either way."""
    from knoop_esb.digikoppeling.tlscheck import refuse_broken_tls

    try:
        refuse_broken_tls(config)
    except ConfigError as exc:
        log.error("tls reload refused; keeping the current certificates", key=exc.key, detail=str(exc))
        return False
    with _lock:
        live = [(ref, ref()) for ref in _callbacks]
        _callbacks[:] = [ref for ref, method in live if method is not None]
    failed = 0
    for _, method in live:
        if method is None:
            continue
        try:
            method()
        except Exception as exc:  # one holder failing must not leave the others on old material
            failed += 1
            log.error("tls reload failed for a holder", holder=getattr(method, "__qualname__", "?"), detail=str(exc))
    log.info("tls material reloaded", holders=len([m for _, m in live if m is not None]), failed=failed)
    return failed == 0
