"""Several server processes on one port, supervised by ``knoop-esb serve``.

Why: one Python process runs Python on one core at a time (the GIL), whatever its thread count;
a 2-core machine answers twice the vragen with two processes. Each worker is a complete node
(its own cheroot server, TLS context, compiled schemas, database engine) bound to the same port
with SO_REUSEPORT, so the kernel spreads new connections over them; nothing is shared but the
store. The parent holds the port, starts the workers (forked: the configuration as loaded, incl.
``--with-kvk-testserver``), restarts a worker that dies, forwards SIGTERM/SIGINT and waits for a
clean stop. SIGHUP re-reads the TLS files: the parent checks them and, when they pass, forwards
SIGHUP to every worker, which swaps them in for new connections (:mod:`knoop_esb.digikoppeling.reload`).
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.connection import wait

from knoop_esb import logs
from knoop_esb.config import Config

log = logs.get("knoop_esb.serve")

READY_TIMEOUT_SECONDS = 120
RESTART_DELAY_SECONDS = 1.0


class WorkerStartFailed(RuntimeError):
    """A worker process ended before it served (bad TLS files, port taken, ...)."""


def hold_port(host: str, port: int) -> socket.socket:
    """Check that ``host:port`` is free and keep it for the workers (port 0 → a free port, read it
    from the returned socket). The check binds without SO_REUSEPORT, so a port another
    SO_REUSEPORT server (another node) listens on is refused instead of silently shared."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind((host, port))  # bound, never listening: takes no connections
    return holder


# Allocations of container objects between two young-generation collections. CPython's 700 dates
# from small heaps: a signed vraag allocates thousands (lxml proxies, signxml's dataclasses,
# spyne's contexts), so the collector ran several times per message. Measured in one process
# (same heap, alternating): signed answers -0.02..0.06 ms, unsigned -0.01..0.04 ms.
GC_GEN0_THRESHOLD = 10_000


def settle_heap() -> None:
    """Call when the server is built, before it serves: everything built so far (modules, schemas,
    spyne apps) lives as long as the process, so it leaves the collector's passes (``gc.freeze``,
    which otherwise walked it on every full collection), and young collections run every
    ``GC_GEN0_THRESHOLD`` allocations. Cyclic garbage is still collected, only less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)


def ready_to_serve(config: Config, *, checkpoints: bool):
    """What a serving process does between binding its port and taking its first request (a
    worker, or ``serve`` with one process): build every per-process cache (``warm_up``), start
    the SQLite WAL checkpointer when this process runs it, then settle the heap. Returns the
    checkpointer (None when there is none), so the caller can stop it."""
    from knoop_esb.endpoints.app import warm_up
    from knoop_esb.store.checkpoint import start_for

    warm_up(config)
    checkpointer = start_for(config) if checkpoints else None
    settle_heap()
    return checkpointer


def reload_on_signal(config: Config):
    """A SIGHUP handler that re-reads the TLS files in a thread (a signal handler must not block
    the server loop it interrupts)."""
    from knoop_esb.digikoppeling.reload import reload_tls

    def _reload(_signum, _frame):
        threading.Thread(target=reload_tls, args=(config,), name="knoop-esb-reload", daemon=True).start()

    return _reload


def _worker(config: Config, port: int, ready, number: int) -> None:
    """One worker process: a NodeServer on the shared port until SIGTERM."""
    from knoop_esb.endpoints.server import NodeServer
    from knoop_esb.store.db import reset_instances

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the parent, which stops us
    reset_instances()  # never use a connection inherited from the parent
    server = NodeServer(config, port=port, reuse_port=True)
    server.prepare()
    # One checkpointer per node: worker 0's (the supervisor restarts worker 0 with it).
    ready_to_serve(config, checkpoints=number == 0)

    def _stop(_signum, _frame):
        threading.Thread(target=server.stop, name="knoop-esb-stop", daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, reload_on_signal(config))
    ready.set()
    log.info("worker serving", worker=number)
    server.serve()


class Supervisor:
    """``count`` server workers, plus ``bijprocessen`` (name → ``target(config, ready)``): background
    work such as the delivery worker, supervised and restarted the same way."""

    def __init__(self, config: Config, port: int, count: int, bijprocessen: dict | None = None):
        self.config = config
        self.port = port
        self.count = count
        self.bijprocessen = list((bijprocessen or {}).items())
        self._context = multiprocessing.get_context("fork")
        self._workers: list = [None] * (count + len(self.bijprocessen))
        self._stopping = threading.Event()
        self._reloading = threading.Event()

    def _spawn(self, number: int):
        ready = self._context.Event()
        if number >= self.count:
            naam, target = self.bijprocessen[number - self.count]
            process = self._context.Process(target=target, args=(self.config, ready), name=f"knoop-esb-{naam}",
                                            daemon=False)
            process.start()
            self._workers[number] = process
            return process, ready
        process = self._context.Process(target=_worker, args=(self.config, self.port, ready, number),
                                        name=f"knoop-esb-worker-{number}", daemon=False)
        process.start()
        self._workers[number] = process
        return process, ready

    def start(self) -> None:
        """Start every worker and wait until all serve; WorkerStartFailed when one cannot."""
        started = [self._spawn(n) for n in range(len(self._workers))]
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        for number, (process, ready) in enumerate(started):
            while not ready.wait(0.1):
                if not process.is_alive() or time.monotonic() > deadline:
                    self.stop()
                    raise WorkerStartFailed(f"{process.name} did not start (exit code {process.exitcode}); "
                                            "see the log above")

    def request_stop(self, signum=None, _frame=None) -> None:
        if not self._stopping.is_set():
            log.info("stopping", signal=signal.Signals(signum).name if signum else None, workers=self.count)
            self._stopping.set()

    def request_reload(self, _signum=None, _frame=None) -> None:
        """SIGHUP handler: handled by :meth:`run` (signal handlers must stay short)."""
        self._reloading.set()

    def _forward_reload(self) -> None:
        from knoop_esb.config import ConfigError
        from knoop_esb.digikoppeling.tlscheck import refuse_broken_tls

        self._reloading.clear()
        try:
            refuse_broken_tls(self.config)
        except ConfigError as exc:
            log.error("tls reload refused; keeping the current certificates", key=exc.key, detail=str(exc))
            return
        for process in self._workers:
            if process is not None and process.is_alive():
                os.kill(process.pid, signal.SIGHUP)
        log.info("tls reload forwarded", workers=self.count)

    def run(self) -> None:
        """Supervise until :meth:`request_stop`: a worker that dies is restarted."""
        while not self._stopping.is_set():
            wait([p.sentinel for p in self._workers if p is not None], timeout=0.5)
            if self._reloading.is_set():
                self._forward_reload()
            for number, process in enumerate(self._workers):
                if self._stopping.is_set() or process.is_alive():
                    continue
                log.error("worker died; restarting", worker=number, pid=process.pid, exitcode=process.exitcode)
                process.join()
                time.sleep(RESTART_DELAY_SECONDS)  # a worker that dies at once must not spin the CPU
                if not self._stopping.is_set():
                    self._spawn(number)
        self.stop()

    def stop(self) -> None:
        """SIGTERM every worker, wait for their clean stop, kill what hangs."""
        from knoop_esb.endpoints.server import SHUTDOWN_TIMEOUT_SECONDS

        alive = [p for p in self._workers if p is not None and p.is_alive()]
        for process in alive:
            process.terminate()
        deadline = time.monotonic() + SHUTDOWN_TIMEOUT_SECONDS + 5
        for process in alive:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("worker did not stop; killing it", pid=process.pid)
                process.kill()
                process.join(5)
