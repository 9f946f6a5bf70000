"""``knoop-esb kvk-testserver``: the built-in KVK test source on its own, until Ctrl-C."""
from __future__ import annotations

import threading

from knoop_esb.kvktest.server import TEST_API_KEY, start_in_thread


def register(sub) -> None:
    parser = sub.add_parser("kvk-testserver", help="serve the built-in KVK test source over HTTP")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one, printed)")
    parser.add_argument("--seed", default="knoop", help="seed of the Mutatieservice signal stream")
    parser.add_argument("--signaal-interval", type=float, default=30.0, metavar="SECONDS",
                        help="seconds between Mutatieservice signals (KVK's test environment: 30)")
    parser.set_defaults(func=run)


def run(args, config) -> int:
    if args.signaal_interval <= 0:
        from knoop_esb.cli import CliError

        raise CliError("--signaal-interval must be greater than 0")
    try:
        base_url, stop = start_in_thread(args.host, args.port, api_keys=[config.kvk.api_key],
                                         seed=args.seed, signaal_interval=args.signaal_interval)
    except OSError as exc:
        from knoop_esb.cli import CliError

        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"KVK test source: {base_url}", flush=True)
    shown_key = "(your kvk.api_key)" if config.kvk.api_key else f"\"{TEST_API_KEY}\""  # a configured key is a secret
    print(f"  kvk.base_url = \"{base_url}\"   kvk.api_key = {shown_key}", flush=True)
    print(f"  try: curl -H 'apikey: {TEST_API_KEY}' '{base_url}/api/v2/zoeken?naam=Donald'", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0
