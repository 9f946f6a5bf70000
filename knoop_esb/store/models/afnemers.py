"""Tables of afnemers: who they are, what they may ask and see (doelbinding), what they follow
(afnemerindicaties) and what was delivered to them (protocol log)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from knoop_esb.store.base import Base, BigId, JsonDoc, UtcDateTime, utcnow


class Afnemer(Base):
    """An afnemer managed at run time (``knoop-esb afnemers add``); knoop.toml holds the others."""

    __tablename__ = "afnemer"
    oin: Mapped[str] = mapped_column(String(20), primary_key=True)
    naam: Mapped[str] = mapped_column(String(200), default="")
    profiel: Mapped[str] = mapped_column(String(16), default="2W-be")
    applicatie: Mapped[str] = mapped_column(String(100), default="")
    kennisgeving_url: Mapped[str] = mapped_column(String(500), default="")
    actief: Mapped[bool] = mapped_column(Boolean, default=True)
    # Only for the intern profile (username/password instead of a certificate).
    gebruikersnaam: Mapped[str | None] = mapped_column(String(100), unique=True)
    wachtwoord_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    autorisaties: Mapped[list["Autorisatie"]] = relationship(
        back_populates="afnemer", cascade="all, delete-orphan", lazy="selectin"
    )
    endpoints: Mapped[list["AfnemerEndpointRij"]] = relationship(
        back_populates="afnemer", cascade="all, delete-orphan", lazy="selectin", order_by="AfnemerEndpointRij.naam"
    )


class Autorisatie(Base):
    """May this afnemer send this berichtcode about this entiteittype, selecting on which keys,
    and which attributes/relations may it see, for which doel. ``None`` lists mean "all"."""

    __tablename__ = "autorisatie"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    afnemer_oin: Mapped[str] = mapped_column(ForeignKey("afnemer.oin", ondelete="CASCADE"))
    berichtcode: Mapped[str] = mapped_column(String(10))
    entiteittype: Mapped[str] = mapped_column(String(10))
    selectie_keys: Mapped[list[str] | None] = mapped_column(JsonDoc)
    attributen: Mapped[list[str] | None] = mapped_column(JsonDoc)
    relaties: Mapped[list[str] | None] = mapped_column(JsonDoc)
    doel: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    afnemer: Mapped[Afnemer] = relationship(back_populates="autorisaties")

    __table_args__ = (UniqueConstraint("afnemer_oin", "berichtcode", "entiteittype", name="uq_autorisatie_regel"),)


class Afnemerindicatie(Base):
    """A subscription: the afnemer gets kennisgevingen about this object."""

    __tablename__ = "afnemerindicatie"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    afnemer_oin: Mapped[str] = mapped_column(String(20))
    entiteittype: Mapped[str] = mapped_column(String(10))
    object_sleutel: Mapped[str] = mapped_column(String(40))
    sinds: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    bron: Mapped[str] = mapped_column(String(32), default="vraag")

    __table_args__ = (
        UniqueConstraint("afnemer_oin", "entiteittype", "object_sleutel", name="uq_afnemerindicatie_object"),
        Index("ix_afnemerindicatie_object", "entiteittype", "object_sleutel"),
    )


class ProtocolRegel(Base):
    """One delivery of data to an afnemer: who, which objects, which attributes, when, why."""

    __tablename__ = "protocol_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tijdstip: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    afnemer_oin: Mapped[str] = mapped_column(String(20))
    doel: Mapped[str] = mapped_column(Text, default="")
    berichtcode: Mapped[str] = mapped_column(String(10))
    entiteittype: Mapped[str] = mapped_column(String(10), default="")
    object_sleutels: Mapped[list[str]] = mapped_column(JsonDoc)
    attribuut_paden: Mapped[list[str]] = mapped_column(JsonDoc)
    request_message_id: Mapped[str | None] = mapped_column(String(255))
    response_message_id: Mapped[str | None] = mapped_column(String(255))
    referentienummer: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_protocol_log_afnemer_tijdstip", "afnemer_oin", "tijdstip"),)


class AfnemerEndpointRij(Base):
    """A delivery endpoint of a store afnemer (``knoop-esb afnemers endpoint add``); the fields of
    knoop.toml's [[afnemers.afnemer.endpoint]]. Removed with its afnemer."""

    __tablename__ = "afnemer_endpoint"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    afnemer_oin: Mapped[str] = mapped_column(ForeignKey("afnemer.oin", ondelete="CASCADE"))
    naam: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500))
    profiel: Mapped[str] = mapped_column(String(16), default="")
    trust_anchors: Mapped[str] = mapped_column(String(500), default="")
    timeout: Mapped[float] = mapped_column(Float, default=10.0)
    parallel: Mapped[int] = mapped_column(Integer, default=1)
    beginstand: Mapped[str] = mapped_column(String(16), default="sa01")
    entiteittypen: Mapped[list[str]] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    afnemer: Mapped[Afnemer] = relationship(back_populates="endpoints")

    __table_args__ = (UniqueConstraint("afnemer_oin", "naam", name="uq_afnemer_endpoint_naam"),)
