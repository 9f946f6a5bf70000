"""Distribution of kennisgevingen at the store seam: the cost per stored change (a vestiging's
handelsnaam saved with ``handelsregister.save`` and committed) with 342 area subscriptions (one
afnemer per municipality, through a woonplaats → gemeente table of 342 × 8 woonplaatsen) and
10 000 object subscriptions, on SQLite (and PostgreSQL when KNOOP_DATABASE_URL points at one).
Floor: the same change in the same run on a store without the distributor. Target: < 1 ms of
distribution per stored change nobody follows; a followed change also pays for the diff, two
Lk01s emitted, cut, schema-validated and queued (one area and one object subscriber).

Rounds alternate floor / not followed / followed so drift hits all three alike; the headline is the
median per-change time of each."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from knoop_esb.config import load
from knoop_esb.kennisgevingen import abonnementen
from knoop_esb.kennisgevingen.verdeling import Verdeler
from knoop_esb.paths import REPO_ROOT
from knoop_esb.store import handelsregister as hr
from knoop_esb.store.bulk import save_many
from knoop_esb.store.models import Afnemerindicatie
from knoop_esb.transform.model import Adres, Handelsnaam, MaatschappelijkeActiviteit, Vestiging, to_dict
from knoop_esb.vraag.opslag import items, ves_zoek
from tests.fixtures.store import fresh_database

GEMEENTEN = 342
WOONPLAATSEN = 8  # per gemeente
OBJECTEN = 10_000
BEDRIJVEN = 400  # stored companies the changes go to
ROUNDS = 7
PER_ROUND = 40


def _oin(i: int) -> str:
    return f"000000991{i:011d}"


def _config(tmp: Path):
    afnemers = "".join(f"""
[[afnemers.afnemer]]
oin = "{_oin(g)}"
naam = "Gemeente {g}"
applicatie = "GEGEVENSMAGAZIJN"
autorisatieprofielen = ["handelsregister"]
kennisgeving_url = "https://127.0.0.1:9/{g}"
""" for g in range(GEMEENTEN))
    path = tmp / "knoop.toml"
    path.write_text(f"""
[node]
oin = "00000099000000000000"
data_dir = "{tmp}"

[schemas]
dir = "{REPO_ROOT / 'var' / 'schemas'}"
{afnemers}""", encoding="utf-8")
    return load(path, environ={})


def _plaats(i: int) -> tuple[str, str]:
    """Company i's woonplaats: the even ones in a subscribed municipality, the odd ones elsewhere."""
    if i % 2:
        return "Buitenland-op-Zee", f"{9000 + i % 900}ZZ"
    g = i % GEMEENTEN
    return f"Plaats {g}-{i % WOONPLAATSEN}", f"{1000 + g}AB"


def _bedrijf(i: int, naam: str = "") -> MaatschappelijkeActiviteit:
    plaats, postcode = _plaats(i)
    kvk, nr = f"{30000000 + i}", f"{i:012d}"
    ves = Vestiging(vestigingsnummer=nr, kvk_nummer=kvk, commercieel=True, hoofdvestiging=True,
                    handelsnamen=(Handelsnaam(naam or f"Bedrijf {i}", 0),),
                    adressen=(Adres(type="bezoekadres", straatnaam="Markt", huisnummer=1, postcode=postcode,
                                    plaats=plaats),), datum_aanvang="20200101")
    return MaatschappelijkeActiviteit(kvk_nummer=kvk, naam=f"Bedrijf {i} B.V.", datum_aanvang="20200101",
                                      handelsnamen=(Handelsnaam(f"Bedrijf {i} B.V.", 0),), hoofdvestiging=ves)


