"""Tables of area subscriptions: an afnemer follows every company with a vestiging in its area
(woonplaatsen, postcode ranges, gemeenten), and the woonplaats → gemeente table the operator
loads to resolve gemeentecodes. Object subscriptions are the ``afnemerindicatie`` table."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from knoop_esb.store.base import Base, BigId, UtcDateTime, utcnow


class GebiedAbonnement(Base):
    """One area an afnemer follows: ``soort`` woonplaats (``waarde`` the name), postcode (``waarde``
    … ``tot``, 4 or 6 characters) or gemeente (``waarde`` the 4-digit gemeentecode). ``sleutel`` is
    the normalised value the node matches on (and keeps unique per afnemer)."""

    __tablename__ = "gebied_abonnement"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    afnemer_oin: Mapped[str] = mapped_column(String(20))
    soort: Mapped[str] = mapped_column(String(16))
    waarde: Mapped[str] = mapped_column(String(100))
    sleutel: Mapped[str] = mapped_column(String(100))
    tot: Mapped[str] = mapped_column(String(10), default="", server_default="")
    sinds: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    bron: Mapped[str] = mapped_column(String(32), default="operator")

    __table_args__ = (
        UniqueConstraint("afnemer_oin", "soort", "sleutel", "tot", name="uq_gebied_abonnement_gebied"),
    )


class WoonplaatsGemeente(Base):
    """woonplaats → gemeente, as the operator loads it from CSV (the BAG's woonplaatsen per gemeente)."""

    __tablename__ = "woonplaats_gemeente"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    woonplaats: Mapped[str] = mapped_column(String(100))
    woonplaats_norm: Mapped[str] = mapped_column(String(100))
    gemeentecode: Mapped[str] = mapped_column(String(4))
    gemeentenaam: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        UniqueConstraint("woonplaats_norm", "gemeentecode", name="uq_woonplaats_gemeente_paar"),
        Index("ix_woonplaats_gemeente_gemeentecode", "gemeentecode"),
    )


class AbonnementVersie(Base):
    """One row: raised by every change of the area tables, so each process's in-memory area index
    knows with one primary-key read whether it is still current."""

    __tablename__ = "abonnement_versie"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    versie: Mapped[int] = mapped_column(BigInteger, default=0)
