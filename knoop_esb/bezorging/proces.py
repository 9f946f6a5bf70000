"""Where the delivery worker runs: a thread (``start_thread``: ``knoop-esb worker``, and ``serve``
with one process) or a process of its own beside the server workers (``proces``: the supervisor of
``serve`` starts and restarts it). In a separate process it takes no turn and no GIL from the
request path."""
from __future__ import annotations

import signal
import threading
from typing import Callable

from knoop_esb import logs

log = logs.get("knoop_esb.bezorging")


def start_thread(config, database=None) -> Callable[[], None]:
    """Start the worker in a daemon thread; returns ``stop()`` (waits for deliveries in flight)."""
    from knoop_esb.bezorging.worker import Bezorger

    stop = threading.Event()
    bezorger = Bezorger(config, database)
    thread = threading.Thread(target=_loop, args=(bezorger, stop), name="knoop-esb-bezorging", daemon=True)
    thread.start()

    def _stop() -> None:
        stop.set()
        thread.join()

    return _stop


def _loop(bezorger, stop: threading.Event) -> None:
    # Bezorger.run logs a failing round and goes on; only stop ends it.
    bezorger.run(stop)


def proces(config, ready) -> None:
    """The target of the supervisor's delivery process (forked): runs until SIGTERM."""
    from knoop_esb.bezorging.worker import Bezorger
    from knoop_esb.endpoints.workers import reload_on_signal
    from knoop_esb.store.db import reset_instances

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the supervisor, which stops us
    reset_instances()  # never a connection inherited from the parent
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _s, _f: stop.set())
    # The supervisor forwards SIGHUP to its children: re-read what holds TLS material here too,
    # instead of running the supervisor's handler inherited through fork.
    signal.signal(signal.SIGHUP, reload_on_signal(config))
    bezorger = Bezorger(config)
    ready.set()
    _loop(bezorger, stop)
