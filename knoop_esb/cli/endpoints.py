"""``knoop-esb afnemers endpoint add|list|remove``: the delivery endpoints of store afnemers (those
in knoop.toml have [[afnemers.afnemer.endpoint]] there)."""
from __future__ import annotations

from knoop_esb.afnemers import registry as reg
from knoop_esb.cli import CliError
from knoop_esb.config.afnemers import BEGINSTANDEN, ENDPOINT_PROFIELEN


def register(verbs) -> None:
    parser = verbs.add_parser("endpoint", help="delivery endpoints of afnemers (kennisgevingen)")
    sub = parser.add_subparsers(dest="endpoint_verb", metavar="VERB", required=True)

    add = sub.add_parser("add", help="add a delivery endpoint to a store afnemer")
    add.add_argument("oin")
    add.add_argument("naam", help="the endpoint's name (unique per afnemer; 'standaard' is kennisgeving_url's)")
    add.add_argument("--url", required=True, help="https://… (http:// only with --profiel stuf)")
    add.add_argument("--profiel", default="", choices=("", *ENDPOINT_PROFIELEN),
                     help="stuf (plain StUF binding) or a WUS profile; default: the afnemer's own")
    add.add_argument("--trust-anchors", default="", help="PEM file the server certificate must chain to; default [tls] trust_anchors")
    add.add_argument("--timeout", type=float, default=10.0, help="seconds for one delivery (default 10)")
    add.add_argument("--parallel", type=int, default=1, help="deliveries in flight at once (default 1)")
    add.add_argument("--beginstand", default="sa01", choices=BEGINSTANDEN, help="how a new subscription starts (default sa01)")
    add.add_argument("--entiteittypen", default="*", help="comma-separated MAC,NNP,VES or * (default)")
    add.set_defaults(func=run_add)

    lijst = sub.add_parser("list", help="every delivery endpoint (knoop.toml and store)")
    lijst.add_argument("oin", nargs="?", help="only this afnemer")
    lijst.set_defaults(func=run_list)

    remove = sub.add_parser("remove", help="remove a delivery endpoint of a store afnemer")
    remove.add_argument("oin")
    remove.add_argument("naam")
    remove.set_defaults(func=run_remove)


def _db(config):
    from knoop_esb.store.db import database

    db = database(config)
    db.migrate()
    return db


def _store_only(config, oin: str) -> None:
    if reg.Registry(config).in_config(oin):
        raise CliError(f"afnemer {oin} is defined in knoop.toml; change its endpoints there")


def run_add(args, config) -> int:
    _store_only(config, args.oin)
    entiteittypen = [e.strip().upper() if e.strip() != "*" else "*" for e in args.entiteittypen.split(",") if e.strip()]
    with _db(config).session() as session:
        try:
            reg.endpoint_toevoegen(session, args.oin, args.naam, url=args.url, profiel=args.profiel,
                                   trust_anchors=args.trust_anchors, timeout=args.timeout, parallel=args.parallel,
                                   beginstand=args.beginstand, entiteittypen=entiteittypen or ["*"])
        except reg.AfnemerFout as exc:
            raise CliError(str(exc)) from None
    print(f"afnemer {args.oin}: endpoint {args.naam} added")
    return 0


def run_list(args, config) -> int:
    afnemers = [a for a in reg.Registry(config, _db(config)).alle() if args.oin in (None, a.oin)]
    if args.oin and not afnemers:
        raise CliError(f"no afnemer {args.oin}")
    regels = [(a, e) for a in afnemers for e in a.endpoints]
    if not regels:
        print("no delivery endpoints")
    for a, e in regels:
        print(f"{a.oin}  {e.naam:<12} {e.profiel:<8} {e.url}  timeout {e.timeout:g}s parallel {e.parallel} "
              f"beginstand {e.beginstand} entiteittypen {','.join(e.entiteittypen)}"
              + (f" trust-anchors {e.trust_anchors}" if e.trust_anchors else "") + f"  [{a.bron}]")
    return 0


def run_remove(args, config) -> int:
    _store_only(config, args.oin)
    with _db(config).session() as session:
        try:
            reg.endpoint_verwijderen(session, args.oin, args.naam)
        except reg.AfnemerFout as exc:
            raise CliError(str(exc)) from None
    print(f"afnemer {args.oin}: endpoint {args.naam} removed")
    return 0
