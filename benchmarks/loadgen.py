"""A cheap HTTPS load generator for the over-the-wire benchmarks, run as its own process
(``python -m benchmarks.loadgen``) so the clients never share a GIL with the server or with the
measuring code.

Why not httpx in threads: at 32 clients httpx's per-request Python work eats most of a core of
the two this machine has, and the benchmark then measures the client. Here every connection is one
thread with a blocking ``ssl`` socket (keep-alive, mutual TLS), sending request bytes prepared
before the clock starts and reading the answer by its Content-Length: a few tens of microseconds of
Python per request, the rest is the GIL-free socket wait.

Input (``--requests FILE``): the prepared HTTP request bodies, each preceded by its length as a
decimal line. Bodies are handed out in order and each is sent once when ``--once`` is given (signed
messages: the node refuses a replayed MessageID); otherwise the list is reused round-robin. The run
ends after ``--seconds`` or when ``--once`` bodies run out. Closed loop by default (each client
sends its next request when the answer is in: maximum throughput, and by Little's law a mean
latency of clients / throughput); ``--rate`` paces all clients together at a fixed offered load
(open loop), latency counted from when a request was due. Output: one JSON object on stdout with
``latencies`` (seconds), ``elapsed`` and ``errors``."""
from __future__ import annotations

import argparse
import json
import socket
import ssl
import sys
import threading
import time
from pathlib import Path


def read_bodies(path: Path) -> list[bytes]:
    data = path.read_bytes()
    bodies, pos = [], 0
    while pos < len(data):
        eol = data.index(b"\n", pos)
        size = int(data[pos:eol])
        bodies.append(data[eol + 1:eol + 1 + size])
        pos = eol + 1 + size
    return bodies


def write_bodies(path: Path, bodies: list[bytes]) -> None:
    with path.open("wb") as out:
        for body in bodies:
            out.write(b"%d\n" % len(body))
            out.write(body)


def request_bytes(host: str, port: int, path: str, body: bytes, soap_action: str) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"SOAPAction: \"{soap_action}\"\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + body


class _Connection:
    def __init__(self, context: ssl.SSLContext, host: str, port: int):
        self.context, self.host, self.port = context, host, port
        self.sock = None
        self.reconnects = -1
        self._connect()

    def _connect(self) -> None:
        if self.sock is not None:
            self.sock.close()
        raw = socket.create_connection((self.host, self.port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        self.buffer = b""
        self.reconnects += 1

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self._connect()  # the server said Connection: close; a new handshake counts in this request
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next((int(line.split(b":", 1)[1]) for line in lines[1:]
                       if line.lower().startswith(b"content-length:")), None)
        if length is None:
            raise RuntimeError(f"answer without Content-Length: {head[:200]!r}")
        while len(rest) < length:
            rest += self._recv()
        self.buffer = rest[length:]
        if any(line.lower().replace(b" ", b"") == b"connection:close" for line in lines[1:]):
            self.sock.close()
            self.sock = None
        return status, rest[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        return chunk

    def _fill(self) -> None:
        self.buffer += self._recv()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


def run(args) -> dict:
    context = ssl.create_default_context(cafile=args.ca)
    context.load_cert_chain(args.cert, args.key)
    bodies = read_bodies(Path(args.requests))
    prepared = [request_bytes(args.host, args.port, args.path, b, args.soap_action) for b in bodies]
    lock = threading.Lock()
    volgende = iter(prepared) if args.once else None
    latencies: list[list[float]] = [[] for _ in range(args.connections)]
    errors: list[str] = []
    connections = [_Connection(context, args.host, args.port) for _ in range(args.connections)]
    start = threading.Barrier(args.connections + 1)
    state = {}

    interval = args.connections / args.rate if args.rate else 0.0

    def loop(i: int) -> None:
        conn, mine, n = connections[i], latencies[i], i
        start.wait()
        stop = state["stop"]
        gepland = state["begun"] + interval * i / args.connections
        try:
            while time.monotonic() < stop:
                if interval:
                    # Open loop: this client's next send is due at ``gepland``; its latency counts
                    # from then, so a server that falls behind is not flattered (no coordinated omission).
                    if gepland >= stop:
                        return
                    wacht = gepland - time.monotonic()
                    if wacht > 0:
                        time.sleep(wacht)
                if volgende is not None:
                    with lock:
                        request = next(volgende, None)
                    if request is None:
                        return
                else:
                    request = prepared[n % len(prepared)]
                    n += args.connections
                begun = gepland if interval else time.monotonic()
                status, answer = conn.exchange(request)
                mine.append(time.monotonic() - begun)
                gepland += interval
                if status != 200 or args.expect.encode() not in answer:
                    raise RuntimeError(f"HTTP {status}: {answer[:400]!r}")
        except Exception as exc:  # a failed request ends this client: reported, not hidden
            errors.append(repr(exc))

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(args.connections)]
    for t in threads:
        t.start()
    begun = state["begun"] = time.monotonic()
    state["stop"] = begun + args.seconds
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begun
    for conn in connections:
        conn.close()
    return {"latencies": [x for lijst in latencies for x in lijst], "elapsed": elapsed, "errors": errors[:3],
            "reconnects": sum(c.reconnects for c in connections)}


def measure(*, port: int, path: str, soap_action: str, ca, cert, key, requests: Path, connections: int,
            seconds: float, once: bool = False, expect: str = "", host: str = "127.0.0.1", rate: float = 0.0) -> dict:
    """Run the generator in its own process; throughput and latency percentiles of that run."""
    import statistics
    import subprocess

    argv = [sys.executable, "-m", "benchmarks.loadgen", "--host", host, "--port", str(port), "--path", path,
            "--soap-action", soap_action, "--ca", str(ca), "--cert", str(cert), "--key", str(key),
            "--requests", str(requests), "--connections", str(connections), "--seconds", str(seconds),
            "--expect", expect, "--rate", str(rate)] + (["--once"] if once else [])
    done = subprocess.run(argv, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                          timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    alle = sorted(result["latencies"])
    if result["errors"] or not alle:
        raise RuntimeError(f"benchmark requests failed: {result['errors'][:1]}")
    return {"clients": connections, **({"offered_per_s": rate} if rate else {}), "requests_per_s": round(len(alle) / result["elapsed"], 1),
            "p50_ms": round(statistics.median(alle) * 1000, 2),
            "p99_ms": round(alle[min(len(alle) - 1, int(len(alle) * 0.99))] * 1000, 2), "requests": len(alle),
            "reconnects": result["reconnects"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loadgen")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--soap-action", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="requests/s of all clients together, evenly paced (open loop); 0 = as fast as answered")
    parser.add_argument("--expect", default="")
    json.dump(run(parser.parse_args(argv)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
