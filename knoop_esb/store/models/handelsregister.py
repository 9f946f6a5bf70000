"""Handelsregister objects with materiële and formele historie.

Why: StUF-BG answers and kennisgevingen need "what was true on date D" (materieel) and "what did
the node know at moment T" (formeel), and the node must hold the whole country. Each object type
has one version table: a row is one version with its geldigheid [begin, eind) and its registratie
[tijdstip_registratie, tijdstip_einde_registratie), the full canonical object as JSON in ``data``,
and denormalised, indexed columns to search on. Rows are never updated except to close them
formally and to move the ``actueel`` flag (and ``fetched_at``, which is freshness, not history).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from knoop_esb.store.base import Base, BigId, JsonDoc, UtcDateTime


class Versie:
    """Columns every version table has."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    begin_geldigheid: Mapped[date] = mapped_column(Date)
    eind_geldigheid: Mapped[date | None] = mapped_column(Date)
    tijdstip_registratie: Mapped[datetime] = mapped_column(UtcDateTime)
    tijdstip_einde_registratie: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The one row get-actueel returns: formally current and the latest materially (it may carry an
    # eind_geldigheid when the object has ended). Kept as a flag so one partial unique index
    # guarantees a single actual version per key, also under concurrent writers.
    actueel: Mapped[bool] = mapped_column(Boolean)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    bron: Mapped[str] = mapped_column(String(32))
    data_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


def _actueel_unique(table: str, column: str) -> Index:
    return Index(
        f"uq_{table}_actueel_{column}",
        column,
        unique=True,
        sqlite_where=text("actueel"),
        postgresql_where=text("actueel"),
    )


class MacVersie(Versie, Base):
    """Maatschappelijke activiteit (the inschrijving), key kvk_nummer; the eenmanszaak eigenaar
    (natuurlijk persoon) lives inside ``data``."""

    __tablename__ = "mac_versie"
    kvk_nummer: Mapped[str] = mapped_column(String(8), index=True)
    rsin: Mapped[str | None] = mapped_column(String(9), index=True)
    naam: Mapped[str | None] = mapped_column(String(500))
    naam_norm: Mapped[str | None] = mapped_column(String(500))
    # The priority refresh's criteria (seed 002 §2), completed before saving (transform.kenmerken,
    # the seed's estimateData); derived from ``data``, so they are not part of its hash.
    rechtsvorm: Mapped[str | None] = mapped_column(String(100))
    oprichting: Mapped[str | None] = mapped_column(String(8))  # JJJJMMDD, unknown parts 00
    werkzame_personen: Mapped[int | None] = mapped_column(Integer)
    sbi_codes: Mapped[str | None] = mapped_column(String(500))  # " 62010 4711": LIKE '% 1%' finds prefixes
    economisch_actief: Mapped[bool | None] = mapped_column(Boolean)
    actief: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        _actueel_unique("mac_versie", "kvk_nummer"),
        Index("ix_mac_versie_naam_norm", "naam_norm", postgresql_ops={"naam_norm": "text_pattern_ops"}),
        # the refresh planner walks the actual rows oldest fetched_at first
        Index("ix_mac_versie_verversing", "fetched_at", sqlite_where=text("actueel"), postgresql_where=text("actueel")),
    )


class NnpVersie(Versie, Base):
    """Niet-natuurlijk persoon (rechtspersoon or samenwerkingsverband), key RSIN."""

    __tablename__ = "nnp_versie"
    rsin: Mapped[str] = mapped_column(String(9), index=True)
    kvk_nummer: Mapped[str | None] = mapped_column(String(8), index=True)
    statutaire_naam: Mapped[str | None] = mapped_column(String(500), index=True)
    statutaire_naam_norm: Mapped[str | None] = mapped_column(String(500))
    rechtsvorm: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        _actueel_unique("nnp_versie", "rsin"),
        Index("ix_nnp_versie_statutaire_naam_norm", "statutaire_naam_norm", postgresql_ops={"statutaire_naam_norm": "text_pattern_ops"}),
    )


class VesVersie(Versie, Base):
    """Vestiging, key vestigingsnummer; address columns are the bezoekadres (else correspondentie)."""

    __tablename__ = "ves_versie"
    vestigingsnummer: Mapped[str] = mapped_column(String(12), index=True)
    kvk_nummer: Mapped[str | None] = mapped_column(String(8), index=True)
    is_hoofdvestiging: Mapped[bool] = mapped_column(Boolean, default=False)
    is_commercieel: Mapped[bool] = mapped_column(Boolean, default=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    huisnummer: Mapped[int | None] = mapped_column(Integer)
    huisletter: Mapped[str | None] = mapped_column(String(2))
    huisnummertoevoeging: Mapped[str | None] = mapped_column(String(20))
    woonplaats: Mapped[str | None] = mapped_column(String(100))
    woonplaats_norm: Mapped[str | None] = mapped_column(String(100))
    straatnaam: Mapped[str | None] = mapped_column(String(100))
    straatnaam_norm: Mapped[str | None] = mapped_column(String(100))

    handelsnamen: Mapped[list["VesHandelsnaam"]] = relationship(
        back_populates="versie", order_by="VesHandelsnaam.volgorde", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        _actueel_unique("ves_versie", "vestigingsnummer"),
        Index("ix_ves_versie_adres", "postcode", "huisnummer", "huisletter", "huisnummertoevoeging"),
        Index("ix_ves_versie_woonplaats_straat", "woonplaats_norm", "straatnaam_norm"),
        Index("ix_ves_versie_verversing", "fetched_at", sqlite_where=text("actueel"), postgresql_where=text("actueel")),
    )


class VesHandelsnaam(Base):
    """One handelsnaam of one vestiging version, so names are searchable through an index."""

    __tablename__ = "ves_handelsnaam"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    versie_id: Mapped[int] = mapped_column(ForeignKey("ves_versie.id", ondelete="CASCADE"), index=True)
    volgorde: Mapped[int] = mapped_column(Integer)
    naam: Mapped[str] = mapped_column(String(500), index=True)
    naam_norm: Mapped[str] = mapped_column(String(500))

    versie: Mapped[VesVersie] = relationship(back_populates="handelsnamen")

    __table_args__ = (
        Index("ix_ves_handelsnaam_naam_norm", "naam_norm", postgresql_ops={"naam_norm": "text_pattern_ops"}),
    )
