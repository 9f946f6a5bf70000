"""``knoop-esb abonnementen``: the subscriptions kennisgevingen are sent for.

    abonnementen list [--afnemer OIN]
    abonnementen add OIN MAC|NNP|VES SLEUTEL          object (afnemerindicatie; MAC covers the company)
    abonnementen add OIN woonplaats|postcode|gemeente WAARDE   area (postcode 3500-3599, gemeente 0344)
    abonnementen remove OIN SOORT WAARDE
    abonnementen gemeenten load FILE.csv | list      the woonplaats → gemeente table

A new subscription starts with its beginstand (Sa01 or toevoegkennisgevingen per endpoint),
queued in the outbox in the same transaction.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

OBJECTEN = {"MAC": re.compile(r"^\d{8}$"), "NNP": re.compile(r"^\d{9}$"), "VES": re.compile(r"^\d{12}$")}
SOORTEN = (*OBJECTEN, "woonplaats", "postcode", "gemeente")


def register(sub) -> None:
    parser = sub.add_parser("abonnementen", help="object and area subscriptions of afnemers (kennisgevingen)")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    lijst = verbs.add_parser("list", help="every subscription, per afnemer")
    lijst.add_argument("--afnemer", metavar="OIN")
    lijst.set_defaults(func=run_list)
    for naam, func, hulp in (("add", run_add, "place a subscription (and queue its beginstand)"),
                             ("remove", run_remove, "remove a subscription")):
        p = verbs.add_parser(naam, help=hulp)
        p.add_argument("oin")
        p.add_argument("soort", choices=SOORTEN)
        p.add_argument("waarde", help="MAC kvkNummer, NNP RSIN, VES vestigingsnummer; a woonplaats name, a postcode "
                                      "(range 3500-3599 or 3511AA-3511ZZ), a gemeentecode (0344)")
        p.set_defaults(func=func)
    gemeenten = verbs.add_parser("gemeenten", help="the woonplaats → gemeente table for gemeente subscriptions")
    acties = gemeenten.add_subparsers(dest="actie", metavar="ACTION", required=True)
    load = acties.add_parser("load", help="replace the table with a CSV (columns woonplaats, gemeentecode[, gemeentenaam])")
    load.add_argument("file")
    load.set_defaults(func=run_gemeenten_load)
    acties.add_parser("list", help="gemeenten with their woonplaatsen").set_defaults(func=run_gemeenten_list)


def _db(config):
    from knoop_esb.store.db import database

    db = database(config)
    db.migrate()
    return db


def _afnemer(config, db, oin: str):
    from knoop_esb.afnemers.registry import Registry
    from knoop_esb.cli import CliError

    afnemer = Registry(config, db).get(oin)
    if afnemer is None:
        raise CliError(f"no afnemer {oin} (knoop.toml or `knoop-esb afnemers add`)")
    return afnemer


def _gebied(soort: str, waarde: str):
    from knoop_esb.cli import CliError
    from knoop_esb.kennisgevingen.abonnementen import AbonnementFout, gebied

    try:
        return gebied(soort, waarde)
    except AbonnementFout as exc:
        raise CliError(str(exc)) from None


def _object(soort: str, waarde: str) -> str:
    from knoop_esb.cli import CliError

    waarde = waarde.strip()
    if not OBJECTEN[soort].match(waarde):
        lengte = {"MAC": "an 8-digit kvkNummer", "NNP": "a 9-digit RSIN", "VES": "a 12-digit vestigingsnummer"}[soort]
        raise CliError(f"{soort} subscriptions name {lengte}, got {waarde!r}")
    return waarde


def run_add(args, config) -> int:
    from knoop_esb.kennisgevingen import abonnementen, beginstand, verdeling
    from knoop_esb.store import afnemerindicaties

    db = _db(config)
    afnemer = _afnemer(config, db, args.oin)
    with db.session() as session:
        if args.soort in OBJECTEN:
            sleutel = _object(args.soort, args.waarde)
            geplaatst = afnemerindicaties.plaats(session, afnemer.oin, args.soort, sleutel, bron="operator")
            wat = f"{args.soort} {sleutel}"
            # the beginstand is queued by the distributor when this transaction commits
        else:
            g = _gebied(args.soort, args.waarde)
            geplaatst = abonnementen.gebied_plaatsen(session, afnemer.oin, g)
            wat = str(g)
            if geplaatst:
                verdeler = verdeling.van(db, config)
                n = beginstand.voor_gebied(verdeler, session, afnemer.oin, g, voortgang=_voortgang)
                session.info[verdeling.TELLER] = session.info.get(verdeling.TELLER, 0) + n
    if not geplaatst:
        print(f"{afnemer.oin} already follows {wat}")
        return 0
    queued = session.info.get(verdeling.TELLER, 0)
    zonder = "" if afnemer.endpoints else " (the afnemer has no delivery endpoint: nothing is sent)"
    print(f"{afnemer.oin} follows {wat}; beginstand: {queued} messages queued{zonder}")
    return 0


def _voortgang(bedrijven):
    from tqdm import tqdm

    return tqdm(bedrijven, desc="beginstand", unit=" bedrijven", disable=not sys.stderr.isatty(), leave=False)


def run_remove(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.kennisgevingen import abonnementen
    from knoop_esb.store import afnemerindicaties

    db = _db(config)
    with db.session() as session:
        if args.soort in OBJECTEN:
            sleutel = _object(args.soort, args.waarde)
            weg, wat = afnemerindicaties.verwijder(session, args.oin, args.soort, sleutel), f"{args.soort} {sleutel}"
        else:
            g = _gebied(args.soort, args.waarde)
            weg, wat = abonnementen.gebied_verwijderen(session, args.oin, g), str(g)
    if not weg:
        raise CliError(f"{args.oin} does not follow {wat}")
    print(f"{args.oin} no longer follows {wat}")
    return 0


def regels(session, oin: str | None = None) -> dict[str, list[str]]:
    """Per afnemer, one line per subscription (also shown by ``knoop-esb afnemers list``)."""
    from sqlalchemy import select

    from knoop_esb.kennisgevingen import abonnementen
    from knoop_esb.store.models import Afnemerindicatie

    out: dict[str, list[str]] = {}
    stmt = select(Afnemerindicatie).order_by(Afnemerindicatie.afnemer_oin, Afnemerindicatie.entiteittype,
                                             Afnemerindicatie.object_sleutel)
    if oin is not None:
        stmt = stmt.where(Afnemerindicatie.afnemer_oin == oin)
    for rij in session.scalars(stmt):
        out.setdefault(rij.afnemer_oin, []).append(
            f"{rij.entiteittype} {rij.object_sleutel}  (object, {rij.bron}, sinds {rij.sinds:%Y-%m-%d %H:%M})")
    for rij in abonnementen.gebieden_van(session, oin):
        out.setdefault(rij.afnemer_oin, []).append(
            f"{abonnementen.gebied_van(rij)}  (gebied, {rij.bron}, sinds {rij.sinds:%Y-%m-%d %H:%M})")
    return out


def run_list(args, config) -> int:
    db = _db(config)
    with db.session() as session:
        per_afnemer = regels(session, args.afnemer)
    if not per_afnemer:
        print("no subscriptions")
    for oin, lijst in per_afnemer.items():
        print(oin)
        for regel in lijst:
            print(f"    {regel}")
    return 0


def run_gemeenten_load(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.kennisgevingen.abonnementen import AbonnementFout, gemeenten_laden

    try:
        tekst = Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CliError(f"{args.file}: not UTF-8 text") from None
    db = _db(config)
    try:
        with db.session() as session:
            n = gemeenten_laden(session, tekst)
            codes = len({c for c in gemeenten_codes(session)})
    except AbonnementFout as exc:
        raise CliError(f"{args.file}: {exc}") from None
    print(f"woonplaats → gemeente table: {n} woonplaatsen in {codes} gemeenten loaded from {args.file}")
    return 0


def gemeenten_codes(session):
    from sqlalchemy import select

    from knoop_esb.store.models import WoonplaatsGemeente

    return session.scalars(select(WoonplaatsGemeente.gemeentecode).distinct())


def run_gemeenten_list(args, config) -> int:
    from knoop_esb.kennisgevingen.abonnementen import gemeenten

    db = _db(config)
    with db.session() as session:
        tabel = gemeenten(session)
    if not tabel:
        print("no woonplaats → gemeente table loaded (knoop-esb abonnementen gemeenten load FILE.csv)")
    for code, (naam, plaatsen) in tabel.items():
        print(f"{code} {naam}: {', '.join(plaatsen)}")
    return 0
