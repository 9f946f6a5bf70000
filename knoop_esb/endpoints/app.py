"""The node's WSGI application, layered exactly as docs/architecture.md draws it (outer → inner):

    Turns            node.active_requests requests of this process compute at one time
    WsdlFront        /health, ?wsdl, /xsd/..., 404/405; clean log context per request
    PeerMiddleware   environ["knoop.peer"]; StUF052 for whom Digikoppeling does not admit
    EnvelopeGuard    size limit, safe parse, SOAP 1.1 envelope with one body element (StUF055)
    WusMiddleware    WS-Addressing / WS-Security per the afnemer's profile
    spyne            StufSoap11 → pipeline → handler registry, per service address
"""
from __future__ import annotations

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.digikoppeling.certificates import TrustStore
from knoop_esb.digikoppeling.identity import PeerResolver
from knoop_esb.digikoppeling.middleware import WusMiddleware
from knoop_esb.digikoppeling.tls import intern_enabled, intern_trust, tls_files
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.faults import foutbericht
from knoop_esb.endpoints.front import WsdlFront
from knoop_esb.endpoints.guard import EnvelopeGuard, read_ahead
from knoop_esb.endpoints.peer import PeerMiddleware
from knoop_esb.endpoints.services import SERVICE_PATHS, spyne_apps
from knoop_esb.stuf import xmlparse
from knoop_esb.turns import Turns

log = logs.get("knoop_esb.endpoints")

_PORTTYPE_BY_PATH = {path: porttype for porttype, path in SERVICE_PATHS.items()}


def porttype_of(path: str) -> str:
    return _PORTTYPE_BY_PATH.get(path, handlers.BEANTWOORD_VRAAG)


class ServiceDispatch:
    """Path → the spyne application of that portType (the front already refused other paths)."""

    def __init__(self, apps: dict):
        self.apps = apps

    def __call__(self, environ, start_response):
        return self.apps[environ.get("PATH_INFO", "")](environ, start_response)


def warm_up(config: Config) -> None:
    """Do before the first request what would otherwise slow it down: compile the official schemas
    and let every handler module build its per-process state (``warm_up(config)`` in
    ``knoop_esb.<package>.handlers``). A missing schema bundle is not fatal here: requests are then
    refused with the clear error the pipeline gives."""
    import importlib

    from knoop_esb import paths
    from knoop_esb.stuf import schemas

    try:
        schemas.registry(paths.schemas_dir(config)).compile_all()
    except schemas.SchemasOntbreken as exc:
        log.warning("schemas not compiled at start", reason=str(exc))
        return
    for name in handlers.load_handler_modules():
        warm = getattr(importlib.import_module(name), "warm_up", None)
        if warm is not None:
            warm(config)


def _afnemers(config: Config):
    """Afnemers from knoop.toml and those added at run time to the store (`knoop-esb afnemers`)."""
    from knoop_esb.afnemers.registry import Registry
    from knoop_esb.store.db import database

    return Registry(config, database(config))


def build_app(config: Config, trust: TrustStore | None = None):
    """The complete WSGI application for ``config``. Raises ConfigError for unusable TLS/afnemer settings."""
    handlers.load_handler_modules()
    if trust is None:
        files = tls_files(config)
        trust = TrustStore(files.trust_anchors, list(files.crl_files))
    inner = ServiceDispatch(spyne_apps(config))
    inner = WusMiddleware(inner, config, trust=trust,
                          foutbericht=lambda fout, porttype: foutbericht(fout, porttype, config))
    inner = EnvelopeGuard(inner, config, porttype_of)
    inner = PeerMiddleware(inner, config, PeerResolver(config, trust, _afnemers(config), intern_trust(config)),
                           basic=intern_enabled(config))
    limit = xmlparse.max_bytes_from(config)
    return Turns(config.node.active_requests).wsgi(WsdlFront(inner, config, SERVICE_PATHS),
                                                   read_ahead=lambda environ: read_ahead(environ, limit))
