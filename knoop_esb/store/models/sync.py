"""Tables of the KVK synchronisation (seed 002): every Mutatieservice signal, the
``bedrijf_nieuw`` work queue, and every call made to KVK (for weekly counters and monthly cost)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, LargeBinary, String, Text, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from knoop_esb.store.base import Base, BigId, JsonDoc, UtcDateTime, utcnow


class KvkSignaal(Base):
    """One Mutatieservice signal as received (the seed's ``kvk_mutatieservice`` table)."""

    __tablename__ = "kvk_signaal"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    signaal_id: Mapped[str] = mapped_column(String(64), unique=True)
    signaal_type: Mapped[str] = mapped_column(String(100))
    kvk_nummer: Mapped[str | None] = mapped_column(String(8), index=True)
    tijdstip: Mapped[datetime | None] = mapped_column(UtcDateTime)
    raw: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # nieuw → verwerkt (queued or handled) | genegeerd (type the node does not act on) | fout
    status: Mapped[str] = mapped_column(String(16), default="nieuw", index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The signal's details (GET …/signalen/{id}), fetched once by the processor that needs them.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class BedrijfNieuw(Base):
    """The queue of companies/branches to fetch and store (seed 002 §3)."""

    __tablename__ = "bedrijf_nieuw"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bron: Mapped[str] = mapped_column(String(16))  # kvk | handelsdata
    kvk_nummer: Mapped[str] = mapped_column(String(8), index=True)
    vestigingsnummer: Mapped[str | None] = mapped_column(String(12))
    reden: Mapped[str] = mapped_column(String(100))
    signaal_id: Mapped[str | None] = mapped_column(String(64))
    prioriteit: Mapped[int] = mapped_column(Integer, default=5)  # 1 = first
    # pending → claimed (lease until next_attempt_at) → done | failed (after max attempts)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # "bron:kvk_nummer:vestigingsnummer" while pending or claimed, NULL afterwards: a plain unique
    # column gives "one open entry per key" portably (NULLs never collide).
    open_sleutel: Mapped[str | None] = mapped_column(String(40), unique=True)

    __table_args__ = (Index("ix_bedrijf_nieuw_claim", "status", "prioriteit", "next_attempt_at"),)


class KvkRequest(Base):
    """One HTTP call to a KVK API; ``token_id`` names the key/token, never the secret itself."""

    __tablename__ = "kvk_request"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    endpoint: Mapped[str] = mapped_column(String(64))
    token_id: Mapped[str] = mapped_column(String(64), default="")
    betaald: Mapped[bool] = mapped_column(Boolean, default=False)
    http_status: Mapped[int | None] = mapped_column(Integer)
    ipd_code: Mapped[str | None] = mapped_column(String(16))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    kosten_cent: Mapped[int] = mapped_column(Integer, default=0)


class KvkPollVenster(Base):
    """One Mutatieservice window polled to its last page (seed 002 §1: 1-week windows); the
    latest ``tot`` is the high-water mark the next poll continues from."""

    __tablename__ = "kvk_poll_venster"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    abonnement_id: Mapped[str] = mapped_column(String(64))
    vanaf: Mapped[datetime] = mapped_column(UtcDateTime)
    tot: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    signalen: Mapped[int] = mapped_column(Integer, default=0)    # signals KVK listed in the window
    nieuw: Mapped[int] = mapped_column(Integer, default=0)       # of those, stored for the first time
    gepolld_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyncTaak(Base):
    """The last run of each scheduled sync job (``sync status``); the next run is the scheduler's."""

    __tablename__ = "sync_taak"
    taak_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    gestart_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    klaar_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="nooit")   # bezig | ok | fout
    laatste_fout: Mapped[str | None] = mapped_column(Text)
    laatste_fout_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    samenvatting: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class RoosterJob(Base):
    """APScheduler's job store table (``SQLAlchemyJobStore(tablename="sync_rooster_job")``),
    declared here with APScheduler's own columns so migrations, not the scheduler, create it."""

    __tablename__ = "sync_rooster_job"
    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
