"""Signed (2W-be-S) against unsigned (2W-be) vraag/antwoord over loopback HTTPS with mutual TLS:
the same macLv01 answered from the store by ``knoop-esb serve`` in its own process (default
``node.workers``), once by afnemer-demo (2W-be) and once by afnemer-signed (2W-be-S: the node
verifies the request's WS-Security signature, chain and OIN, records the MessageID against replay,
and signs its answer with SignatureConfirmation). Target: signed ≥ 60 % of unsigned throughput.

Load: ``benchmarks.loadgen`` in its own process (one thread per client, blocking keep-alive mTLS
sockets, answers read by Content-Length). The signed requests are signed beforehand with
``digikoppeling.signing.sign_envelope`` (each with its own MessageID and Timestamp, each sent once:
the node refuses a replay), so the client's signing cost is not in the figures; the client does
not verify the signed answers (it checks that they are La01s carrying a signature).

Per client count an unsigned and a signed run of 2 s follow each other nine times. ``signed_pct``
is the median of the nine paired ratios: on this shared VM the machine's speed drifts by tens of
percent over seconds, and a drift hits both runs of a pair alike, while the ratio of separately
chosen median runs mixes moments. The throughput and p99 columns are the median runs of each."""
from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from lxml import etree

from knoop_esb import logs
from knoop_esb.stuf.ns import BG
from tests.fixtures.node import afnemers_toml

DUUR = 2.0
CLIENTS = (1, 8, 32)
RONDES = 9  # paired unsigned/signed runs; one pair's share moved up to ten points with the VM
ONDERTEKEND_PER_RUN = 1500  # more than the node answers in DUUR seconds
PATH = "/stuf/bg0310/BeantwoordVraag"
DEMO, SIGNED = "00000099000000000001", "00000099000000000002"

AFNEMERS = afnemers_toml(demo_applicatie="VERGUNNING")


def _aanvragen(base: str, oin: str, n: int, pki=None) -> list[bytes]:
    from knoop_esb.digikoppeling.profiles import profiel
    from knoop_esb.digikoppeling.signing import Ondertekenaar, sign_envelope
    from tests.fixtures.node import soap_envelope
    from tests.fixtures.vraag import lv01

    from benchmarks.bench_vraag import KVK

    signer = Ondertekenaar.from_files(pki.cert("afnemer-signed"), pki.key("afnemer-signed")) if pki else None
    uit = []
    for _ in range(n):
        envelope = soap_envelope(lv01("MAC", {"kvkNummer": KVK}, zender=oin), to=base + PATH, sender_oin=oin)
        if signer is not None:
            root = sign_envelope(etree.fromstring(envelope), signer, profiel("2W-be-S"))
            envelope = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        uit.append(envelope)
    return uit


def _mediaan(runs: list[dict]) -> dict:
    """The run with the median throughput (its own p99 with it)."""
    return sorted(runs, key=lambda r: r["requests_per_s"])[len(runs) // 2]


def run() -> dict:
    from benchmarks import bench_vraag, loadgen

    logs.setup("WARNING")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config, pki = bench_vraag._opzet(tmp, afnemers=AFNEMERS)
        proces, base = bench_vraag._server(config, pki)
        try:
            ongetekend = tmp / "2W-be.bin"
            loadgen.write_bodies(ongetekend, _aanvragen(base, DEMO, 1))
            rijen = []
            for n in CLIENTS:
                gemeten: dict[str, list[dict]] = {"2W-be": [], "2W-be-S": []}
                for ronde in range(RONDES):
                    for naam, oin, identiteit, expect in (("2W-be", DEMO, "afnemer-demo", "macLa01"),
                                                          ("2W-be-S", SIGNED, "afnemer-signed", "SignatureValue")):
                        bestand = ongetekend
                        if naam == "2W-be-S":
                            bestand = tmp / f"2W-be-S-{n}-{ronde}.bin"
                            loadgen.write_bodies(bestand, _aanvragen(base, oin, ONDERTEKEND_PER_RUN, pki))
                        gemeten[naam].append(loadgen.measure(
                            port=config.node.port, path=PATH, soap_action=f"{BG}/macLv01", ca=pki.ca,
                            cert=pki.cert(identiteit), key=pki.key(identiteit), requests=bestand, connections=n,
                            seconds=DUUR, once=naam == "2W-be-S", expect=expect))
                u, s = (_mediaan(gemeten[naam]) for naam in ("2W-be", "2W-be-S"))
                paren = [100 * b["requests_per_s"] / a["requests_per_s"]
                         for a, b in zip(gemeten["2W-be"], gemeten["2W-be-S"])]
                rijen.append({"clients": n, "unsigned_per_s": u["requests_per_s"], "signed_per_s": s["requests_per_s"],
                              "signed_pct": round(statistics.median(paren), 1),
                              "signed_pct_per_round": " / ".join(f"{pct:.1f}" for pct in paren),
                              "unsigned_p99_ms": u["p99_ms"], "signed_p99_ms": s["p99_ms"]})
        finally:
            proces.terminate()
            proces.wait(20)
    return {"_doc": __doc__.strip(), "vraag_antwoord": rijen}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
