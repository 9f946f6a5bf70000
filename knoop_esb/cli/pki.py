"""``knoop-esb pki``: the example PKI and the credentials of the intern profile.

``knoop-esb pki make [--out DIR] [--force]`` makes the throw-away test PKI (knoop_esb.example_pki)
in ``<data_dir>/pki``; ``knoop-esb pki hash-password`` prints the ``wachtwoord_hash`` of an intern
afnemer (asked twice without echo, or read from stdin with ``--stdin``); ``knoop-esb pki check``
verifies a client certificate the way the node does (chain, dates, EKU, CRL, OIN)."""
from __future__ import annotations

from pathlib import Path

from knoop_esb import paths
from knoop_esb.config import Config


def register(sub) -> None:
    parser = sub.add_parser("pki", help="example PKI, client-certificate check, intern password hashes")
    actions = parser.add_subparsers(dest="pki_action", metavar="ACTION", required=True)
    make = actions.add_parser("make", help="make the throw-away example PKI (never for production)")
    make.add_argument("--out", help="directory (default <data_dir>/pki)")
    make.add_argument("--force", action="store_true", help="replace an existing, still valid PKI")
    make.set_defaults(func=run_make)
    hashpw = actions.add_parser("hash-password", help="print a wachtwoord_hash for an intern afnemer")
    hashpw.add_argument("--stdin", action="store_true", help="read the password from the first line of stdin")
    hashpw.set_defaults(func=run_hash_password)
    check = actions.add_parser("check", help="verify a client certificate as the node would")
    check.add_argument("certificate", help="PEM file (the first certificate is checked)")
    check.set_defaults(func=run_check)


def run_make(args, config: Config) -> int:
    from knoop_esb import example_pki
    from knoop_esb.cli import CliError

    out = args.out or str(paths.pki_dir(config))
    try:
        return example_pki.main(["--out", out] + (["--force"] if args.force else []))
    except OSError as exc:
        raise CliError(f"cannot write the example PKI to {out}: {exc.strerror or exc}") from None


def run_hash_password(args, config: Config) -> int:
    from knoop_esb.cli.afnemers import lees_wachtwoord, wachtwoord_hash_van

    print(wachtwoord_hash_van(lees_wachtwoord(from_stdin=args.stdin)))
    return 0


def run_check(args, config: Config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.digikoppeling.certificates import CertificateRefused, TrustStore, load_certificates
    from knoop_esb.digikoppeling.tls import tls_files

    files = tls_files(config)
    try:
        cert = load_certificates(Path(args.certificate))[0]
    except (OSError, ValueError) as exc:
        raise CliError(f"{args.certificate}: not a certificate ({exc})") from None
    try:
        verified = TrustStore(files.trust_anchors, list(files.crl_files)).verify(cert)
    except CertificateRefused as exc:
        raise CliError(f"refused ({exc.reason}): {exc}") from None
    print(f"valid: OIN {verified.oin}, chain of {len(verified.chain)}; {_afnemer_status(config, verified.oin)}")
    return 0


def _afnemer_status(config: Config, oin: str) -> str:
    """Whether the node would serve this OIN: knoop.toml afnemers and those added with
    ``knoop-esb afnemers add`` (the store), looked up as the node does."""
    from sqlalchemy.exc import SQLAlchemyError

    from knoop_esb.afnemers.registry import Registry
    from knoop_esb.store.db import database

    try:
        known = Registry(config, database(config)).get(oin)
    except SQLAlchemyError as exc:
        known = Registry(config).get(oin)
        if known is None:
            return f"not in knoop.toml; store not readable ({str(exc).splitlines()[0]})"
    if known is None:
        return "NOT a known afnemer (StUF052)"
    status = f"afnemer ({'knoop.toml' if known.bron == 'config' else 'store'}), profiel {known.profiel}"
    return status if known.actief else status + ", inactief: may ask nothing"
