"""The ``knoop-esb`` command. Each subcommand lives in its own module under ``knoop_esb.cli``
and exposes ``register(subparsers)``; it sets ``func(args, config) -> int`` on its parser."""
from __future__ import annotations

import argparse
import importlib
import sys

from knoop_esb import __version__
from knoop_esb.config import ConfigError, load

# Module names under knoop_esb.cli, in the order `--help` lists them.
COMMANDS = [
    "serve",
    "schemas",
    "config_cmd",
    "db",
    "pki",
    "kvk_testserver",
    "kvk",
    "afnemers",
    "protocol",
    "mapping",
    "abonnementen",
    "refresh",
    "worker",
    "outbox",
    "ontvanger_demo",
    "sync",
    "load_cmd",
]


class CliError(Exception):
    """A user-facing failure: printed as one line, exit code 1 (2 for configuration)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="knoop-esb", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"knoop-esb {__version__}")
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: $KNOOP_CONFIG or ./knoop.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"knoop_esb.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"knoop_esb.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        config = load(args.config)
    except ConfigError as exc:
        print(f"knoop-esb: {exc}", file=sys.stderr)
        return 2
    from knoop_esb import logs

    logs.setup(config.logging.level, config.logging.format)
    try:
        return int(args.func(args, config) or 0)
    except ConfigError as exc:
        print(f"knoop-esb: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"knoop-esb: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
