"""``knoop-esb protocol export``: what was delivered to an afnemer in a period, as CSV or JSON."""
from __future__ import annotations

import argparse
import sys
from datetime import date

from knoop_esb.afnemers import protocol
from knoop_esb.cli import CliError
from knoop_esb.store.db import database


def register(sub) -> None:
    parser = sub.add_parser("protocol", help="export the protocol log of deliveries")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    export = verbs.add_parser("export", help="deliveries in a period (Dutch calendar days, inclusive)")
    export.add_argument("--afnemer", metavar="OIN", help="only this afnemer (default: all)")
    export.add_argument("--from", dest="van", metavar="DATE", type=_datum, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="tot", metavar="DATE", type=_datum, help="last day, YYYY-MM-DD")
    export.add_argument("--format", choices=protocol.FORMATEN, default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=run_export)


def _datum(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run_export(args, config) -> int:
    if args.van and args.tot and args.van > args.tot:
        raise CliError(f"--from {args.van} is after --to {args.tot}")
    db = database(config)
    db.migrate()
    with db.session() as session:
        tekst = protocol.export(protocol.regels(session, afnemer_oin=args.afnemer, van=args.van, tot=args.tot), args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(tekst)
    else:
        sys.stdout.write(tekst)
    return 0
