"""``knoop-esb kvk usage``: KVK calls per week and per month with their cost, from the call log
in the store (KVK sends no spending alerts: "Keep an eye on the number of inquiries yourself").
``knoop-esb kvk check``: one free call to see that going live (base_url + api_key) worked."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from knoop_esb.store.kalender import month_start


def register(sub) -> None:
    parser = sub.add_parser("kvk", help="KVK API usage: calls per week, paid calls and cost per month")
    actions = parser.add_subparsers(dest="kvk_action", metavar="ACTION", required=True)
    usage = actions.add_parser("usage", help="calls per ISO week and cost per month, per API key")
    usage.add_argument("--months", type=int, default=3, help="how many calendar months back (default 3)")
    usage.set_defaults(func=run_usage)
    check = actions.add_parser("check", help="one free Zoeken call: are kvk.base_url, kvk.api_key and TLS right?")
    check.set_defaults(func=run_check)


def run_check(args, config) -> int:
    """A free call (Zoeken costs nothing) that exercises the URL, the key and the TLS trust."""
    from knoop_esb.cli import CliError
    from knoop_esb.routing.sources.kvk_api import KvkApiClient
    from knoop_esb.routing.sources.kvk_errors import KvkError

    try:
        with KvkApiClient.from_config(config.kvk) as client:
            page = client.zoeken(kvkNummer="68750110")
            key = client.transport.key_id
    except KvkError as exc:
        raise CliError(f"KVK not usable at {config.kvk.base_url or '(no kvk.base_url)'}: {exc}") from None
    print(f"KVK reachable at {config.kvk.base_url} with key {key}: Zoeken answered ({page.get('totaal', 0)} results)")
    return 0


def run_usage(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.routing.sources.kvk_policy import ENDPOINTS
    from knoop_esb.store import kvk_requests
    from knoop_esb.store.db import database

    if args.months < 1:
        raise CliError("--months must be at least 1")
    since = month_start(datetime.now(timezone.utc))
    for _ in range(args.months - 1):
        since = month_start(since - timedelta(days=1))
    try:
        with database(config).session() as session:
            weeks, months = kvk_requests.usage(session, since, endpoints=ENDPOINTS)
    except Exception as exc:  # noqa: BLE001 - any database failure is one line for the operator
        raise CliError(f"cannot read the KVK call log: {str(exc).splitlines()[0]}") from None
    print(f"KVK calls since {since:%Y-%m-%d} (Dutch weeks and months; paid = billable "
          f"Basisprofiel/Vestigingsprofiel/Naamgeving answers)")
    print(f"{'week':10} {'key':24} {'calls':>8} {'paid':>8} {'errors':>8}")
    for row in weeks:
        print(f"{row.periode:10} {row.token_id:24} {row.aantal:8d} {row.betaald:8d} {row.fouten:8d}")
    print(f"{'month':10} {'key':24} {'calls':>8} {'paid':>8} {'cost (EUR)':>12}")
    for row in months:
        # priced from the count: kvk_request.kosten_cent holds whole cents per call
        kosten = round(config.kvk.monthly_fee + row.betaald * config.kvk.price_per_call, 2)
        print(f"{row.periode:10} {row.token_id:24} {row.aantal:8d} {row.betaald:8d} {kosten:12.2f}")
    if not months:
        print("no KVK calls recorded")
    return 0
