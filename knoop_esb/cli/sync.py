"""``knoop-esb sync``: the sync engine of seed 002 by hand — ``poll`` the Mutatieservice,
``process`` the bedrijf_nieuw queue, ``enqueue`` companies or vestigingen, ``status``, and
``run-scheduler`` (the schedule in the foreground, for a node whose ``serve`` does not run it)."""
from __future__ import annotations

import json
import re
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

KVK_NUMMER = re.compile(r"^[0-9]{8}$")
VESTIGINGSNUMMER = re.compile(r"^[0-9]{12}$")


class InvoerFout(Exception):
    """Bad input on the command line: one line, exit code 2."""


def register(sub) -> None:
    parser = sub.add_parser("sync", help="Mutatieservice polling, the bedrijf_nieuw queue and its schedule (seed 002)")
    actions = parser.add_subparsers(dest="sync_action", metavar="ACTION", required=True)
    from knoop_esb.cli import sync_prioriteit

    sync_prioriteit.register_actions(actions)  # update-kvk, update-handelsdata, label

    poll = actions.add_parser("poll", help="store the Mutatieservice's signals and queue the known ones")
    poll.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    poll.set_defaults(func=run_poll)

    process = actions.add_parser("process", help="fetch and store the companies waiting in bedrijf_nieuw")
    process.add_argument("--source", choices=("kvk", "handelsdata"), default="kvk")
    process.add_argument("--limit", type=int, help="at most this many entries")
    process.add_argument("--batch-size", type=int, help="entries claimed per batch (default sync.batch_size)")
    process.add_argument("--allow-update", action="store_true", help="also refresh objects the store already holds")
    process.add_argument("--process-missing-kvk", action="store_true",
                         help="queue the company of a vestiging whose company the store lacks")
    process.add_argument("--only", choices=("basisprofiel", "vestigingsprofiel"),
                         help="one KVK processor only (default: both, basisprofiel first)")
    paid = process.add_mutually_exclusive_group()
    paid.add_argument("--force-paid", action="store_true", help="make paid KVK calls even when kvk.allow_paid is off")
    paid.add_argument("--no-paid", action="store_true", help="make no paid KVK calls (entries stay queued)")
    process.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    process.set_defaults(func=run_process)

    enqueue = actions.add_parser("enqueue", help="queue KVK-nummers / vestigingsnummers (arguments or --file)")
    enqueue.add_argument("nummers", nargs="*", metavar="NUMMER",
                         help="a KVK-nummer (8 digits), a vestigingsnummer (12) or KVKNUMMER/VESTIGINGSNUMMER")
    enqueue.add_argument("--file", type=Path, help="one number per line (# comments; the first CSV column)")
    enqueue.add_argument("--source", choices=("kvk", "handelsdata"), default="kvk")
    enqueue.add_argument("--priority", type=int, default=5, help="1 = first (default 5)")
    enqueue.set_defaults(func=run_enqueue)

    status = actions.add_parser("status", help="windows polled, queue depth, jobs, KVK calls and credits")
    status.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    status.set_defaults(func=run_status)

    planner = actions.add_parser("run-scheduler", help="run the schedule (sync.rooster) in the foreground until SIGTERM")
    planner.set_defaults(func=run_scheduler)


@contextmanager
def _voortgang(desc: str, unit: str, stil: bool):
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=unit, disable=stil or not sys.stderr.isatty(), file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def _klaar(samenvatting, as_json: bool) -> int:
    print(json.dumps(samenvatting.als_dict(), sort_keys=True) if as_json else samenvatting.regel(), flush=True)
    return 0


def _fout(exc) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _migrated(config):
    from knoop_esb.cli import CliError
    from knoop_esb.store.db import database

    try:
        database(config).migrate()
    except Exception as exc:  # noqa: BLE001 - one line for the operator
        raise CliError(f"database {config.database.url or 'sqlite'}: migration failed: {_fout(exc)}") from None
    return database(config)


