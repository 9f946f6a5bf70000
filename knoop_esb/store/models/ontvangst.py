"""Tables of the kennisgevingen the node received (OntvangAsynchroon): one row per accepted
message, and per zender the last tijdstipBericht.

Why: StUF 03.01 §4.3 asks the receiver to refuse a zender + referentienummer it has seen
(StUF016) and a tijdstipBericht not after the zender's previous one (StUF019); both must hold
across restarts and node processes, so they live in the database, in the transaction that stores
the kennisgeving's data.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knoop_esb.store.base import Base, BigId, UtcDateTime, utcnow


class OntvangenKennisgeving(Base):
    """One accepted kennisgeving. The zender is StUF's (organisatie, applicatie, administratie);
    an absent administratie is stored as "" so the unique constraint sees it."""

    __tablename__ = "ontvangen_kennisgeving"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    zender_organisatie: Mapped[str] = mapped_column(String(200))
    zender_applicatie: Mapped[str] = mapped_column(String(50))
    zender_administratie: Mapped[str] = mapped_column(String(50), default="")
    referentienummer: Mapped[str] = mapped_column(String(40))
    tijdstip_bericht: Mapped[str] = mapped_column(String(17))  # StUF:Tijdstip padded to 17 digits
    afnemer_oin: Mapped[str] = mapped_column(String(20))  # the authenticated peer
    berichtcode: Mapped[str] = mapped_column(String(10))  # e.g. vesLk01
    entiteittype: Mapped[str] = mapped_column(String(10))
    mutatiesoort: Mapped[str] = mapped_column(String(1))
    indicator_overname: Mapped[str] = mapped_column(String(1))
    object_sleutel: Mapped[str] = mapped_column(String(40))
    ontvangen_op: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("zender_organisatie", "zender_applicatie", "zender_administratie", "referentienummer",
                         name="uq_ontvangen_kennisgeving_referentie"),
        Index("ix_ontvangen_kennisgeving_object", "entiteittype", "object_sleutel"),
    )


class OntvangstZender(Base):
    """Per zender the tijdstipBericht of its last accepted kennisgeving; its row is locked while a
    kennisgeving of that zender is checked and stored, so two at once are taken in turn."""

    __tablename__ = "ontvangst_zender"
    organisatie: Mapped[str] = mapped_column(String(200), primary_key=True)
    applicatie: Mapped[str] = mapped_column(String(50), primary_key=True)
    administratie: Mapped[str] = mapped_column(String(50), primary_key=True)
    laatste_tijdstip: Mapped[str | None] = mapped_column(String(17))
    laatste_referentienummer: Mapped[str | None] = mapped_column(String(40))
    bijgewerkt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
