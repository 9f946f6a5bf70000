"""The ``knoop-esb`` command. Each subcommand lives in its own module under ``knoop_esb.cli``
and exposes ``register(subparsers)``; it sets ``func(args, config) -> int`` on its parser."""
from __future__ import annotations

import argparse
import importlib
import sys

from knoop_esb import __version__
from knoop_esb.config import ConfigError, load
from knoop_esb.config.secrets import mask_text

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


def fail(message: object) -> None:
    """The one line a failure prints; every configured secret masked (an exception's text can
    quote a database URL with its password, or an API key)."""
    print(f"knoop-esb: {mask_text(str(message))}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        config = load(args.config)
    except ConfigError as exc:
        fail(exc)
        return 2
    from knoop_esb import logs

    logs.setup(config.logging.level, config.logging.format)
    if not getattr(args, "reports_config_warnings", False):  # `config check` reports them itself
        for warning in config.warnings:
            fail(f"warning: {warning}")
    try:
        code = int(args.func(args, config) or 0)
        sys.stdout.flush()  # inside the try: a reader that went away is found here, not at exit
        return code
    except ConfigError as exc:
        fail(exc)
        return 2
    except CliError as exc:
        fail(exc)
        return 1
    except BrokenPipeError:
        # `knoop-esb mapping convert … | head`: the reader has what it wanted. Point stdout at
        # /dev/null so the interpreter's final flush does not complain again.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
