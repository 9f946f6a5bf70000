"""``knoop-esb serve``: the node over HTTPS with mutual TLS until SIGINT/SIGTERM; with
``node.workers`` > 1 (default: two per CPU core) as that many supervised processes on one port."""
from __future__ import annotations

import signal
import threading

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.endpoints.services import SERVICE_PATHS

log = logs.get("knoop_esb.serve")


def register(sub) -> None:
    parser = sub.add_parser("serve", help="serve the StUF services over HTTPS with mutual TLS")
    parser.add_argument("--with-kvk-testserver", action="store_true",
                        help="also start the built-in KVK test source and use it as kvk.base_url")
    parser.add_argument("--with-demo-ontvanger", action="store_true",
                        help="also start the demo gegevensmagazijn (knoop-esb ontvanger-demo) on 127.0.0.1")
    parser.add_argument("--demo-ontvanger-port", type=int, default=8444, metavar="PORT",
                        help="its port (default 8444, where knoop.toml's demo afnemer has its kennisgeving_url)")
    parser.set_defaults(func=run)


def _start_kvk_testserver(config: Config) -> tuple[Config, object]:
    from knoop_esb.kvktest.server import start_in_thread

    base_url, stop = start_in_thread(host="127.0.0.1", port=0)
    print(f"KVK test source: {base_url}", flush=True)
    return config.replace("kvk", base_url=base_url), stop


def _describe(config: Config, base_url: str) -> None:
    print(f"knoop-esb listening on {base_url} (OIN {config.node.oin})", flush=True)
    for porttype, path in SERVICE_PATHS.items():
        print(f"  {porttype:18} {base_url}{path}   (WSDL: {base_url}{path}?wsdl)", flush=True)
    print(f"  health             {base_url}/health", flush=True)
    afnemers = _known_afnemers(config)
    if not afnemers:
        print("  no afnemers configured: every SOAP request will be refused (StUF052)", flush=True)
    for afnemer in afnemers:
        bron = "" if getattr(afnemer, "bron", "config") == "config" else f" [{afnemer.bron}]"
        actief = "" if getattr(afnemer, "actief", True) else " (inactive)"
        print(f"  afnemer {afnemer.oin} profiel {afnemer.profiel}{actief} {afnemer.naam}{bron}".rstrip(), flush=True)


def _known_afnemers(config: Config) -> list:
    """knoop.toml's afnemers and those in the store, as the TLS layer will see them."""
    from knoop_esb.afnemers.registry import Registry
    from knoop_esb.store.db import database

    return Registry(config, database(config)).alle()


def _migrate(config: Config) -> None:
    from knoop_esb.cli import CliError
    from knoop_esb.store.db import database

    try:
        database(config).migrate()
    except Exception as exc:  # one line for the operator; the traceback is of no use to them
        raise CliError(f"database {config.database.url or 'sqlite'}: migration failed: {exc}") from None


def _serve_workers(config: Config, count: int) -> int:
    """``node.workers`` > 1: this process holds the port and supervises the worker processes."""
    from knoop_esb.cli import CliError
    from knoop_esb.digikoppeling.tls import LoggingSSLAdapter
    from knoop_esb.endpoints import workers
    from knoop_esb.endpoints.app import build_app
    from knoop_esb.endpoints.server import base_url
    from knoop_esb.store.db import reset_instances

    # What a worker would refuse (TLS files, afnemers), refused here once as a configuration error.
    build_app(config)
    LoggingSSLAdapter(config)
    try:
        holder = workers.hold_port(config.node.host, config.node.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {config.node.host}:{config.node.port}: {exc}") from None
    with holder:
        _describe(config, base_url(config, config.node.host, holder.getsockname()[1]))
        reset_instances()  # the workers open their own connections; fork none of ours
        supervisor = workers.Supervisor(config, holder.getsockname()[1], count, bijprocessen=_bijprocessen(config))
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        try:
            supervisor.start()
        except workers.WorkerStartFailed as exc:
            raise CliError(str(exc)) from None
        print(f"  {count} worker processes" + (" + delivery worker" if config.bezorging.in_serve else ""), flush=True)
        supervisor.run()
    print("knoop-esb stopped", flush=True)
    return 0


def _bijprocessen(config: Config) -> dict:
    """Background processes the supervisor runs beside the server workers."""
    if not config.bezorging.in_serve:
        return {}
    from knoop_esb.bezorging.proces import proces

    return {"bezorging": proces}


def _start_demo_ontvanger(config: Config, port: int):
    from knoop_esb.cli import CliError
    from knoop_esb.cli.ontvanger_demo import maak

    try:
        ontvanger = maak(config, port=port)
    except OSError as exc:
        raise CliError(f"demo ontvanger: {exc}") from None
    print(f"demo ontvanger: {ontvanger.start()}", flush=True)
    return ontvanger.stop


def run(args, config: Config) -> int:
    from knoop_esb.endpoints.server import NodeServer

    stops = []
    try:
        if args.with_kvk_testserver:
            config, stop_kvk = _start_kvk_testserver(config)
            stops.append(stop_kvk)
        if args.with_demo_ontvanger:
            stops.append(_start_demo_ontvanger(config, args.demo_ontvanger_port))
        _migrate(config)
        if config.node.worker_count > 1:
            return _serve_workers(config, config.node.worker_count)
        server = NodeServer(config)
        try:
            server.prepare()
        except OSError as exc:
            from knoop_esb.cli import CliError

            raise CliError(f"cannot listen on {config.node.host}:{config.node.port}: {exc}") from None
        stopping = threading.Event()

        def _stop(signum, _frame):
            if not stopping.is_set():
                stopping.set()
                log.info("stopping", signal=signal.Signals(signum).name)
                threading.Thread(target=server.stop, name="knoop-esb-stop", daemon=True).start()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        from knoop_esb.endpoints.workers import ready_to_serve

        checkpointer = ready_to_serve(config, checkpoints=True)
        if checkpointer is not None:
            stops.append(checkpointer.stop)
        if config.bezorging.in_serve:
            from knoop_esb.bezorging.proces import start_thread

            stops.insert(0, start_thread(config))  # stopped first: it writes to the store
        _describe(config, server.base_url)
        server.serve()
        print("knoop-esb stopped", flush=True)
        return 0
    finally:
        for stop in stops:
            stop()
