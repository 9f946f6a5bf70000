"""``knoop-esb sync update-kvk | update-handelsdata | label``: the priority refresh of seed 002 §2
and §4 and the labels that make a company Priority 1 (docs/sync-prioriteit.md).

``register_actions(actions)`` adds these subcommands to the ``sync`` group's subparsers."""
from __future__ import annotations

import argparse
import json
import re

from sqlalchemy.exc import SQLAlchemyError

KVK_NUMMER = re.compile(r"^[0-9]{8}$")


def register_actions(actions) -> None:
    kvk = actions.add_parser("update-kvk", help="refresh Priority 1 and 2 companies from KVK (seed 002 §2)")
    kvk.add_argument("--force", action="store_true", help="force paid KVK calls (past allow_paid and the monthly limit)")
    kvk.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    kvk.set_defaults(func=run_update_kvk)

    hd = actions.add_parser("update-handelsdata", help="refresh vestigingen from Handelsdata (seed 002 §4)")
    hd.add_argument("--force", action="store_true", help="run even while bedrijf_nieuw holds open Handelsdata entries")
    hd.add_argument("--batch-size", type=_positief, default=None,
                    help="numbers (credits) per run (default [prioriteit] handelsdata_batch)")
    hd.add_argument("--from-db", action="store_true",
                    help="the store's vestigingen not refreshed for handelsdata_cyclus_dagen, oldest first "
                         "(default: the vestigingen of this run's Priority 1 and 2 companies)")
    hd.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    hd.set_defaults(func=run_update_handelsdata)

    label = actions.add_parser("label", help="labels on companies (p1_labels make a company Priority 1)")
    verbs = label.add_subparsers(dest="label_verb", metavar="VERB", required=True)
    for verb, hulp in (("add", "set a label on a company"), ("remove", "take a label off a company")):
        p = verbs.add_parser(verb, help=hulp)
        p.add_argument("kvk_nummer", metavar="KVK-NUMMER", type=_kvk_nummer)
        p.add_argument("label", metavar="LABEL", type=_label)
        p.set_defaults(func=run_label)
    lijst = verbs.add_parser("list", help="the labels of a company")
    lijst.add_argument("kvk_nummer", metavar="KVK-NUMMER", type=_kvk_nummer)
    lijst.set_defaults(func=run_label)


def _positief(tekst: str) -> int:
    try:
        waarde = int(tekst)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{tekst!r} is not a number") from None
    if waarde < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return waarde


def _kvk_nummer(tekst: str) -> str:
    if not KVK_NUMMER.match(tekst):
        raise argparse.ArgumentTypeError(f"{tekst!r} is no KVK-nummer (8 digits)")
    return tekst


def _label(tekst: str) -> str:
    tekst = tekst.strip()
    if not tekst or len(tekst) > 100 or any(c.isspace() for c in tekst):
        raise argparse.ArgumentTypeError("a label is 1..100 characters without spaces")
    return tekst


def _regel(naam: str, s: dict) -> str:
    return f"{naam}: " + ", ".join(f"{k} {v}" for k, v in s.items() if v not in (None, False))


def run_update_kvk(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.cli.voortgang import balk
    from knoop_esb.sync.verversing import VerversingFout, update_kvk

    with balk(None, desc="update-kvk", unit="company") as bar:
        def voortgang(klaar: int, totaal: int) -> None:
            bar.total = totaal
            bar.update(klaar - bar.n)

        try:
            s = update_kvk(config, force=args.force, voortgang=voortgang)
        except VerversingFout as exc:
            raise CliError(str(exc)) from None
        except SQLAlchemyError as exc:
            raise CliError(_store_fout(exc)) from None
    print(json.dumps(s) if args.json else _regel("update-kvk", s))
    return 0


def run_update_handelsdata(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.cli.voortgang import balk
    from knoop_esb.sync.verversing import VerversingFout, update_handelsdata

    with balk(None, desc="update-handelsdata", unit="nr") as bar:
        def voortgang(klaar: int, totaal: int) -> None:
            bar.total = totaal
            bar.update(klaar - bar.n)

        try:
            s = update_handelsdata(config, force=args.force, batch_size=args.batch_size, from_db=args.from_db,
                                   voortgang=voortgang)
        except VerversingFout as exc:
            raise CliError(str(exc)) from None
        except SQLAlchemyError as exc:
            raise CliError(_store_fout(exc)) from None
    if args.json:
        print(json.dumps(s))
    elif s["geblokkeerd"]:
        print(f"update-handelsdata: blocked, {s['wachtend']} Handelsdata entries wait in bedrijf_nieuw (--force runs anyway)")
    else:
        print(_regel("update-handelsdata", s))
    return 0


def _store_fout(exc) -> str:
    return f"the store refused ({str(exc).splitlines()[0]}); is it migrated (knoop-esb db upgrade)?"


def run_label(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.store.db import database

    try:
        return _labels_bewerken(args, database(config))
    except SQLAlchemyError as exc:
        raise CliError(_store_fout(exc)) from None


def _labels_bewerken(args, db) -> int:
    from knoop_esb.store import labels

    with db.session() as session:
        if args.label_verb == "add":
            nieuw = labels.add(session, args.kvk_nummer, args.label)
            print(f"{args.kvk_nummer}: label {args.label} {'set' if nieuw else 'was already set'}")
        elif args.label_verb == "remove":
            weg = labels.remove(session, args.kvk_nummer, args.label)
            print(f"{args.kvk_nummer}: label {args.label} {'removed' if weg else 'was not set'}")
        else:
            for label in labels.van(session, args.kvk_nummer):
                print(label)
    return 0
