"""``knoop-esb mapping coverage``: which rows of the VNG mapping StUF-HR 0300 → StUF-BG 0310 the
transform tables implement, per sheet, read from the VNG csv files (never copied into the repo).
``knoop-esb mapping convert FILE``: a KVK answer or StUF-HR 0300 message as the schema-valid
StUF-BG La01 the node would send."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from knoop_esb.paths import REPO_ROOT
from knoop_esb.transform.dekking import BLADEN, Dekking, dekking, vng_rijen
from knoop_esb.transform.tabellen import GEIMPLEMENTEERD, NIET_GEMAPT


def standaard_map() -> Path:
    env = os.environ.get("KNOOP_MAPPING_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "nhr-mapping" / "csv"


def lees_dekking(map_: Path) -> list[Dekking]:
    from knoop_esb.cli import CliError

    out = []
    for blad in BLADEN:
        pad = map_ / f"{blad}.csv"
        if not pad.is_file():
            raise CliError(f"mapping sheet {pad} not found (use --mapping-dir DIR with the VNG csv files)")
        rijen = vng_rijen(blad, pad.read_text(encoding="utf-8"))
        out.append(dekking(blad, rijen, GEIMPLEMENTEERD, NIET_GEMAPT))
    return out


def _coverage(args: argparse.Namespace, config: object) -> int:
    resultaten = lees_dekking(Path(args.mapping_dir) if args.mapping_dir else standaard_map())
    for d in resultaten:
        mapbaar = len(d.geimplementeerd) + len(d.niet_gemapt) + len(d.ontbreekt)
        print(f"{d.blad} → {BLADEN[d.blad]}: {len(d.geimplementeerd)}/{mapbaar} mappable rows implemented, "
              f"{len(d.niet_gemapt)} left out with a reason, {len(d.ontbreekt)} missing")
        if args.verbose:
            for rij in d.geimplementeerd:
                print(f"  ok       {rij.id} → {rij.doel}")
            for rij, reden in d.niet_gemapt:
                print(f"  left out {rij.id} → {rij.doel}: {reden}")
        for rij in d.ontbreekt:
            print(f"  MISSING  {rij.id} → {rij.doel} (line {rij.regel})")
        for claim in d.onbekend:
            print(f"  UNKNOWN  {claim}: claimed by the tables but not in the sheet")
    return 1 if any(d.ontbreekt or d.onbekend for d in resultaten) else 0


def _la01(entiteittype: str, objecten: list, config):
    from knoop_esb.stuf import berichten
    from knoop_esb.stuf import stuurgegevens as sg
    from knoop_esb.stuf.ns import BG, STUF

    stuur = sg.Stuurgegevens(berichtcode="La01", zender=sg.node_systeem(config), referentienummer=sg.nieuw_referentienummer(),
                             tijdstip_bericht=sg.tijdstip_bericht(), entiteittype=entiteittype)
    return berichten.antwoordbericht(BG, f"{entiteittype.lower()}La01", stuur,
                                     parameters=[("indicatorVervolgvraag", "false")], objecten=objecten,
                                     nsmap={"BG": BG, "StUF": STUF})


def _convert(args: argparse.Namespace, config) -> int:
    from lxml import etree

    from knoop_esb import paths
    from knoop_esb.cli import CliError
    from knoop_esb.stuf import schemas
    from knoop_esb.stuf.fouten import StufFout
    from knoop_esb.transform import omzetting
    from knoop_esb.transform.fout import MappingFout

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        soort = args.soort or omzetting.herken(data)
        modellen = omzetting.naar_model(soort, data)
        registry = schemas.registry(paths.schemas_dir(config))
        for entiteittype in args.entiteittype:
            objecten = [o for m in modellen for o in omzetting.objecten(m, entiteittype)]
            if not objecten:
                print(f"<!-- {soort}: no {entiteittype} in this document -->")
                continue
            la01 = _la01(entiteittype, objecten, config)
            registry.validate(la01)
            print(etree.tostring(la01, pretty_print=True, encoding="unicode"))
    except MappingFout as exc:
        raise CliError(f"{args.file}: {exc}") from None
    except StufFout as exc:
        raise CliError(f"{args.file}: {exc.code} {exc.omschrijving}") from None
    return 0


def _inschrijving(path: str, soort: str | None):
    """The one company (MaatschappelijkeActiviteit) of a KVK answer or StUF-HR message."""
    from knoop_esb.cli import CliError
    from knoop_esb.transform import omzetting
    from knoop_esb.transform.model import MaatschappelijkeActiviteit

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    modellen = omzetting.naar_model(soort or omzetting.herken(data), data)
    if len(modellen) != 1 or not isinstance(modellen[0], MaatschappelijkeActiviteit):
        raise CliError(f"{path}: not one company (a Basisprofiel, a bundel or a StUF-HR message is)")
    return modellen[0]


def _ontvanger(args: argparse.Namespace, config):
    """The afnemer the kennisgevingen are addressed to (StUF: ontvanger is mandatory in a Lk01): a
    knoop.toml afnemer by OIN, or any OIN with ``--applicatie``."""
    from knoop_esb.afnemers.registry import Registry
    from knoop_esb.cli import CliError
    from knoop_esb.digikoppeling import oin
    from knoop_esb.stuf import stuurgegevens as sg

    if not oin.is_valid(args.afnemer):
        raise CliError(f"--afnemer {args.afnemer!r} is not an OIN (20 characters)")
    afnemer = Registry(config).get(args.afnemer)
    applicatie = args.applicatie or (afnemer.applicatie if afnemer is not None else "")
    if not applicatie:
        raise CliError(f"--afnemer {args.afnemer} is not in knoop.toml: give its --applicatie")
    return sg.Systeem(organisatie=args.afnemer, applicatie=applicatie)


def _diff(args: argparse.Namespace, config) -> int:
    from lxml import etree

    from knoop_esb import paths
    from knoop_esb.cli import CliError
    from knoop_esb.stuf import berichten, schemas
    from knoop_esb.stuf import stuurgegevens as sg
    from knoop_esb.stuf.fouten import StufFout
    from knoop_esb.stuf.ns import BG, STUF
    from knoop_esb.transform import diff
    from knoop_esb.transform.fout import MappingFout

    ontvanger = _ontvanger(args, config)
    try:
        oud, nieuw = (_inschrijving(path, args.soort) for path in (args.oud, args.nieuw))
        if oud.kvk_nummer != nieuw.kvk_nummer:
            raise CliError(f"not two states of one company: kvkNummer {oud.kvk_nummer} and {nieuw.kvk_nummer}")
        registry = schemas.registry(paths.schemas_dir(config))
        kennisgevingen = diff.kennisgevingen(oud, nieuw)
        for kg in kennisgevingen:
            stuur = sg.Stuurgegevens(berichtcode=kg.berichtcode, zender=sg.node_systeem(config), ontvanger=ontvanger,
                                     referentienummer=sg.nieuw_referentienummer(),
                                     tijdstip_bericht=sg.tijdstip_bericht(), entiteittype=kg.entiteittype)
            lk01 = berichten.kennisgevingsbericht(BG, kg.element, stuur, mutatiesoort=kg.mutatiesoort,
                                                  objecten=kg.objecten(), nsmap={"BG": BG, "StUF": STUF})
            registry.validate(lk01)
            print(etree.tostring(lk01, pretty_print=True, encoding="unicode"))
        if not kennisgevingen:
            print("<!-- no differences a gegevensmagazijn would be told about -->")
    except MappingFout as exc:
        raise CliError(str(exc)) from None
    except StufFout as exc:
        raise CliError(f"{exc.code} {exc.omschrijving}") from None
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mapping", help="the VNG HR→BG mapping as implemented by knoop_esb.transform")
    sub = parser.add_subparsers(dest="mapping_command", metavar="ACTION", required=True)
    cov = sub.add_parser("coverage", help="per sheet, which VNG mapping rows are implemented")
    cov.add_argument("--mapping-dir", metavar="DIR",
                     help="directory with the VNG csv sheets (default: $KNOOP_MAPPING_DIR or ../shared/nhr-mapping/csv)")
    cov.add_argument("-v", "--verbose", action="store_true", help="list every row")
    cov.set_defaults(func=_coverage)
    conv = sub.add_parser("convert", help="a KVK answer (JSON) or StUF-HR 0300 message as StUF-BG La01s")
    conv.add_argument("file", help="KVK Basisprofiel/Vestigingsprofiel/Zoeken/Naamgeving JSON, or StUF-HR 0300 XML")
    conv.add_argument("--soort", choices=["basisprofiel", "bundel", "vestigingsprofiel", "zoeken", "naamgeving", "stufhr"],
                      help="the kind of document (default: recognised from its shape; bundel = {basisprofiel, vestigingen, vestigingsprofielen} of one company)")
    conv.add_argument("--entiteittype", nargs="+", choices=["MAC", "NNP", "VES"], default=["MAC", "NNP", "VES"],
                      help="which objects to emit (default: all three)")
    conv.set_defaults(func=_convert)
    dif = sub.add_parser("diff", help="the StUF-BG kennisgevingen (Lk01) between two states of one company")
    dif.add_argument("oud", help="the company as it was: KVK Basisprofiel or bundel JSON, or StUF-HR 0300 XML")
    dif.add_argument("nieuw", help="the company as it is now, in the same kinds of document")
    dif.add_argument("--afnemer", required=True, metavar="OIN", help="the afnemer they are addressed to (ontvanger)")
    dif.add_argument("--applicatie", help="its applicatie (default: from knoop.toml for a configured afnemer)")
    dif.add_argument("--soort", choices=["basisprofiel", "bundel", "stufhr"],
                     help="the kind of both documents (default: recognised from each one's shape)")
    dif.set_defaults(func=_diff)
