"""``knoop-esb load FILE``: bulk-load KVK profile JSON lines into the store (the initial load of a
gegevensmagazijn), resumable after a crash; see docs/sync-prioriteit.md "Bulk load"."""
from __future__ import annotations

import json
import os


def register(sub) -> None:
    parser = sub.add_parser("load", help="bulk-load KVK Basisprofiel JSON lines (with vestigingen) into the store")
    parser.add_argument("file", metavar="FILE", help="one company per line: a Basisprofiel with its vestigingen")
    parser.add_argument("--batch-size", type=_positief, default=1000, help="companies per transaction (default 1000)")
    parser.add_argument("--restart", action="store_true", help="ignore the checkpoint of an earlier run of this file")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(func=run)


def _positief(tekst: str) -> int:
    import argparse

    try:
        waarde = int(tekst)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{tekst!r} is not a number") from None
    if waarde < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return waarde


def run(args, config) -> int:
    from knoop_esb.cli import CliError
    from sqlalchemy.exc import SQLAlchemyError

    from knoop_esb.cli.voortgang import balk
    from knoop_esb.store.db import database
    from knoop_esb.sync.laden import LaadFout, laad

    if not os.path.isfile(args.file):
        raise CliError(f"{args.file}: no such file")
    db = database(config)
    with balk(os.path.getsize(args.file), desc="load", bytes_=True) as bar:
        def voortgang(offset: int) -> None:
            bar.update(offset - bar.n)

        try:
            r = laad(db, args.file, batch=args.batch_size, opnieuw=args.restart, voortgang=voortgang)
        except LaadFout as exc:
            raise CliError(str(exc)) from None
        except SQLAlchemyError as exc:
            raise CliError(f"the store refused the load ({str(exc).splitlines()[0]}); "
                           "is it migrated (knoop-esb db upgrade)?") from None
    if args.json:
        print(json.dumps(r.samenvatting(), ensure_ascii=False))
    else:
        hervat = f", resumed after line {r.hervat_op}" if r.hervat_op else ""
        al = " (already loaded)" if r.al_geladen else ""
        fout = f" (lines {', '.join(map(str, r.fout_regels))}{' …' if r.fouten > len(r.fout_regels) else ''})" if r.fouten else ""
        print(f"load {args.file}{al}: {r.regels} lines, {r.bedrijven} companies; objects new {r.nieuw}, "
              f"changed {r.gewijzigd}, unchanged {r.ongewijzigd}; kennisgevingen queued {r.kennisgevingen}; "
              f"bad lines {r.fouten}{fout}{hervat}")
    return 0
