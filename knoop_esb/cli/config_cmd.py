"""``knoop-esb config``: check the configuration, show it, or render its documentation."""
from __future__ import annotations

import json

from knoop_esb.config import render_docs


def register(sub) -> None:
    parser = sub.add_parser("config", help="check, show or document the configuration")
    parser.add_argument("action", choices=["check", "show", "docs"])
    parser.set_defaults(func=run)


def run(args, config) -> int:
    if args.action == "check":
        print(f"configuration ok ({config.source or 'defaults only'})")
    elif args.action == "show":
        print(json.dumps(config.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_docs())
    return 0
