"""Saving many Handelsregister objects at once (initial loads, dumps, big KVK answers).

Why: one ``handelsregister.save`` per object costs a query and a flush each; loading the country
(≈ 3.3 M vestigingen) needs batches. ``save_many`` gives exactly the history ``save`` gives: new
objects and unchanged objects are handled in bulk statements, objects that changed (and a key
that occurs twice in one batch) go through ``save`` one by one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from knoop_esb.store.base import on_postgresql, utcnow
from knoop_esb.store.handelsregister import (Zoekvelden, _aware, _digest, datum_nl, handelsnamen_waarden, save,
                                             versie_waarden)
from knoop_esb.store.models import VesHandelsnaam
from knoop_esb.store.versie import MODELS, SLEUTELS, HistorieFout
from knoop_esb.store.wijzigingen import Wijziging, noteer

CHUNK = 500


@dataclass(frozen=True)
class BulkResult:
    nieuw: int = 0
    gewijzigd: int = 0
    ongewijzigd: int = 0


def save_many(
    session: Session,
    items: Iterable[tuple[Zoekvelden, dict[str, Any]]],
    *,
    bron: str = "kvk",
    tijdstip: datetime | None = None,
    fetched_at: datetime | None = None,
) -> BulkResult:
    """Store every (zoekvelden, data) as a new state registered at ``tijdstip``, valid from its
    Dutch date — the same outcome as calling ``save`` for each, in far fewer statements."""
    tijdstip = _aware(tijdstip or utcnow())
    fetched_at = _aware(fetched_at or tijdstip)
    groepen: dict[str, list[tuple[Zoekvelden, dict[str, Any]]]] = defaultdict(list)
    for zoek, data in items:
        groepen[zoek.entiteittype].append((zoek, data))
    totaal = BulkResult()
    for et, groep in groepen.items():
        r = _save_groep(session, et, groep, bron, tijdstip, fetched_at)
        totaal = BulkResult(totaal.nieuw + r.nieuw, totaal.gewijzigd + r.gewijzigd, totaal.ongewijzigd + r.ongewijzigd)
    return totaal


def _save_groep(session: Session, et: str, groep: list, bron: str, tijdstip: datetime, fetched_at: datetime) -> BulkResult:
    actueel = _actuele_hashes(session, et, groep)
    nieuw, ongewijzigd, een_voor_een, gezien = [], [], [], set()
    for zoek, data in groep:
        sleutel = getattr(zoek, SLEUTELS[et])
        if not sleutel:
            raise HistorieFout(f"{et}: empty {SLEUTELS[et]}")
        if sleutel in gezien:
            een_voor_een.append((zoek, data))
            continue
        gezien.add(sleutel)
        digest = _digest(zoek, data)
        huidig = actueel.get(sleutel)
        if huidig is None:
            nieuw.append((zoek, versie_waarden(zoek, data, digest=digest, bron=bron, tijdstip=tijdstip,
                                                fetched_at=fetched_at, begin_geldigheid=datum_nl(tijdstip))))
        elif huidig[1] == digest and huidig[2] is None:
            ongewijzigd.append(huidig[0])
        else:
            een_voor_een.append((zoek, data))
    _insert(session, et, nieuw, bron, tijdstip)
    _touch(session, et, ongewijzigd, fetched_at)
    gewijzigd = 0
    for zoek, data in een_voor_een:
        result = save(session, zoek, data, bron=bron, tijdstip=tijdstip, fetched_at=fetched_at)
        gewijzigd += result.changed
    return BulkResult(len(nieuw), gewijzigd, len(ongewijzigd) + len(een_voor_een) - gewijzigd)


def _actuele_hashes(session: Session, et: str, groep: list) -> dict[str, tuple[int, str, Any]]:
    model = MODELS[et]
    key = getattr(model, SLEUTELS[et])
    sleutels = sorted({getattr(z, SLEUTELS[et]) for z, _ in groep if getattr(z, SLEUTELS[et])})
    found: dict[str, tuple[int, str, Any]] = {}
    for i in range(0, len(sleutels), CHUNK):
        stmt = select(key, model.id, model.data_hash, model.eind_geldigheid).where(
            key.in_(sleutels[i:i + CHUNK]), model.actueel.is_(True))
        if on_postgresql(session):
            stmt = stmt.with_for_update()
        found.update({k: (row_id, h, eind) for k, row_id, h, eind in session.execute(stmt)})
    return found


def _insert(session: Session, et: str, nieuw: Sequence[tuple[Zoekvelden, dict]], bron: str, tijdstip: datetime) -> None:
    model = MODELS[et]
    sleutel = SLEUTELS[et]
    for i in range(0, len(nieuw), CHUNK):
        chunk = nieuw[i:i + CHUNK]
        ids = session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), [r for _, r in chunk]).all()
        for row_id, (zoek, waarden) in zip(ids, chunk):
            # The same change record save() notes for a new object (store.wijzigingen).
            noteer(session, Wijziging(entiteittype=et, sleutel=getattr(zoek, sleutel), oud=None, nieuw=waarden["data"],
                                      tijdstip=tijdstip, bron=bron, versie_id=row_id))
        if et != "VES":
            continue
        namen = [dict(versie_id=row_id, **w)
                 for row_id, (zoek, _) in zip(ids, chunk) for w in handelsnamen_waarden(zoek.handelsnamen)]
        if namen:
            session.execute(insert(VesHandelsnaam), namen)


def _touch(session: Session, et: str, ids: Sequence[int], fetched_at: datetime) -> None:
    model = MODELS[et]
    for i in range(0, len(ids), CHUNK):
        session.execute(
            update(model).where(model.id.in_(ids[i:i + CHUNK]), model.fetched_at < fetched_at)
            .values(fetched_at=fetched_at).execution_options(synchronize_session=False)
        )
