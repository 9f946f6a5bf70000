"""The afnemer side of answering: subscriptions placed on request (indicatorAfnemerindicatie).

Afnemerindicaties live in the store (``store.afnemerindicaties``); one is placed per delivered
object, in one transaction, so a kennisgeving about the object later reaches this afnemer.
"""
from __future__ import annotations

from typing import Sequence

from knoop_esb.store import afnemerindicaties
from knoop_esb.vraag.dienst import Afnemerhooks


def plaatser(database):
    def plaats(afnemer: str, entiteittype: str, sleutels: Sequence[str]) -> bool:
        with database.session() as session:
            for sleutel in sleutels:
                afnemerindicaties.plaats(session, afnemer, entiteittype, sleutel, bron="vraag")
        return True

    return plaats


def hooks(config, database) -> Afnemerhooks:
    return Afnemerhooks(plaats_indicaties=plaatser(database))