def _vul(db, config) -> None:
    with db.session() as s:
        csv = "woonplaats,gemeentecode\n" + "".join(f"Plaats {g}-{k},{g + 1:04d}\n" for g in range(GEMEENTEN)
                                                     for k in range(WOONPLAATSEN))
        abonnementen.gemeenten_laden(s, csv)
        for g in range(GEMEENTEN):
            abonnementen.gebied_plaatsen(s, _oin(g), abonnementen.gebied("gemeente", str(g + 1)))
        # 10 000 object subscriptions on companies elsewhere (afnemerindicatie rows, placed in bulk:
        # their beginstand is not what is measured here); every 4th followed company has one.
        rijen = [dict(afnemer_oin=_oin(j % GEMEENTEN), entiteittype="MAC", object_sleutel=f"{50000000 + j}",
                      bron="vraag") for j in range(OBJECTEN - BEDRIJVEN // 4)]
        rijen += [dict(afnemer_oin=_oin((i + 1) % GEMEENTEN), entiteittype="MAC", object_sleutel=f"{30000000 + i}",
                       bron="vraag") for i in range(0, BEDRIJVEN, 4)]
        s.execute(Afnemerindicatie.__table__.insert(), rijen)
        save_many(s, [p for i in range(BEDRIJVEN) for p in items([_bedrijf(i)])])


def _wijzig(db, bedrijven: list[int], ronde: int) -> float:
    """Seconds per change: one vestiging's new handelsnaam, saved and committed."""
    start = time.perf_counter()
    for i in bedrijven:
        ves = _bedrijf(i, naam=f"Bedrijf {i} ronde {ronde}").hoofdvestiging
        with db.session() as s:
            hr.save(s, ves_zoek(ves), to_dict(ves))
    return (time.perf_counter() - start) / len(bedrijven)


def _engine(config) -> dict:
    with tempfile.TemporaryDirectory() as t1, tempfile.TemporaryDirectory() as t2, \
            fresh_database(Path(t1)) as kaal, fresh_database(Path(t2)) as db:
        verdeler = Verdeler(config)
        _vul(kaal, config)
        _vul(db, config)
        db.aansluiten(verdeler)
        gevolgd = [i for i in range(BEDRIJVEN) if i % 2 == 0][:PER_ROUND]
        niet = [i for i in range(BEDRIJVEN) if i % 2 == 1][:PER_ROUND]
        _wijzig(db, gevolgd[:3], 0)  # warm: schemas compiled, the area index built
        vloer, leeg, vol = [], [], []
        for ronde in range(1, ROUNDS + 1):
            vloer.append(_wijzig(kaal, niet, ronde))
            leeg.append(_wijzig(db, niet, ronde))
            vol.append(_wijzig(db, gevolgd, ronde))
        with db.session() as s:
            from sqlalchemy import func, select

            from knoop_esb.store.models import Outbox

            berichten = s.scalar(select(func.count()).select_from(Outbox))
    m_vloer, m_leeg, m_vol = (statistics.median(x) * 1000 for x in (vloer, leeg, vol))
    return {"save + commit without distributor (floor, ms)": m_vloer,
            "change nobody follows (ms)": m_leeg,
            "distribution, nobody follows (ms over floor)": m_leeg - m_vloer,
            "ratio to floor, nobody follows": m_leeg / m_vloer,
            "change followed by 2 afnemers (ms)": m_vol,
            "distribution, followed (ms over floor)": m_vol - m_vloer,
            "ratio to floor, followed": m_vol / m_vloer,
            "outbox rows written": berichten}


def run() -> dict:
    figures: dict = {"_doc": __doc__.split("\n\n")[0].replace("\n", " "), "area subscriptions": GEMEENTEN,
                     "object subscriptions": OBJECTEN, "changes per measurement": PER_ROUND * ROUNDS}
    with tempfile.TemporaryDirectory() as tmp:
        config = _config(Path(tmp))
        saved = os.environ.pop("KNOOP_DATABASE_URL", None)
        try:
            rows = {"SQLite": _engine(config)}
        finally:
            if saved is not None:
                os.environ["KNOOP_DATABASE_URL"] = saved
        if saved and saved.startswith("postgresql"):
            rows["PostgreSQL"] = _engine(config)
    figures["per stored change"] = [{"engine": e, **{k: v for k, v in r.items()}} for e, r in rows.items()]
    return figures
