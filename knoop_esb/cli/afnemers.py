"""``knoop-esb afnemers``: list, add, remove afnemers in the store, set their WUS profile, grant or
revoke doelbinding rules, and hash a password for the intern profile."""
from __future__ import annotations

import getpass
import sys

from knoop_esb.afnemers import registry as reg
from knoop_esb.afnemers.profielen import ALLES, PROFIELEN, Regel
from knoop_esb.cli import CliError
from knoop_esb.store.db import database


def register(sub) -> None:
    parser = sub.add_parser("afnemers", help="manage afnemers and their doelbinding")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    verbs.add_parser("list", help="every afnemer (knoop.toml and store) with its rules").set_defaults(func=run_list)

    add = verbs.add_parser("add", help="add an afnemer to the store")
    add.add_argument("oin")
    add.add_argument("--naam", default="")
    add.add_argument("--profiel", default="2W-be", choices=reg.WUS_PROFIELEN)
    add.add_argument("--applicatie", default="")
    add.add_argument("--kennisgeving-url", default="")
    add.add_argument("--gebruikersnaam", help="profiel intern only; the password is asked for (or read from stdin)")
    add.add_argument("--autorisatieprofiel", action="append", default=[], choices=sorted(PROFIELEN))
    add.set_defaults(func=run_add)

    remove = verbs.add_parser("remove", help="remove a store afnemer (and its rules)")
    remove.add_argument("oin")
    remove.set_defaults(func=run_remove)

    profile = verbs.add_parser("set-profile", help="set the WUS profile of a store afnemer")
    profile.add_argument("oin")
    profile.add_argument("profiel", choices=reg.WUS_PROFIELEN)
    profile.set_defaults(func=run_set_profile)

    auth = verbs.add_parser("authorise", help="grant (or --revoke) doelbinding rules to a store afnemer")
    auth.add_argument("oin")
    auth.add_argument("--profiel", choices=sorted(PROFIELEN), help="grant every rule of this autorisatieprofiel")
    auth.add_argument("--berichtcode", default="*", help="Lv01, Lk01 … or * (default)")
    auth.add_argument("--entiteittype", default="*", help="MAC, NNP, VES or * (default)")
    auth.add_argument("--selectie", help="comma-separated selection keys (default: all)")
    auth.add_argument("--attributen", help="comma-separated attribute paths (default: all; '' = none)")
    auth.add_argument("--relaties", help="comma-separated relation names (default: all; '' = none)")
    auth.add_argument("--doel", default="", help="the purpose (doelbinding) recorded in the protocol log")
    auth.add_argument("--revoke", action="store_true", help="remove the rules for --berichtcode/--entiteittype")
    auth.set_defaults(func=run_authorise)

    hashpw = verbs.add_parser("hash-password", help="print a wachtwoord_hash for knoop.toml (reads the password)")
    hashpw.set_defaults(func=run_hash_password)

    from knoop_esb.cli import endpoints

    endpoints.register(verbs)


def _db(config):
    db = database(config)
    db.migrate()
    return db


def run_list(args, config) -> int:
    from knoop_esb.cli.abonnementen import regels as abonnementen

    db = _db(config)
    afnemers = reg.Registry(config, db).alle()
    with db.session() as session:
        gevolgd = abonnementen(session)
    if not afnemers:
        print("no afnemers")
    for a in afnemers:
        status = "" if a.actief else " (inactief)"
        print(f"{a.oin}  {a.profiel:<8} {a.bron:<6} {a.naam}{status}")
        if not a.regels:
            print("    no autorisatie: may ask nothing")
        for r in a.regels:
            print(f"    {r.berichtcode} {r.entiteittype}: selectie {_toon(r.selectie)}; attributen {_toon(r.attributen)}; "
                  f"relaties {_toon(r.relaties)}" + (f"; doel: {r.doel}" if r.doel else ""))
        for regel in gevolgd.get(a.oin, ()):
            print(f"    follows {regel}")
    return 0


def _toon(waarden: tuple[str, ...]) -> str:
    return "alle" if waarden == ALLES else (",".join(waarden) or "geen")


def run_add(args, config) -> int:
    _store_only(config, args.oin)
    wachtwoord_hash = wachtwoord_hash_van(lees_wachtwoord()) if args.gebruikersnaam else None
    with _db(config).session() as session:
        _do(lambda: reg.toevoegen(session, args.oin, naam=args.naam, profiel=args.profiel, applicatie=args.applicatie,
                                  kennisgeving_url=args.kennisgeving_url, gebruikersnaam=args.gebruikersnaam,
                                  wachtwoord_hash=wachtwoord_hash))
        for naam in args.autorisatieprofiel:
            _do(reg.autoriseer, session, args.oin, PROFIELEN[naam])
    print(f"afnemer {args.oin} added")
    return 0


def run_remove(args, config) -> int:
    _store_only(config, args.oin)
    with _db(config).session() as session:
        _do(reg.verwijderen, session, args.oin)
    print(f"afnemer {args.oin} removed")
    return 0


def run_set_profile(args, config) -> int:
    _store_only(config, args.oin)
    with _db(config).session() as session:
        _do(reg.zet_profiel, session, args.oin, args.profiel)
    print(f"afnemer {args.oin}: profiel {args.profiel}")
    return 0


def run_authorise(args, config) -> int:
    _store_only(config, args.oin)
    with _db(config).session() as session:
        if args.revoke:
            n = _do(reg.intrekken, session, args.oin, args.berichtcode, args.entiteittype)
            print(f"afnemer {args.oin}: {n} rule(s) revoked")
            return 0
        regels = PROFIELEN[args.profiel] if args.profiel else (Regel(
            args.berichtcode, args.entiteittype, _lijst(args.selectie), _lijst(args.attributen), _lijst(args.relaties),
            args.doel),)
        n = _do(reg.autoriseer, session, args.oin, regels)
    print(f"afnemer {args.oin}: {n} rule(s) granted")
    return 0


def run_hash_password(args, config) -> int:
    print(wachtwoord_hash_van(lees_wachtwoord()))
    return 0


def _lijst(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ALLES
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _store_only(config, oin: str) -> None:
    if reg.Registry(config).in_config(oin):
        raise CliError(f"afnemer {oin} is defined in knoop.toml; change it there")


def _do(func, *args):
    try:
        return func(*args)
    except reg.AfnemerFout as exc:
        raise CliError(str(exc)) from None


def lees_wachtwoord(from_stdin: bool = False) -> str:
    """An intern afnemer's password: asked twice without echo on a terminal, else (or with
    ``from_stdin``) the first line of stdin. Shared with ``pki hash-password``."""
    if sys.stdin.isatty() and not from_stdin:
        first = getpass.getpass("wachtwoord: ")
        if first != getpass.getpass("nogmaals: "):
            raise CliError("the passwords differ")
    else:
        first = sys.stdin.readline().rstrip("\n")
    if len(first) < 12:
        raise CliError("a password needs at least 12 characters")
    return first


def wachtwoord_hash_van(password: str) -> str:
    from knoop_esb.digikoppeling.intern import hash_password

    return hash_password(password)
