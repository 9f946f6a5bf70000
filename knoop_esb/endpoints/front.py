"""The outermost WSGI layer: what is not a SOAP call. ``GET /health``, ``GET <service>?wsdl`` and
``GET /xsd/...`` (the WSDL's schemas), 404 for any other path and 405 for anything but POST on a
service address, so the layers inside see SOAP POSTs only. It also starts each request with a clean log context (cheroot reuses threads)."""
from __future__ import annotations

import json

from knoop_esb import __version__, logs, paths
from knoop_esb.config import Config
from knoop_esb.endpoints import wsdl

log = logs.get("knoop_esb.endpoints")


def _respond(start_response, status: str, body: bytes, content_type: str,
             headers: tuple[tuple[str, str], ...] = ()) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers])
    return [body]


def _not_allowed(start_response) -> list[bytes]:
    return _respond(start_response, "405 Method Not Allowed", b"POST a SOAP 1.1 message here, or GET ?wsdl\n",
                    "text/plain; charset=utf-8", (("Allow", "POST, GET, HEAD"),))


def _json(start_response, status: str, payload: dict) -> list[bytes]:
    return _respond(start_response, status, json.dumps(payload).encode(), "application/json")


class WsdlFront:
    def __init__(self, app, config: Config, service_paths: dict[str, str]):
        self.app = app
        self.config = config
        self.service_paths = service_paths  # portType → path
        self.paths = {path: porttype for porttype, path in service_paths.items()}
        self.wsdls = wsdl.find_wsdls(paths.WSDL_DIR)
        self.schema_roots = [paths.schemas_dir(config), paths.XSD_DIR]
        self.health = lambda: health_report(config)

    def base_url(self, environ) -> str:
        if self.config.node.public_url:
            return self.config.node.public_url.rstrip("/")
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        return f"{environ.get('wsgi.url_scheme', 'https')}://{host}"

    def __call__(self, environ, start_response):
        logs.clear_contextvars()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if method in ("GET", "HEAD"):
            if path == "/health":
                report = self.health()
                return _json(start_response, "200 OK" if report["status"] == "ok" else "503 Service Unavailable", report)
            if path in self.paths and query.lower() == "wsdl":
                return self._wsdl(environ, start_response, self.paths[path])
            if path.startswith("/xsd/"):
                return self._schema(start_response, path[len("/xsd/"):])
            if path in self.paths:
                return _not_allowed(start_response)
            return _respond(start_response, "404 Not Found", b"not found\n", "text/plain; charset=utf-8")
        if path not in self.paths:
            return _respond(start_response, "404 Not Found", b"not found\n", "text/plain; charset=utf-8")
        if method != "POST":
            # Refused here so the inner layers (peer, guard, WUS, spyne) only ever see SOAP POSTs.
            return _not_allowed(start_response)
        return self.app(environ, start_response)

    def _wsdl(self, environ, start_response, porttype: str):
        source = self.wsdls.get(porttype)
        if source is None:
            return _respond(start_response, "404 Not Found", f"no WSDL for {porttype} in wsdl/\n".encode(),
                            "text/plain; charset=utf-8")
        body = wsdl.publish(source, self.base_url(environ), self.service_paths[porttype])
        return _respond(start_response, "200 OK", body, "text/xml; charset=utf-8")

    def _schema(self, start_response, relative: str):
        found = wsdl.resolve_schema_file(self.schema_roots, relative)
        if found is None:
            return _respond(start_response, "404 Not Found", b"no such schema\n", "text/plain; charset=utf-8")
        return _respond(start_response, "200 OK", found.read_bytes(), "text/xml; charset=utf-8")


def _schemas_loaded(config: Config) -> bool:
    try:
        from knoop_esb.stuf import schemas

        schemas.registry(paths.schemas_dir(config))
    except Exception as exc:  # any failure means "not loaded"; the reason goes to the log
        log.warning("schemas not loaded", error=str(exc))
        return False
    return True


def _database_reachable(config: Config) -> bool:
    try:
        from sqlalchemy import text

        from knoop_esb.store.db import database

        with database(config).session() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("database not reachable", error=str(exc))
        return False
    return True


def health_report(config: Config) -> dict:
    schemas_loaded = _schemas_loaded(config)
    database_reachable = _database_reachable(config)
    return {
        "status": "ok" if schemas_loaded and database_reachable else "degraded",
        "version": __version__,
        "schemas_loaded": schemas_loaded,
        "database_reachable": database_reachable,
    }
