"""``knoop-esb worker``: the node's background work in a process of its own, without the HTTPS
server — for nodes that run it beside (or instead of inside) ``knoop-esb serve``. Each component
runs in its own thread until SIGTERM/SIGINT; ``--no-<component>`` leaves one out. Several worker
processes may share one PostgreSQL store; on SQLite run one."""
from __future__ import annotations

import signal
import threading
from typing import Callable

from knoop_esb import logs

log = logs.get("knoop_esb.worker")


def _bezorging(config, stop: threading.Event) -> None:
    from knoop_esb.bezorging.worker import Bezorger

    Bezorger(config).run(stop)


# name → (help, run(config, stop) until stop is set). Components are added here.
COMPONENTEN: dict[str, tuple[str, Callable[[object, threading.Event], None]]] = {
    "bezorging": ("delivery of kennisgevingen from the outbox", _bezorging),
}


def register(sub) -> None:
    parser = sub.add_parser("worker", help="run background work (delivery of kennisgevingen …) without the server")
    for naam, (uitleg, _) in COMPONENTEN.items():
        parser.add_argument(f"--no-{naam}", dest=f"no_{naam}", action="store_true", help=f"leave out: {uitleg}")
    parser.set_defaults(func=run)


def run(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.store.db import database

    gekozen = {n: f for n, (_, f) in COMPONENTEN.items() if not getattr(args, f"no_{n}")}
    if not gekozen:
        raise CliError("every component is left out: nothing to run")
    try:
        database(config).migrate()
    except Exception as exc:
        raise CliError(f"database {config.database.url or 'sqlite'}: migration failed: {exc}") from None
    stop = threading.Event()
    mislukt: list[str] = []

    def _draai(naam, functie) -> None:
        try:
            functie(config, stop)
        except Exception:
            log.exception("worker_component_gestopt", component=naam)
            mislukt.append(naam)
            stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda s, _f: stop.set())
    threads = [threading.Thread(target=_draai, args=item, name=f"knoop-esb-{item[0]}") for item in gekozen.items()]
    for thread in threads:
        thread.start()
    print(f"knoop-esb worker: {', '.join(gekozen)}", flush=True)
    while not stop.wait(0.5):
        pass
    for thread in threads:
        thread.join()
    if mislukt:
        raise CliError(f"component(s) {', '.join(mislukt)} stopped with an error; see the log")
    print("knoop-esb worker stopped", flush=True)
    return 0
