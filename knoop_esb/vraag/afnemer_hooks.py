"""The afnemer side of answering, wired from the afnemers package and the store: may this afnemer
ask this (StUF052 before any source is asked), doelbinding per object, the protocol log, and
subscriptions placed on request (indicatorAfnemerindicatie) in the store's afnemerindicatie table.
"""
from __future__ import annotations

from typing import Sequence

from knoop_esb.afnemers.hooks import node_hooks
from knoop_esb.store import afnemerindicaties
from knoop_esb.vraag.dienst import Afnemerhooks


def plaatser(database):
    """One afnemerindicatie per delivered object, in one transaction."""

    def plaats(afnemer: str, entiteittype: str, sleutels: Sequence[str]) -> bool:
        with database.session() as session:
            for sleutel in sleutels:
                afnemerindicaties.plaats(session, afnemer, entiteittype, sleutel, bron="vraag")
        return True

    return plaats


def hooks(config, database) -> Afnemerhooks:
    """``database``: the process's store (``store.db.database(config)``), which the afnemers
    registry of :func:`node_hooks` reads as well."""
    return Afnemerhooks(plaats_indicaties=plaatser(database), **node_hooks(config))
