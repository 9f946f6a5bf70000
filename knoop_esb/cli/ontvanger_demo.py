"""``knoop-esb ontvanger-demo``: a demo gegevensmagazijn that receives kennisgevingen over HTTPS
with mutual TLS (the example PKI), logs each and answers Bv03 (Fo03 StUF055 when not schema-valid)."""
from __future__ import annotations

DEMO_POORT = 8444


def register(sub) -> None:
    parser = sub.add_parser("ontvanger-demo", help="a demo subscriber receiving kennisgevingen (example PKI)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEMO_POORT)
    parser.set_defaults(func=run)


def maak(config, host: str = "127.0.0.1", port: int = DEMO_POORT):
    """The demo Ontvanger with the node's TLS files (the example PKI's localhost certificate)."""
    from knoop_esb import paths
    from knoop_esb.bezorging.ontvanger import Ontvanger
    from knoop_esb.digikoppeling.tls import tls_files
    from knoop_esb.stuf.schemas import SchemasOntbreken, registry

    files = tls_files(config)
    try:
        schemas = registry(paths.schemas_dir(config))
    except SchemasOntbreken:
        schemas = None
    return Ontvanger(host, port, certificate=files.certificate, private_key=files.private_key,
                     trust_anchors=files.trust_anchors, schemas=schemas)


def _onderbreek(_signum, _frame):
    raise KeyboardInterrupt  # SIGTERM ends serve_forever like Ctrl-C


def run(args, config) -> int:
    import signal

    from knoop_esb.cli import CliError

    try:
        ontvanger = maak(config, args.host, args.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    signal.signal(signal.SIGTERM, _onderbreek)
    print(f"ontvanger-demo listening on {ontvanger.url} (mutual TLS, answers Bv03)", flush=True)
    try:
        ontvanger.serve_forever()
    except KeyboardInterrupt:
        pass
    print("ontvanger-demo stopped", flush=True)
    return 0
