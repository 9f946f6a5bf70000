"""The store at work: Handelsregister saves (first versions, new versions, unchanged) and the
searches a vraag makes, on SQLite (and on PostgreSQL when KNOOP_DATABASE_URL points at one),
with some thousands of vestigingen (the figures are per operation, so the machine matters more than N). Also outbox add + claim + delivered per second."""
from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from knoop_esb.store import handelsregister as hr
from knoop_esb.store import outbox
from knoop_esb.store.bulk import save_many
from tests.fixtures.store import fresh_database

N = 5_000
BATCH = 500
WOORDEN = ["Bakkerij", "Café", "Kapsalon", "Installatiebedrijf", "Adviesbureau", "Garage", "Bloemenhuis", "Slagerij"]
PLAATSEN = [("Utrecht", "Oudegracht"), ("Amsterdam", "Damrak"), ("'s-Hertogenbosch", "Markt"), ("Zwolle", "Diezerstraat")]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _ves(i: int, versie: int = 1) -> tuple[hr.VesZoek, dict]:
    rnd = random.Random(i)
    naam = f"{rnd.choice(WOORDEN)} {rnd.choice(['De Zon', 'Het Anker', 'Van Dijk', 'Jansen', 'Noord'])} {i}"
    plaats, straat = rnd.choice(PLAATSEN)
    postcode = f"{1000 + i % 8999}{'ABCDEFGH'[i % 8]}{'KLMNPRST'[i // 8 % 8]}"
    adres = hr.Adres(postcode=postcode, huisnummer=1 + i % 200, woonplaats=plaats, straatnaam=straat)
    zoek = hr.VesZoek(vestigingsnummer=f"{i:012d}", kvk_nummer=f"{10000000 + i // 3}", handelsnamen=(naam,), adres=adres)
    data = {"vestigingsnummer": zoek.vestigingsnummer, "kvkNummer": zoek.kvk_nummer, "handelsnamen": [naam],
            "adres": {"postcode": postcode, "huisnummer": adres.huisnummer, "plaats": plaats}, "versie": versie,
            "sbi": [{"code": "1071", "omschrijving": "Vervaardiging van brood", "hoofdactiviteit": True}]}
    return zoek, data


def _saves(db, versie: int, tijdstip: datetime) -> float:
    start = time.perf_counter()
    for first in range(0, N, BATCH):
        with db.session() as s:
            for i in range(first, min(first + BATCH, N)):
                zoek, data = _ves(i, versie)
                hr.save(s, zoek, data, tijdstip=tijdstip, begin_geldigheid=tijdstip.date())
    return N / (time.perf_counter() - start)


def _bulk(db) -> float:
    start = time.perf_counter()
    for first in range(N, 2 * N, BATCH):
        with db.session() as s:
            save_many(s, [_ves(i) for i in range(first, first + BATCH)], tijdstip=T0)
    return N / (time.perf_counter() - start)


def _queries(db, name: str, fn, seconds: float = 1.0) -> dict:
    n, start = 0, time.perf_counter()
    rnd = random.Random(7)
    with db.session() as s:
        while time.perf_counter() - start < seconds:
            fn(s, rnd.randrange(N))
            n += 1
    return {"query": name, "per second": n / (time.perf_counter() - start)}


def _engine(db) -> list[dict]:
    rows = [{"operation": "save, new object", "per second": _saves(db, 1, T0)},
            {"operation": "save, unchanged", "per second": _saves(db, 1, T0 + timedelta(days=1))},
            {"operation": "save, new version", "per second": _saves(db, 2, T0 + timedelta(days=2))},
            {"operation": f"save_many (batches of {BATCH}), new object", "per second": _bulk(db)}]
    zoek = [_ves(i)[0] for i in range(N)]  # the search keys, built before the clock runs
    queries = [
        _queries(db, "actueel by vestigingsnummer", lambda s, i: hr.actueel(s, "VES", f"{i:012d}")),
        _queries(db, "op_datum (materieel)", lambda s, i: hr.op_datum(s, "VES", f"{i:012d}", date(2026, 1, 2))),
        _queries(db, "postcode + huisnummer", lambda s, i: hr.zoek_vestigingen(
            s, postcode=zoek[i].adres.postcode, huisnummer=zoek[i].adres.huisnummer)),
        _queries(db, "handelsnaam exact", lambda s, i: hr.zoek_vestigingen(s, handelsnaam=zoek[i].handelsnamen[0])),
        _queries(db, "handelsnaam prefix (max 15)", lambda s, i: hr.zoek_vestigingen(
            s, handelsnaam=zoek[i].handelsnamen[0][:12], match="prefix", limit=15)),
        _queries(db, "handelsnaam bevat (max 15)", lambda s, i: hr.zoek_vestigingen(
            s, handelsnaam=f"jansen {i}", match="bevat", limit=15)),
        _queries(db, "alle vestigingen van een kvkNummer", lambda s, i: hr.zoek_vestigingen(s, kvk_nummer=f"{10000000 + i // 3}")),
    ]
    return rows + [{"operation": q["query"], "per second": q["per second"]} for q in queries] + [_outbox(db)]


def _outbox(db) -> dict:
    m = 2000
    start = time.perf_counter()
    with db.session() as s:
        for i in range(m):
            outbox.add(s, referentienummer=f"bench-{i}", afnemer_oin="00000099000000000001", berichtcode="Lk01",
                       entiteittype="VES", object_sleutel=f"{i % 500:012d}", payload="<kennisgeving/>")
    done = 0
    while done < m:
        with db.session() as s:
            batch = outbox.claim(s, limit=50)
        if not batch:
            break
        with db.session() as s:
            for msg in batch:
                outbox.delivered(s, msg.id)
        done += len(batch)
    return {"operation": "outbox add + claim + delivered", "per second": done / (time.perf_counter() - start)}


def run() -> dict:
    figures: dict = {"_doc": __doc__.split("\n\n")[0].replace("\n", " "), "vestigingen": N}
    saved = os.environ.pop("KNOOP_DATABASE_URL", None)
    try:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as db:
            figures["SQLite (per second)"] = _engine(db)
    finally:
        if saved is not None:
            os.environ["KNOOP_DATABASE_URL"] = saved
    if saved and saved.startswith("postgresql"):
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as db:
            figures["PostgreSQL (per second)"] = _engine(db)
    return figures
