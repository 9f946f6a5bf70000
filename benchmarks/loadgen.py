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
ends after ``--seconds`` or when ``--once`` bodies run out. Output: one JSON object on stdout with
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
        raw = socket.create_connection((host, port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
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
        return status, rest[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        return chunk

    def _fill(self) -> None:
        self.buffer += self._recv()

    def close(self) -> None:
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

    def loop(i: int) -> None:
        conn, mine, n = connections[i], latencies[i], i
        start.wait()
        stop = state["stop"]
        try:
            while time.monotonic() < stop:
                if volgende is not None:
                    with lock:
                        request = next(volgende, None)
                    if request is None:
                        return
                else:
                    request = prepared[n % len(prepared)]
                    n += args.connections
                begun = time.perf_counter()
                status, answer = conn.exchange(request)
                mine.append(time.perf_counter() - begun)
                if status != 200 or args.expect.encode() not in answer:
                    raise RuntimeError(f"HTTP {status}: {answer[:400]!r}")
        except Exception as exc:  # a failed request ends this client: reported, not hidden
            errors.append(repr(exc))

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(args.connections)]
    for t in threads:
        t.start()
    state["stop"] = time.monotonic() + args.seconds
    begun = time.monotonic()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - begun
    for conn in connections:
        conn.close()
    return {"latencies": [x for lijst in latencies for x in lijst], "elapsed": elapsed, "errors": errors[:3]}


def measure(*, port: int, path: str, soap_action: str, ca, cert, key, requests: Path, connections: int,
            seconds: float, once: bool = False, expect: str = "", host: str = "127.0.0.1") -> dict:
    """Run the generator in its own process; throughput and latency percentiles of that run."""
    import statistics
    import subprocess

    argv = [sys.executable, "-m", "benchmarks.loadgen", "--host", host, "--port", str(port), "--path", path,
            "--soap-action", soap_action, "--ca", str(ca), "--cert", str(cert), "--key", str(key),
            "--requests", str(requests), "--connections", str(connections), "--seconds", str(seconds),
            "--expect", expect] + (["--once"] if once else [])
    done = subprocess.run(argv, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                          timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    alle = sorted(result["latencies"])
    if result["errors"] or not alle:
        raise RuntimeError(f"benchmark requests failed: {result['errors'][:1]}")
    return {"clients": connections, "requests_per_s": round(len(alle) / result["elapsed"], 1),
            "p50_ms": round(statistics.median(alle) * 1000, 2),
            "p99_ms": round(alle[min(len(alle) - 1, int(len(alle) * 0.99))] * 1000, 2), "requests": len(alle)}


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
    parser.add_argument("--expect", default="")
    json.dump(run(parser.parse_args(argv)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
