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
                        help="start the built-in KVK test source and use it when kvk.base_url is empty "
                             "(a configured KVK always wins)")
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


def _kvk_in_use(config: Config, test_source: bool) -> str:
    """The banner's KVK line: an operator must see at a glance whether real companies are served."""
    if test_source:
        return f"{config.kvk.base_url} (built-in test source: fictitious companies)"
    if config.kvk.base_url:
        return f"{config.kvk.base_url} (kvk.base_url)"
    return "none (kvk.base_url is empty): vragen routed to kvk are answered with a fout"


def _describe(config: Config, base_url: str, kvk: str = "") -> None:
    print(f"knoop-esb listening on {base_url} (OIN {config.node.oin})", flush=True)
    if kvk:
        print(f"  KVK                {kvk}", flush=True)
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
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CliError(f"database {config.database.url or 'sqlite'}: migration failed: {reason}") from None


def _start_planner(config: Config):
    """The sync schedule (seed 002 §6, ``sync.rooster``) in this process: see docs/sync.md."""
    from knoop_esb.store.db import database
    from knoop_esb.sync.planner import Planner

    planner = Planner(config, database(config)).start()
    if config.sync.rooster != "uit":
        print(f"  sync schedule      {config.sync.rooster}: "
              + ("running here" if planner.actief else "standby (another process runs it)"), flush=True)
    return planner


def _serve_workers(config: Config, count: int, kvk: str) -> int:
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
        _describe(config, base_url(config, config.node.host, holder.getsockname()[1]), kvk)
        reset_instances()  # the workers open their own connections; fork none of ours
        supervisor = workers.Supervisor(config, holder.getsockname()[1], count, bijprocessen=_bijprocessen(config))
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        # Before the workers fork: one that gets SIGHUP before it set its own handler must not die of it.
        signal.signal(signal.SIGHUP, supervisor.request_reload)
        try:
            supervisor.start()
        except workers.WorkerStartFailed as exc:
            raise CliError(str(exc)) from None
        print(f"  {count} worker processes" + (" + delivery worker" if config.bezorging.in_serve else ""), flush=True)
        # The one scheduler of the node lives here, not in the workers (started after they were
        # forked, so no worker inherits its threads); sync.planner's lock keeps it one per store.
        planner = _start_planner(config)
        try:
            supervisor.run()
        finally:
            planner.stop()
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

    from knoop_esb.digikoppeling.tlscheck import refuse_broken_tls

    # Every TLS file parsed and the key matched to the certificate before anything starts: one
    # line naming the key instead of a traceback from whichever library loads the file first.
    for warning in refuse_broken_tls(config):
        log.warning("tls material", key=warning.key, detail=warning.tekst)
    stops = []
    try:
        # `make run` passes --with-kvk-testserver; a configured KVK (knoop.toml or
        # KNOOP_KVK_BASE_URL) must never be silently replaced by fictitious companies.
        test_source = args.with_kvk_testserver and not config.kvk.base_url
        if test_source:
            config, stop_kvk = _start_kvk_testserver(config)
            stops.append(stop_kvk)
        kvk = _kvk_in_use(config, test_source)
        if args.with_demo_ontvanger:
            stops.append(_start_demo_ontvanger(config, args.demo_ontvanger_port))
        _migrate(config)
        if config.node.worker_count > 1:
            return _serve_workers(config, config.node.worker_count, kvk)
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
        from knoop_esb.endpoints.workers import ready_to_serve, reload_on_signal

        signal.signal(signal.SIGHUP, reload_on_signal(config))  # certificate and CRL rotation

        checkpointer = ready_to_serve(config, checkpoints=True)
        if checkpointer is not None:
            stops.append(checkpointer.stop)
        if config.bezorging.in_serve:
            from knoop_esb.bezorging.proces import start_thread

            stops.insert(0, start_thread(config))  # stopped first: it writes to the store
        stops.append(_start_planner(config).stop)
        _describe(config, server.base_url, kvk)
        server.serve()
        print("knoop-esb stopped", flush=True)
        return 0
    finally:
        for stop in stops:
            stop()