def run_poll(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.routing.sources.kvk_errors import KvkError
    from knoop_esb.sync import opdrachten
    from knoop_esb.sync.poll import PollFout

    _migrated(config)
    try:
        with _voortgang("signals", "signal", args.json) as tick:
            samenvatting = opdrachten.poll(config, voortgang=tick)
    except (KvkError, PollFout) as exc:
        raise CliError(f"sync poll: {_fout(exc)}") from None
    return _klaar(samenvatting, args.json)


def run_process(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.routing.sources.kvk_errors import KvkError
    from knoop_esb.sync import opdrachten

    for naam in ("limit", "batch_size"):
        if getattr(args, naam) is not None and getattr(args, naam) < 1:
            return _invoer(f"--{naam.replace('_', '-')} must be at least 1")
    _migrated(config)
    try:
        with _voortgang(f"bedrijf_nieuw {args.source}", "entry", args.json) as tick:
            samenvatting = opdrachten.process(
                config, bron=args.source, limit=args.limit, batch_size=args.batch_size,
                allow_update=args.allow_update, process_missing_kvk=args.process_missing_kvk, alleen=args.only,
                allow_paid=False if args.no_paid else None, force_paid=args.force_paid, voortgang=tick)
    except KvkError as exc:
        raise CliError(f"sync process: {_fout(exc)}") from None
    return _klaar(samenvatting, args.json)


def _invoer(melding: str) -> int:
    print(f"knoop-esb: {melding}", file=sys.stderr)
    return 2


def lees_nummers(nummers: list[str], bestand: Path | None) -> list[tuple[str | None, str | None]]:
    """(kvk_nummer, vestigingsnummer) per number given; InvoerFout names the bad one."""
    regels = [(f"argument {i}", n) for i, n in enumerate(nummers, start=1)]
    if bestand is not None:
        try:
            tekst = bestand.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvoerFout(f"cannot read {bestand}: {_fout(exc)}") from None
        for nr, regel in enumerate(tekst.splitlines(), start=1):
            veld = regel.split("#", 1)[0].split(",", 1)[0].split(";", 1)[0].strip().strip('"')
            if veld and not (nr == 1 and not veld[0].isdigit()):      # a CSV header line
                regels.append((f"{bestand}:{nr}", veld))
    out = []
    for waar, waarde in regels:
        kvk, _, ves = waarde.partition("/")
        if ves and KVK_NUMMER.match(kvk) and VESTIGINGSNUMMER.match(ves):
            out.append((kvk, ves))
        elif KVK_NUMMER.match(waarde):
            out.append((waarde, None))
        elif VESTIGINGSNUMMER.match(waarde):
            out.append((None, waarde))
        else:
            raise InvoerFout(f"{waar}: {waarde!r} is no KVK-nummer (8 digits) or vestigingsnummer (12 digits)")
    if not out:
        raise InvoerFout("nothing to enqueue: give numbers as arguments or --file")
    return out


def run_enqueue(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.routing.sources.kvk_errors import KvkError
    from knoop_esb.sync.invoer import enqueue

    try:
        paren = lees_nummers(args.nummers, args.file)
    except InvoerFout as exc:
        return _invoer(str(exc))
    if not 1 <= args.priority <= 9:
        return _invoer("--priority must be 1..9")
    db = _migrated(config)
    try:
        with _voortgang("enqueue", "number", False) as tick:
            nieuw, al, onbekend = enqueue(config, db, paren, bron=args.source, prioriteit=args.priority, voortgang=tick)
    except KvkError as exc:
        raise CliError(f"sync enqueue: {_fout(exc)}") from None
    for nummer in onbekend:
        print(f"knoop-esb: vestigingsnummer {nummer}: its KVK-nummer is unknown (not in the store, not found by KVK Zoeken)",
              file=sys.stderr)
    print(f"sync enqueue: {nieuw} queued, {al} already waiting, {len(onbekend)} unknown (source {args.source})")
    return 1 if onbekend else 0


def run_status(args, config) -> int:
    from knoop_esb.sync.status import status, tekst

    figures = status(config, _migrated(config))
    print(json.dumps(figures, sort_keys=True, default=str) if args.json else tekst(figures))
    return 0


def run_scheduler(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.sync.planner import Planner

    if config.sync.rooster == "uit":
        raise CliError("sync.rooster is 'uit': there is no schedule to run")
    db = _migrated(config)
    stoppen = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stoppen.set())
    signal.signal(signal.SIGINT, lambda *_: stoppen.set())
    planner = Planner(config, db).start()
    print(f"sync scheduler ({config.sync.rooster}): "
          + ("running" if planner.actief else "standby, another process runs the schedule"), flush=True)
    try:
        stoppen.wait()
    finally:
        planner.stop()
    print("sync scheduler stopped", flush=True)
    return 0
