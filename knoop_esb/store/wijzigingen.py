"""The one seam between saving Handelsregister data and telling subscribers about it.

Why here: every path that changes a company — a vraag's KVK fetch, the sync engine, an inbound
kennisgeving, an operator's refresh, a bulk load — saves through ``handelsregister.save`` /
``handelsregister.end`` / ``bulk.save_many``. Those note a :class:`Wijziging` on the session;
when the session commits, the listeners attached to its :class:`~knoop_esb.store.db.Database` get
every change of that transaction *inside* it (``before_commit``), so what they write (outbox
entries) commits or rolls back together with the change itself. A save that changes nothing notes
nothing.

The store does not know what the listeners do: the kennisgevingen distributor attaches itself to
the process's database (``store.db.database(config)``), tests attach their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Sequence

from sqlalchemy.orm import Session

_KEY = "knoop.wijzigingen"


@dataclass(frozen=True)
class Wijziging:
    """One object's change in one transaction: ``oud`` is None for a new object; ``nieuw`` is the
    data after the change (an ended object keeps its data and gets ``eind_geldigheid``)."""

    entiteittype: str  # "MAC" | "NNP" | "VES"
    sleutel: str
    oud: dict[str, Any] | None
    nieuw: dict[str, Any]
    tijdstip: datetime
    bron: str
    eind_geldigheid_oud: date | None = None
    eind_geldigheid: date | None = None
    versie_id: int | None = None


Luisteraar = Callable[[Session, Sequence[Wijziging]], None]


def noteer(session: Session, wijziging: Wijziging) -> None:
    """Remember a change until the session commits (called by the repository functions)."""
    session.info.setdefault(_KEY, []).append(wijziging)


def genoteerd(session: Session) -> list[Wijziging]:
    """The changes noted and not yet handed to the listeners (read-only view for callers)."""
    return list(session.info.get(_KEY, ()))


def afgeven(session: Session) -> list[Wijziging]:
    """Take the noted changes off the session (the Database's commit hook calls this)."""
    return session.info.pop(_KEY, [])


def vergeten(session: Session) -> None:
    """Drop the noted changes (rollback: they never happened)."""
    session.info.pop(_KEY, None)
