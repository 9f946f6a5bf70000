"""``knoop-esb db``: bring the store's schema up to date, show its revision, or check it."""
from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from knoop_esb.cli import CliError
from knoop_esb.store import migrate
from knoop_esb.store.db import database


def register(sub) -> None:
    parser = sub.add_parser("db", help="migrate or inspect the database")
    parser.add_argument("action", choices=["upgrade", "current", "check"],
                        help="upgrade: migrate to the newest schema; current: show the revision; "
                             "check: fail unless the schema is current")
    parser.set_defaults(func=run)


def run(args, config) -> int:
    db = database(config)
    where = db.url.render_as_string(hide_password=True)
    try:
        if args.action == "upgrade":
            db.migrate()
            print(f"database {where} at revision {migrate.current(db.engine)}")
            return 0
        current = migrate.current(db.engine)
        head = migrate.head()
        if args.action == "current":
            print(f"database {where}: revision {current or 'none (run: knoop-esb db upgrade)'}; newest {head}")
            return 0
        if current != head:
            raise CliError(f"database {where} is at revision {current or 'none'}, not {head}: run `knoop-esb db upgrade`")
        drift = migrate.pending_changes(db.engine)
        if drift:
            raise CliError(f"database {where} differs from the models: {drift[0]!r} (and {len(drift) - 1} more)")
        print(f"database {where} ok (revision {head})")
        return 0
    except SQLAlchemyError as exc:
        raise CliError(f"database {where}: {str(exc.orig if getattr(exc, 'orig', None) else exc).splitlines()[0]}") from None
