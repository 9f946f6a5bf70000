"""Tables of the priority refresh and the bulk load: operator labels on companies (Priority 1 of
seed 002 §2 is "companies with public innovation labels") and the checkpoint of ``knoop-esb load``.

Labels are the node's own administration, not Handelsregister data: they have no history and
their changes are no kennisgevingen.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knoop_esb.store.base import Base, BigId, UtcDateTime, utcnow


class BedrijfLabel(Base):
    """One label an operator set on a company (``knoop-esb sync label add``)."""

    __tablename__ = "bedrijf_label"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kvk_nummer: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kvk_nummer", "label", name="uq_bedrijf_label_kvk_nummer_label"),)


class LaadVoortgang(Base):
    """How far ``knoop-esb load`` got in one file: written in the transaction of each batch, so
    after a crash the load resumes exactly after the last committed line."""

    __tablename__ = "laad_voortgang"
    bestand: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha-256 of the file's first 64 KiB
    pad: Mapped[str] = mapped_column(String(1000))
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes committed
    regel: Mapped[int] = mapped_column(Integer, default=0)  # lines committed
    bedrijven: Mapped[int] = mapped_column(Integer, default=0)
    nieuw: Mapped[int] = mapped_column(Integer, default=0)
    gewijzigd: Mapped[int] = mapped_column(Integer, default=0)
    ongewijzigd: Mapped[int] = mapped_column(Integer, default=0)
    fouten: Mapped[int] = mapped_column(Integer, default=0)
    fout_regels: Mapped[str] = mapped_column(Text, default="")  # the first line numbers, comma-separated
    klaar: Mapped[bool] = mapped_column(Boolean, default=False)
    bijgewerkt: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
