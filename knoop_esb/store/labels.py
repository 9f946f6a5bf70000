"""Labels an operator sets on companies (``bedrijf_label``): the refresh planner's Priority 1 is
"companies with public innovation labels" (seed 002 §2, labels ``im_public_*``).

A label is the node's own administration about a KVK-nummer; it may be set before the company
is in the store.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knoop_esb.store.models import BedrijfLabel
from knoop_esb.store.upsert import insert_ignore


def add(session: Session, kvk_nummer: str, label: str) -> bool:
    """Set ``label`` on the company; False when it already had it."""
    return insert_ignore(session, BedrijfLabel, {"kvk_nummer": kvk_nummer, "label": label}, ["kvk_nummer", "label"])


def remove(session: Session, kvk_nummer: str, label: str) -> bool:
    """Take ``label`` off the company; False when it did not have it."""
    result = session.execute(delete(BedrijfLabel).where(BedrijfLabel.kvk_nummer == kvk_nummer,
                                                        BedrijfLabel.label == label))
    return result.rowcount > 0


def van(session: Session, kvk_nummer: str) -> list[str]:
    """The company's labels, sorted."""
    return list(session.scalars(select(BedrijfLabel.label).where(BedrijfLabel.kvk_nummer == kvk_nummer)
                                .order_by(BedrijfLabel.label)))


def like_patroon(patroon: str) -> str:
    """A label pattern (``*`` = any characters) as SQL LIKE with ``\\`` as escape character."""
    escaped = patroon.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def met_label(patronen):
    """A clause: the MAC's kvk_nummer has a label matching one of ``patronen`` (for a WHERE)."""
    from sqlalchemy import exists, or_

    from knoop_esb.store.models import MacVersie

    return exists().where(BedrijfLabel.kvk_nummer == MacVersie.kvk_nummer,
                          or_(*(BedrijfLabel.label.like(like_patroon(p), escape="\\") for p in patronen)))
