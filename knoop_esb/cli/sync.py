"""``knoop-esb sync``: the synchronisation engine of seed 002 (its subcommands register here)."""
from __future__ import annotations

from knoop_esb.cli import sync_prioriteit


def register(sub) -> None:
    parser = sub.add_parser("sync", help="KVK synchronisation: priority refresh, labels (seed 002)")
    actions = parser.add_subparsers(dest="sync_action", metavar="ACTION", required=True)
    sync_prioriteit.register_actions(actions)
