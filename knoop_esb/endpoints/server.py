"""The HTTPS server: cheroot with our TLS adapter around the node's WSGI application.

One process, a pool of worker threads (``node.threads``), keep-alive connections (WT007) with an
idle timeout; ``knoop-esb serve`` runs several such processes on one port (``reuse_port``, see
:mod:`knoop_esb.endpoints.workers`). :class:`NodeServer` is used by ``knoop-esb serve`` and by the test fixtures (port 0
= an ephemeral port, read back from :attr:`NodeServer.port`)."""
from __future__ import annotations

import threading

from cheroot import server as cheroot_server
from cheroot import wsgi

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.digikoppeling.tls import LoggingSSLAdapter
from knoop_esb.endpoints.app import build_app

log = logs.get("knoop_esb.server")

IDLE_TIMEOUT_SECONDS = 60
# cheroot keeps at most 10 idle keep-alive connections by default and answers the 11th client with
# "Connection: close": with more afnemers than that each of their requests paid a new mutual-TLS
# handshake. Idle connections cost a file descriptor and a selector entry, not a thread.
KEEP_ALIVE_CONNECTIONS = 1000
SHUTDOWN_TIMEOUT_SECONDS = 5


def _cheroot_error_log(msg: str = "", level: int = 20, traceback: bool = False) -> None:
    """cheroot's own complaints, as structured log lines. Handshake failures are skipped: the TLS
    adapter has already logged them with their reason."""
    if "during handshake" in msg or "TLS handshake" in msg:
        return
    if level >= 40:
        log.error("http server error", detail=msg, exc_info=traceback)
    elif level >= 30:
        log.warning("http server", detail=msg)
    else:
        log.info("http server", detail=msg)


class _Connection(cheroot_server.HTTPConnection):
    """cheroot's connection, closing its write buffer when it closes. cheroot (11.1) leaves that to
    the garbage collector, whose flush of an answer the client did not take (the socket is shut by
    then) Python 3.13 reports as an "Exception ignored in IOBase.__del__" traceback on stderr
    (cherrypy/cheroot #734); 3.11 and 3.12 ignored it silently."""

    def close(self) -> None:
        super().close()
        if not self.linger:  # cheroot's lingering close keeps the socket on purpose
            try:
                self.wfile.close()
            except OSError:
                pass  # the answer's unsent rest: the client has gone, nothing to tell it


def base_url(config: Config, host: str, port: int) -> str:
    """How clients reach a server bound to ``host:port`` (``node.public_url`` when set)."""
    if config.node.public_url:
        return config.node.public_url.rstrip("/")
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"https://{host}:{port}"


class NodeServer:
    def __init__(self, config: Config, app=None, host: str | None = None, port: int | None = None,
                 reuse_port: bool = False):
        self.config = config
        self.host = host if host is not None else config.node.host
        self.app = app if app is not None else build_app(config)
        self._server = wsgi.Server(
            (self.host, config.node.port if port is None else port),
            self.app,
            numthreads=config.node.threads,
            server_name="knoop-esb",
            timeout=IDLE_TIMEOUT_SECONDS,
            shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
            reuse_port=reuse_port,
        )
        self._server.keep_alive_conn_limit = KEEP_ALIVE_CONNECTIONS
        self._server.ConnectionClass = _Connection
        self._server.ssl_adapter = LoggingSSLAdapter(config)
        self._server.error_log = _cheroot_error_log
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.bind_addr[1]

    @property
    def base_url(self) -> str:
        return base_url(self.config, self.host, self.port)

    def prepare(self) -> None:
        """Bind the socket (after this :attr:`port` is the real port)."""
        self._server.prepare()

    def serve(self) -> None:
        """Serve until :meth:`stop` (call :meth:`prepare` first)."""
        self._server.serve()

    def start(self) -> "NodeServer":
        """Bind and serve in a background thread."""
        self.prepare()
        self._thread = threading.Thread(target=self.serve, name="knoop-esb-https", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=SHUTDOWN_TIMEOUT_SECONDS + 5)
            self._thread = None
