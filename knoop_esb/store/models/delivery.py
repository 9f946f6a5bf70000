"""Tables of delivery: the outbox of kennisgevingen per afnemer and the WS-Security replay cache."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knoop_esb.store.base import Base, BigId, UtcDateTime, utcnow


class Outbox(Base):
    """One kennisgeving for one afnemer endpoint. ``volgnummer`` orders the messages of one object
    for one afnemer endpoint: a message is only handed out when all earlier ones are delivered or dead."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    referentienummer: Mapped[str] = mapped_column(String(40), unique=True)
    afnemer_oin: Mapped[str] = mapped_column(String(20))
    # The afnemer's delivery endpoint by name (config/afnemers.py Endpoint.naam); order is per endpoint.
    endpoint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    berichtcode: Mapped[str] = mapped_column(String(10))
    entiteittype: Mapped[str] = mapped_column(String(10))
    object_sleutel: Mapped[str] = mapped_column(String(40))
    volgnummer: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    # pending → delivering (lease until next_attempt_at) → delivered | pending (retry) | dead
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("afnemer_oin", "endpoint", "entiteittype", "object_sleutel", "volgnummer",
                         name="uq_outbox_volgorde"),
        Index("ix_outbox_claim", "status", "next_attempt_at"),
    )


class ReplayCache(Base):
    """WS-Addressing MessageIDs seen, kept until the message could no longer be accepted anyway."""

    __tablename__ = "replay_cache"
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
