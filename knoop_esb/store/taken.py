"""The last run of each scheduled sync job, for ``knoop-esb sync status``: when it started and
ended, how it ended, its last error and its summary. One row per job id, overwritten per run."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knoop_esb.store.base import utcnow
from knoop_esb.store.models import SyncTaak


def _row(session: Session, taak_id: str) -> SyncTaak:
    row = session.get(SyncTaak, taak_id)
    if row is None:
        row = SyncTaak(taak_id=taak_id, status="nooit")
        session.add(row)
    return row


def gestart(session: Session, taak_id: str, *, now: datetime | None = None) -> None:
    row = _row(session, taak_id)
    row.gestart_at, row.status = now or utcnow(), "bezig"
    session.flush()


def klaar(session: Session, taak_id: str, samenvatting: dict[str, Any], *, now: datetime | None = None) -> None:
    row = _row(session, taak_id)
    row.klaar_at, row.status, row.samenvatting = now or utcnow(), "ok", samenvatting
    session.flush()


def fout(session: Session, taak_id: str, melding: str, *, now: datetime | None = None) -> None:
    row = _row(session, taak_id)
    now = now or utcnow()
    row.klaar_at, row.status, row.laatste_fout, row.laatste_fout_at = now, "fout", melding[:2000], now
    session.flush()


def alle(session: Session) -> dict[str, SyncTaak]:
    return {row.taak_id: row for row in session.scalars(select(SyncTaak))}
