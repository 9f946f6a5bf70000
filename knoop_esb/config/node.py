from dataclasses import dataclass
from pathlib import Path

from knoop_esb.config.loader import ConfigError, doc, section


@section("node")
@dataclass(frozen=True)
class NodeConfig:
    """The node itself: its identity on Digikoppeling and where it keeps its files."""

    oin: str = doc("The node's own OIN (20 characters); used as zender/organisatie.", default="00000099000000000000")
    applicatie: str = doc("StUF applicatie code of the node in stuurgegevens.", default="KNOOP")
    data_dir: Path = doc("Directory for the SQLite store, installed schemas, PKI and logs.", default=Path("var"))
    host: str = doc("Address the HTTPS server binds to.", default="127.0.0.1")
    port: int = doc("Port the HTTPS server listens on.", default=8443)
    public_url: str = doc("Base URL as afnemers reach it (used in WSDL soap:address and wsa:To checks); empty = https://host:port.", default="")
    max_message_bytes: int = doc("Largest request body accepted; larger ones are refused with Fo02 StUF055.", default=5_000_000)
    threads: int = doc("Worker threads of the HTTPS server (per worker process).", default=16)
    active_requests: int = doc("Requests per worker process doing their Python work at one time; the others wait their turn, "
                               "and a request waiting on KVK or an upstream node gives up its turn meanwhile "
                               "(fewer threads fighting over one GIL: docs/serving.md). 0 = no limit (all `threads`).", default=1)
    workers: int = doc("Server processes sharing the port (SO_REUSEPORT), supervised by `knoop-esb serve`; "
                       "0 = two per CPU core (evens out SO_REUSEPORT's hash spread of keep-alive connections), 1 = a single process.", default=0)

    @property
    def worker_count(self) -> int:
        """``workers`` with 0 resolved to two per CPU core.

        SO_REUSEPORT hands connections to workers by a hash, not by load: with one worker per core a
        few busy keep-alive afnemers can land on one worker while the other idles (measured: at 400
        answers/s from 32 clients p99 112 ms with 2 workers, 30 ms with 4, on 2 cores; docs/benchmarks.md).
        Two per core lets the OS scheduler even that out."""
        import os

        return self.workers or 2 * (os.cpu_count() or 1)

    def validate(self, config) -> None:
        from knoop_esb.digikoppeling import oin

        if not oin.is_valid(self.oin):
            raise ConfigError("node.oin", f"must be a 20-character OIN, got {self.oin!r}")
        if not 0 < self.port < 65536:
            raise ConfigError("node.port", f"must be between 1 and 65535, got {self.port}")
        if self.workers < 0:
            raise ConfigError("node.workers", f"must be 0 (two per CPU core) or more, got {self.workers}")
        if self.active_requests < 0:
            raise ConfigError("node.active_requests", f"must be 0 (no limit) or more, got {self.active_requests}")
