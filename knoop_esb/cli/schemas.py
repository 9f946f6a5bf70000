"""``knoop-esb schemas``: install the official StUF schemas into the data dir, or check them."""
from __future__ import annotations

import sys

from knoop_esb.paths import schemas_dir


def register(sub) -> None:
    parser = sub.add_parser("schemas", help="install or check the official StUF 03.01 / StUF-BG 03.10 schemas")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="install the bundle from a directory, zip file or http(s) URL")
    install.add_argument("source", metavar="SOURCE", help="directory shaped like the bundle, a zip file, or its URL")
    install.add_argument("--dest", metavar="DIR", help="install here instead of the configured schemas dir")
    install.set_defaults(func=run_install)
    check = actions.add_parser("check", help="compile the installed schemas and report")
    check.set_defaults(func=run_check)


def run_install(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.stuf.install import InstallFout, install

    dest = args.dest or schemas_dir(config)
    try:
        result = install(args.source, dest, progress=sys.stderr.isatty())
    except InstallFout as exc:
        raise CliError(str(exc)) from None
    print(f"installed {result.bestanden} schema files from {result.bron} into {result.dir}")
    for naam, aantal in result.berichten.items():
        print(f"  {naam}: compiled, {aantal} berichten")
    return 0


def run_check(args, config) -> int:
    from knoop_esb.cli import CliError
    from knoop_esb.stuf.install import installed_info
    from knoop_esb.stuf.schemas import SchemaRegistry, SchemasOntbreken

    dest = schemas_dir(config)
    try:
        counts = SchemaRegistry(dest).compile_all()
    except SchemasOntbreken as exc:
        raise CliError(str(exc)) from None
    info = installed_info(dest)
    print(f"schemas in {dest} ok (source {info.get('source', 'unknown')}, installed {info.get('installed', 'unknown')})")
    for naam, aantal in counts.items():
        print(f"  {naam}: compiled, {aantal} berichten")
    return 0
