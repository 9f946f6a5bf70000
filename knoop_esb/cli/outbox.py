"""``knoop-esb outbox list|show|counts|requeue|purge``: the kennisgevingen waiting for, in, or
done with delivery."""
from __future__ import annotations

from knoop_esb.cli import CliError


def register(sub) -> None:
    parser = sub.add_parser("outbox", help="kennisgevingen waiting for delivery: list, show, counts, requeue, purge")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    lijst = verbs.add_parser("list", help="the newest outbox rows (with the last error of each)")
    lijst.add_argument("--status", choices=("pending", "delivering", "delivered", "dead"))
    lijst.add_argument("--afnemer", metavar="OIN")
    lijst.add_argument("--limit", type=int, default=50)
    lijst.set_defaults(func=run_list)

    show = verbs.add_parser("show", help="one row in full: payload, attempts, last error")
    show.add_argument("id", type=int)
    show.set_defaults(func=run_show)

    verbs.add_parser("counts", help="rows per state and per afnemer").set_defaults(func=run_counts)

    requeue = verbs.add_parser("requeue", help="send a row again (fresh attempts), or every dead row with --dead")
    requeue.add_argument("id", type=int, nargs="?")
    requeue.add_argument("--dead", action="store_true", help="every dead row (of --afnemer)")
    requeue.add_argument("--afnemer", metavar="OIN")
    requeue.set_defaults(func=run_requeue)

    purge = verbs.add_parser("purge", help="delete delivered rows older than --older-than (the protocol log keeps them)")
    purge.add_argument("--delivered", action="store_true", required=True, help="delete delivered rows (required)")
    purge.add_argument("--dead", action="store_true", help="also dead rows")
    purge.add_argument("--older-than", required=True, metavar="DUUR", help="30d, 12h, 15m, 90s")
    purge.set_defaults(func=run_purge)


def _db(config):
    from knoop_esb.store.db import database

    db = database(config)
    db.migrate()
    return db


def _tijd(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def run_list(args, config) -> int:
    from knoop_esb.bezorging import beheer

    with _db(config).session() as session:
        rijen = beheer.lijst(session, status=args.status, afnemer_oin=args.afnemer, limit=args.limit)
        if not rijen:
            print("no outbox rows")
        for r in rijen:
            volgende = f" next {_tijd(r.next_attempt_at)}" if r.status in ("pending", "delivering") else ""
            print(f"{r.id:>8}  {r.status:<10} {r.afnemer_oin} {r.endpoint:<10} {r.berichtcode} {r.entiteittype} "
                  f"{r.object_sleutel} #{r.volgnummer} attempts {r.attempts} ref {r.referentienummer} "
                  f"created {_tijd(r.created_at)}{volgende}")
            if r.last_error and r.status != "delivered":
                print(f"          last error: {r.last_error}")
    return 0


def run_show(args, config) -> int:
    from knoop_esb.store.models import Outbox

    with _db(config).session() as session:
        r = session.get(Outbox, args.id)
        if r is None:
            raise CliError(f"no outbox message {args.id}")
        for naam in ("id", "status", "referentienummer", "afnemer_oin", "endpoint", "berichtcode", "entiteittype",
                     "object_sleutel", "volgnummer", "attempts"):
            print(f"{naam:<17} {getattr(r, naam)}")
        for naam in ("created_at", "updated_at", "next_attempt_at", "delivered_at"):
            print(f"{naam:<17} {_tijd(getattr(r, naam))}")
        print(f"{'last_error':<17} {r.last_error or '-'}")
        print("payload:")
        print(r.payload)
    return 0


def run_counts(args, config) -> int:
    from knoop_esb.bezorging import beheer

    with _db(config).session() as session:
        tellingen = beheer.tellingen(session)
        dood = beheer.lijst(session, status="dead", limit=20)
    if not tellingen:
        print("outbox is empty")
        return 0
    totaal = {s: sum(n for (_, st), n in tellingen.items() if st == s) for s in beheer.STATUSSEN}
    print("total      " + "  ".join(f"{s} {totaal[s]}" for s in beheer.STATUSSEN))
    for oin in sorted({oin for oin, _ in tellingen}):
        print(f"{oin}  " + "  ".join(f"{s} {tellingen.get((oin, s), 0)}" for s in beheer.STATUSSEN))
    if dood:
        print("dead (newest 20) and why:")
        for r in dood:
            print(f"  {r.id} {r.afnemer_oin} {r.endpoint} {r.referentienummer}: {r.last_error}")
    return 0


def run_requeue(args, config) -> int:
    from knoop_esb.bezorging import beheer
    from knoop_esb.store.outbox import OutboxFout

    if args.id is None and not args.dead:
        raise CliError("give an outbox ID or --dead")
    with _db(config).session() as session:
        try:
            n = beheer.opnieuw(session, message_id=args.id, dood=args.dead, afnemer_oin=args.afnemer)
        except OutboxFout as exc:
            raise CliError(str(exc)) from None
    print(f"{n} outbox row(s) requeued")
    return 0


def run_purge(args, config) -> int:
    from knoop_esb.bezorging import beheer
    from knoop_esb.config import ConfigError
    from knoop_esb.routing.table import duur
    from knoop_esb.store.base import utcnow

    try:
        leeftijd = duur(args.older_than, "--older-than")
    except ConfigError as exc:
        raise CliError(str(exc).removeprefix("configuration error: ")) from None
    with _db(config).session() as session:
        n = beheer.opruimen(session, ouder_dan=utcnow() - leeftijd, dood=args.dead)
    print(f"{n} outbox row(s) purged")
    return 0
