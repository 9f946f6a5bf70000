"""The built-in KVK test source: a real HTTP server speaking KVK's paths, parameters, JSON shapes,
headers and error bodies (kvk/FACTS.md), from :mod:`knoop_esb.kvktest.dataset`. Its URL layout
mirrors ``https://api.kvk.nl/test`` (``<base>/api/v2/zoeken``, ``<base>/api/v1/basisprofielen/…``,
``<base>/api/v1/abonnementen/…``; a leading ``/test`` is accepted too), so the KVK client needs
only its base URL and the public test key.

Admin endpoints (no apikey): ``/_faults`` (see :mod:`faults`) and ``/_stats`` (requests per path).
"""
from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from knoop_esb import logs
from knoop_esb.kvktest import render, zoeken
from knoop_esb.kvktest.dataset import Dataset, dataset
from knoop_esb.kvktest.faults import HEADER, KINDS, SLOW, FaultRegistry, valid_kind
from knoop_esb.kvktest.mutaties import Mutatieservice, MutatieFout

TEST_API_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
API_VERSIONS = {"zoeken": "2.1.0", "basisprofielen": "1.5.0", "vestigingsprofielen": "1.4.0",
                "naamgevingen": "1.0.0", "abonnementen": "1.0.9"}
HAL = "application/hal+json"
TEKST = {"IPD0004": "Het KvK nummer {0} is niet valide.",
         "IPD0005": "Op basis van het KVK-nummer {0} kan het product niet worden geleverd.",
         "IPD0006": "Het vestigingsnummer {0} is niet valide.",
         "IPD0007": "Op basis van het vestigingsnummer {0} kan het product niet worden geleverd.",
         "IPD1002": "De gegevens zijn tijdelijk niet leverbaar omdat deze in behandeling zijn. Probeer het later nog eens.",
         "IPD1003": "De gegevens zijn tijdelijk niet leverbaar. Probeer het over 5 minuten nog een keer.",
         "IPD9999": "Algemene technische fout.",
         "IPD0001": "Het gevraagde product {0} bestaat niet"}
ROUTES = [
    (re.compile(r"^/api/v2/zoeken$"), "zoeken"),
    (re.compile(r"^/api/v1/basisprofielen/([^/]+)$"), "basisprofiel"),
    (re.compile(r"^/api/v1/basisprofielen/([^/]+)/(eigenaar|hoofdvestiging|vestigingen)$"), "basisprofiel_deel"),
    (re.compile(r"^/api/v1/vestigingsprofielen/([^/]+)$"), "vestigingsprofiel"),
    (re.compile(r"^/api/v1/naamgevingen/kvknummer/([^/]+)$"), "naamgeving"),
    (re.compile(r"^/api/v1/abonnementen$"), "abonnementen"),
    (re.compile(r"^/api/v1/abonnementen/([^/]+)$"), "signalen"),
    (re.compile(r"^/api/v1/abonnementen/([^/]+)/signalen/([^/]+)$"), "signaal"),
]
log = logs.get("knoop_esb.kvktest")


class KvkFoutAntwoord(Exception):
    def __init__(self, status: int, code: str, *args: str):
        super().__init__(code)
        self.status, self.code = status, code
        self.omschrijving = TEKST.get(code, code).format(*args)


class KvkTestServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, *, api_keys=(), data: Dataset | None = None, seed: str = "knoop",
                 signaal_interval: float = 30.0, clock=None, ssl_context=None):
        super().__init__(address, KvkHandler)
        if ssl_context is not None:
            # Handshake in the handler thread, so one stalled client cannot block accept().
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        self.scheme = "https" if ssl_context is not None else "http"
        self.data = data or dataset()
        self.api_keys = {TEST_API_KEY, *(k for k in api_keys if k)}
        self.mutaties = Mutatieservice(self.data, seed=seed, interval=signaal_interval, clock=clock)
        self.faults = FaultRegistry()
        self.stats: Counter[str] = Counter()
        self.stats_lock = threading.Lock()


    @property
    def data(self) -> Dataset:
        return self._data

    @data.setter
    def data(self, data: Dataset) -> None:
        # Tests change the companies KVK knows while the server runs; the signals' world answers the
        # profile calls, so it must see the same companies.
        self._data = data
        mutaties = getattr(self, "mutaties", None)
        if mutaties is not None:
            mutaties.data = mutaties.wereld.data = data

    def handle_error(self, request, client_address) -> None:
        # A client that refuses our certificate or hangs up mid-request is part of the tests.
        log.debug("kvktest.verbinding_afgebroken", client=str(client_address))


class KvkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body as one write, no Nagle: otherwise every keep-alive answer waits ~40 ms
    # for a delayed ACK.
    disable_nagle_algorithm = True
    wbufsize = -1
    server: KvkTestServer

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format, *args) -> None:      # noqa: A002 - stdlib signature
        log.debug("kvktest.verzoek", regel=format % args)

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, status: int, body: object, content_type: str = HAL, api: str | None = None,
              extra: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if api:
                self.send_header("api-version", API_VERSIONS[api])
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True     # the client gave up (a timeout test); nothing to do

    def _fout(self, status: int, code: str, omschrijving: str, api: str | None, extra=None) -> None:
        self._send(status, {"fout": [{"code": code, "omschrijving": omschrijving}]}, "application/json", api, extra)

    def _problem(self, status: int, title: str, detail: str) -> None:
        self._send(status, {"type": "about:blank", "title": title, "status": status, "detail": detail,
                            "instance": urlsplit(self.path).path}, "application/problem+json", "abonnementen")

    def _path(self) -> tuple[str, str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        path, prefix = parts.path, ""
        if path.startswith("/test/"):
            path, prefix = path[len("/test"):], "/test"
        base = f"{self.server.scheme}://{self.headers.get('Host', '%s:%s' % self.server.server_address[:2])}{prefix}"
        return path, base, parse_qs(parts.query, keep_blank_values=False)

    # -- HTTP verbs ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        path, base, query = self._path()
        if path.startswith("/_"):
            return self._admin_get(path)
        with self.server.stats_lock:
            self.server.stats[path] += 1
        api = _api_of(path)
        if self.headers.get("apikey") not in self.server.api_keys:
            if api == "abonnementen":
                return self._problem(401, "Unauthorized", "Geen of onjuiste apikey aangeleverd")
            return self._fout(401, "401", "Geen of onjuiste apikey aangeleverd", api)
        if not _accepts_json(self.headers.get("Accept")):
            return self._fout(406, "406", "Opgegeven Accept header wordt niet ondersteund", api)
        asked = self.headers.get(HEADER)
        if asked and not valid_kind(asked):
            # a typo in a test's fault header must fail loudly, not leave the client waiting for an answer
            return self._send(400, {"error": f"unknown {HEADER} {asked!r}; known: {', '.join(KINDS)}, slow:<seconds>"},
                              "application/json")
        kind = asked or self.server.faults.take(path)
        if kind and self._fault(kind, api):
            return
        try:
            self._route(path, base, query, api)
        except KvkFoutAntwoord as exc:
            self._fout(exc.status, exc.code, exc.omschrijving, api)
        except zoeken.ZoekFout as exc:
            self._fout(exc.status, exc.code, exc.omschrijving, api)
        except MutatieFout as exc:
            self._problem(exc.status, exc.title, exc.detail)

    def do_POST(self) -> None:
        path, _, _ = self._path()
        if path != "/_faults":
            return self._fout(405, "IPD1998", "Algemene invoer parameter fout.", None)
        try:
            spec = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            fault = self.server.faults.arm(str(spec.get("path", "*")), str(spec.get("kind", "")),
                                           spec.get("count", 1))
        except (ValueError, TypeError, AttributeError) as exc:
            return self._send(400, {"error": str(exc)}, "application/json")
        self._send(201, fault.as_dict(), "application/json")

    def do_DELETE(self) -> None:
        path, _, _ = self._path()
        if path == "/_faults":
            self.server.faults.clear()
        elif path == "/_stats":
            with self.server.stats_lock:
                self.server.stats.clear()
        else:
            return self._fout(405, "IPD1998", "Algemene invoer parameter fout.", None)
        self._send(204, b"", "application/json")

    def _admin_get(self, path: str) -> None:
        if path == "/_faults":
            return self._send(200, self.server.faults.list(), "application/json")
        if path == "/_stats":
            with self.server.stats_lock:
                return self._send(200, {"requests": dict(self.server.stats)}, "application/json")
        self._send(404, {"error": "unknown admin path"}, "application/json")

    def _fault(self, kind: str, api: str | None) -> bool:
        """Apply an injected fault; True when it answered the request itself."""
        slow = SLOW.match(kind)
        if slow:
            time.sleep(float(slow.group(1)))
            return False
        if kind == "reset":
            self.close_connection = True
            return True
        if kind == "429":
            self._fout(429, "429", "Too Many Requests", api, {"Retry-After": "1"})
        elif kind == "503-IPD1002":
            self._fout(503, "IPD1002", TEKST["IPD1002"], api)
        elif kind == "404-IPD1003":
            self._fout(404, "IPD1003", TEKST["IPD1003"], api)
        elif kind == "500":
            self._fout(500, "IPD9999", TEKST["IPD9999"], api)
        elif kind == "malformed-json":
            self._send(200, b'{"kvkNummer": "6959908', HAL, api)
        return True

    # -- KVK endpoints ------------------------------------------------------------------------
    def _route(self, path: str, base: str, query: dict, api: str | None) -> None:
        geo_data = (query.get("geoData") or ["false"])[0].lower() == "true"
        for pattern, name in ROUTES:
            m = pattern.match(path)
            if m:
                break
        else:
            raise KvkFoutAntwoord(404, "IPD0001", path)
        data, mut = self.server.data, self.server.mutaties
        if name == "zoeken":
            body = zoeken.answer(data, query, base)
        elif name == "basisprofiel":
            body = render.basisprofiel(self._company(m.group(1)), base, geo_data=geo_data)
        elif name == "basisprofiel_deel":
            body = self._deel(self._company(m.group(1)), m.group(2), base, geo_data)
        elif name == "vestigingsprofiel":
            v, c = self._vestiging(m.group(1))
            body = render.vestiging(v, c, base, geo_data=geo_data)
        elif name == "naamgeving":
            body = render.naamgeving(self._company(m.group(1)), base)
        elif name == "abonnementen":
            body = mut.abonnementen()
        elif name == "signalen":
            body = mut.signalen(m.group(1), query)
        else:
            body = mut.detail(m.group(1), m.group(2))
        self._send(200, body, HAL, api)

    def _company(self, kvk_nummer: str):
        if not re.fullmatch(r"[0-9]{8}", kvk_nummer):
            raise KvkFoutAntwoord(400, "IPD0004", kvk_nummer)
        c = self.server.mutaties.wereld.company(kvk_nummer)
        if c is None:
            raise KvkFoutAntwoord(404, "IPD0005", kvk_nummer)
        if c.fout:
            raise KvkFoutAntwoord(c.fout[0], c.fout[1], kvk_nummer)
        return c

    def _vestiging(self, nummer: str):
        if not re.fullmatch(r"[0-9]{12}", nummer):
            raise KvkFoutAntwoord(400, "IPD0006", nummer)
        gevonden = self.server.mutaties.wereld.vestiging(nummer)
        if gevonden is None:
            raise KvkFoutAntwoord(404, "IPD0007", nummer)
        v, c = gevonden
        if c.fout:
            raise KvkFoutAntwoord(c.fout[0], c.fout[1], nummer)
        return v, c

    def _deel(self, c, deel: str, base: str, geo_data: bool) -> dict:
        if deel == "eigenaar":
            return render.eigenaar(c, base, geo_data=geo_data)
        if deel == "vestigingen":
            return render.vestiging_lijst(c, base)
        if c.hoofdvestiging is None:
            raise KvkFoutAntwoord(404, "IPD0005", c.kvk_nummer)
        return render.vestiging(c.hoofdvestiging, c, base, geo_data=geo_data)


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    types = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return bool(types & {"*/*", "application/*", "application/json", "application/hal+json"})


def _api_of(path: str) -> str | None:
    parts = path.split("/")
    return parts[3] if len(parts) > 3 and parts[3] in API_VERSIONS else None


def make_server(host: str = "127.0.0.1", port: int = 0, **options) -> KvkTestServer:
    return KvkTestServer((host, port), **options)


def start_in_thread(host: str = "127.0.0.1", port: int = 0, **options):
    """Serve in a daemon thread; returns ``(base_url, stop)``. ``options``: ``api_keys`` (accepted
    besides the public test key), ``seed`` and ``signaal_interval`` (Mutatieservice), ``clock``,
    ``ssl_context`` (serve HTTPS, to test the client's TLS trust)."""
    server = make_server(host, port, **options)
    thread = threading.Thread(target=server.serve_forever, name="kvk-testserver", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    base_url = f"{server.scheme}://{bound_host}:{bound_port}"
    log.info("kvktest.gestart", base_url=base_url)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return base_url, stop
