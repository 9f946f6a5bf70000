"""``knoop-esb refresh KVK-NUMMER|VESTIGINGSNUMMER``: fetch the object from KVK now, store it, and
so distribute what changed to its subscribers (one summary line)."""
from __future__ import annotations


def register(sub) -> None:
    parser = sub.add_parser("refresh", help="fetch a company or vestiging from KVK now, store it and distribute the changes")
    parser.add_argument("sleutel", metavar="KVK-NUMMER|VESTIGINGSNUMMER")
    parser.set_defaults(func=run)


def run(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.kennisgevingen.refresh import RefreshFout, refresh
    from knoop_esb.store.db import database

    database(config).migrate()
    try:
        print(refresh(config, args.sleutel))
    except RefreshFout as exc:
        raise CliError(str(exc)) from None
    return 0
