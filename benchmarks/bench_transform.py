"""KVK Basisprofiel JSON → canonical model → StUF-BG 0310 objects (MAC, NNP, hoofdvestiging VES),
each put in an La01 and validated against the official schemas: objects per CPU-second (one core).
Also the split: adapter + emit alone, schema validation alone, and kennisgevingen (diff) per second."""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

from knoop_esb.stuf.schemas import registry
from knoop_esb.transform import diff, emit, kvk
from tests.fixtures.stuf import INSTALLED as SCHEMAS
from tests.fixtures.transform import la01, lk01

HERE = Path(__file__).resolve().parent
INPUT = HERE.parent / "tests" / "golden" / "transform" / "input" / "bv_statutaire_naam_rsin.json"
TARGET = 2000


def _objecten(data: dict) -> list:
    model = kvk.basisprofiel(data["basisprofiel"], vestigingen=data["vestigingen"])
    return [("MAC", emit.mac(model)), ("NNP", emit.nnp(model)), ("VES", emit.ves(model.hoofdvestiging, mac=model))]


def _rate(fn, seconds: float = 2.0) -> tuple[float, int]:
    """Objects per CPU-second of this process (per core), so other load on the machine does not
    count against the code; the wall-clock rate is reported next to it."""
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.process_time() - cpu < seconds:
        n += fn()
    return n / (time.process_time() - cpu), n / (time.perf_counter() - start)


def run() -> dict:
    data = json.loads(INPUT.read_text(encoding="utf-8"))
    reg = registry(SCHEMAS)
    reg.compile_all()
    berichten = [la01(ent, obj) for ent, obj in _objecten(data)]

    def volledig() -> int:
        objecten = _objecten(data)
        for ent, obj in objecten:
            reg.validate(la01(ent, obj))
        return len(objecten)

    def alleen_transform() -> int:
        return len(_objecten(data))

    def alleen_valideren() -> int:
        for bericht in berichten:
            reg.validate(bericht)
        return len(berichten)

    model = kvk.basisprofiel(data["basisprofiel"], vestigingen=data["vestigingen"])
    gewijzigd = replace(model, handelsnamen=model.handelsnamen[:1], datum_einde="20260101")

    def kennisgevingen() -> int:
        kgs = diff.kennisgevingen(model, gewijzigd)
        for kg in kgs:
            reg.validate(lk01(kg.entiteittype, kg.mutatiesoort, *kg.objecten()))
        return len(kgs)

    volledig()  # warm-up
    rate, wall = _rate(volledig)
    return {
        "_doc": __doc__.strip(),
        "validated_objects_per_s": rate,
        "target_per_s": TARGET,
        "meets_target": rate >= TARGET,
        "validated_objects_per_wall_s": wall,
        "load_average_1min": os.getloadavg()[0],
        "transform_only_objects_per_s": _rate(alleen_transform)[0],
        "validate_only_objects_per_s": _rate(alleen_valideren)[0],
        "validated_kennisgevingen_per_s": _rate(kennisgevingen)[0],
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, default=str))
