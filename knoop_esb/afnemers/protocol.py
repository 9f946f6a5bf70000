"""The protocol log: every delivery of data to an afnemer — who, which objects, which attributes,
when, on what grounds (doel) and in which exchange (referentienummer, MessageIDs).

Why in the database: a municipality must be able to tell a citizen or company who received their
data (AVG art. 15, and the BRP/HR protocolleringsplicht the afnemers know); the log survives
restarts and is shared by every node process. A delivery that cannot be logged is not made:
errors propagate to the caller.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from structlog.contextvars import get_contextvars

from knoop_esb.store.base import utcnow
from knoop_esb.store.kalender import NL
from knoop_esb.store.models import ProtocolRegel

FORMATEN = ("csv", "json")
KOLOMMEN = ("tijdstip", "afnemer_oin", "doel", "berichtcode", "entiteittype", "object_sleutels", "attribuut_paden",
            "referentienummer", "request_message_id", "response_message_id")


def protocolleer(
    session: Session,
    *,
    afnemer_oin: str,
    berichtcode: str,
    entiteittype: str,
    object_sleutels: Sequence[str],
    attribuut_paden: Sequence[str],
    doel: str = "",
    referentienummer: str | None = None,
    request_message_id: str | None = None,
    response_message_id: str | None = None,
    tijdstip: datetime | None = None,
) -> ProtocolRegel:
    """Record one delivery. MessageIDs default to the ones bound to the current log context."""
    context = get_contextvars()
    regel = ProtocolRegel(
        tijdstip=tijdstip or utcnow(), afnemer_oin=afnemer_oin, doel=doel, berichtcode=berichtcode,
        entiteittype=entiteittype, object_sleutels=list(object_sleutels), attribuut_paden=list(attribuut_paden),
        referentienummer=referentienummer,
        request_message_id=request_message_id or context.get("message_id"),
        response_message_id=response_message_id or context.get("response_message_id"),
    )
    session.add(regel)
    session.flush()
    return regel


# Built once: with the values passed as parameters, each answer skips SQLAlchemy's per-statement
# coercion and cache-key work (~0.4 ms of a ~2 ms answer).
_INSERT = insert(ProtocolRegel.__table__)


def vastleggen(session: Session | Connection, *, afnemer_oin: str, berichtcode: str, entiteittype: str,
               object_sleutels: Sequence[str], attribuut_paden: Sequence[str], doel: str = "",
               referentienummer: str | None = None, tijdstip: datetime | None = None) -> None:
    """:func:`protocolleer` for the answer path: the same row as one INSERT statement, without the
    ORM's unit of work (every La01 writes one), on a session or an (autocommit) connection."""
    context = get_contextvars()
    session.execute(_INSERT, {
        "tijdstip": tijdstip or utcnow(), "afnemer_oin": afnemer_oin, "doel": doel, "berichtcode": berichtcode,
        "entiteittype": entiteittype, "object_sleutels": list(object_sleutels),
        "attribuut_paden": list(attribuut_paden), "referentienummer": referentienummer,
        "request_message_id": context.get("message_id"), "response_message_id": context.get("response_message_id"),
    })


def vastleggen_alle(session: Session | Connection, leveringen: Sequence[dict]) -> None:
    """Many deliveries at once, one executemany INSERT (the delivery worker's batch of Bv03s). Each
    dict has :func:`protocolleer`'s keywords; all of them, MessageIDs included, are required."""
    if leveringen:
        session.execute(_INSERT, [{**levering, "object_sleutels": list(levering["object_sleutels"]),
                                   "attribuut_paden": list(levering["attribuut_paden"])} for levering in leveringen])


def regels(session: Session, *, afnemer_oin: str | None = None, van: date | None = None,
           tot: date | None = None) -> list[ProtocolRegel]:
    """Log lines from the start of ``van`` to the end of ``tot`` (Dutch calendar days, inclusive)."""
    stmt = select(ProtocolRegel).order_by(ProtocolRegel.tijdstip, ProtocolRegel.id)
    if afnemer_oin:
        stmt = stmt.where(ProtocolRegel.afnemer_oin == afnemer_oin)
    if van is not None:
        stmt = stmt.where(ProtocolRegel.tijdstip >= datetime.combine(van, time(0), NL))
    if tot is not None:
        stmt = stmt.where(ProtocolRegel.tijdstip < datetime.combine(tot + timedelta(days=1), time(0), NL))
    return list(session.scalars(stmt))


def als_dict(regel: ProtocolRegel) -> dict:
    d = {k: getattr(regel, k) for k in KOLOMMEN}
    d["tijdstip"] = regel.tijdstip.isoformat()
    return d


def export(regels_: Iterable[ProtocolRegel], formaat: str) -> str:
    """CSV (lists joined with ``|``) or a JSON array."""
    rijen = [als_dict(r) for r in regels_]
    if formaat == "json":
        return json.dumps(rijen, ensure_ascii=False, indent=2) + "\n"
    if formaat != "csv":
        raise ValueError(f"unknown format {formaat!r}; use one of {', '.join(FORMATEN)}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KOLOMMEN, lineterminator="\n")
    writer.writeheader()
    for rij in rijen:
        writer.writerow({k: "|".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in rij.items()})
    return out.getvalue()
