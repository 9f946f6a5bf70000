"""``knoop-esb config``: check the configuration, show it, or render its documentation.

``check`` catches before serving what would otherwise stop the node later or quietly serve the
wrong thing: every file the configuration names is opened and parsed (certificate, key, trust
anchors, CRLs, CA bundles), the key must belong to the certificate, what expires within 30 days is
named, and a ``KNOOP_*`` variable that sets nothing is named as the probable typo it is. (The
database URL's dialect and driver are checked when the configuration loads, for every command.)
"""
from __future__ import annotations

import json

from knoop_esb.config import Config, render_docs


def register(sub) -> None:
    parser = sub.add_parser("config", help="check, show (secrets masked), document the configuration, or print the example")
    parser.add_argument("action", choices=["check", "show", "docs", "example"],
                        help="example: the annotated knoop.toml of the package, to start a production one from")
    parser.set_defaults(func=run, reports_config_warnings=True)


def run(args, config: Config) -> int:
    if args.action == "check":
        return check(config)
    from knoop_esb.cli import fail

    for warning in config.warnings:
        fail(f"warning: {warning}")
    if args.action == "show":
        print(json.dumps(config.as_dict(), indent=2, ensure_ascii=False))
    elif args.action == "example":
        from knoop_esb.paths import EXAMPLE_CONFIG

        print(EXAMPLE_CONFIG.read_text(encoding="utf-8"), end="")
    else:
        print(render_docs())
    return 0


def check(config: Config) -> int:
    """Print every finding; exit 2 when any is an error (a typo'd variable counts as one)."""
    from knoop_esb.digikoppeling.tlscheck import check_ca_bundles, check_tls

    bevindingen = check_tls(config) + check_ca_bundles(config)
    fouten = list(config.warnings) + [str(b) for b in bevindingen if b.ernst == "fout"]
    for line in fouten:
        print(f"error: {line}")
    for b in bevindingen:
        if b.ernst == "waarschuwing":
            print(f"warning: {b}")
    source = config.source or "defaults only"
    if fouten:
        print(f"configuration has {len(fouten)} error{'s' if len(fouten) > 1 else ''} ({source})")
        return 2
    print(f"configuration ok ({source})")
    return 0
