"""Short KVK vestigingen completed from the store.

KVK Zoeken gives a vestiging's straatnaam and plaats but no postcode or huisnummer unless they were
searched on (kvk/FACTS §1.7), and a Vestigingsprofiel per hit is a paid call. So a list question
("all vestigingen of this KVK-nummer", handelsnaam + woonplaats) answered from Zoeken would carry a
verblijfsadres without postcode. When the store holds the vestiging's full profile, fetched within
the freshness the vraag allows, the answer uses that instead of the short entry; the store itself
is never overwritten with the short entry (`vraag.opslag`).
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from knoop_esb.routing.sources.base import Antwoord, nu
from knoop_esb.store import handelsregister
from knoop_esb.transform import model
from knoop_esb.transform.model import Vestiging


class Aanvulling:
    """``Aanvulling(database)(antwoord, max_age)`` → the answer with short vestigingen replaced."""

    def __init__(self, database, klok=nu):
        self.database = database
        self.klok = klok

    def __call__(self, antwoord: Antwoord, max_age: timedelta) -> Antwoord:
        kort = [o.vestigingsnummer for o in antwoord.objecten if isinstance(o, Vestiging) and o.alleen_basis]
        if not kort:
            return antwoord
        volledig = self._uit_opslag(kort, max_age)
        if not volledig:
            return antwoord
        objecten = tuple(volledig.get(o.vestigingsnummer, o) if isinstance(o, Vestiging) else o
                         for o in antwoord.objecten)
        return dataclasses.replace(antwoord, objecten=objecten)

    def _uit_opslag(self, vestigingsnummers: list[str], max_age: timedelta) -> dict[str, Vestiging]:
        gevonden = {}
        grens = self.klok() - max_age
        with self.database.session() as session:
            for nummer in vestigingsnummers:
                versie = handelsregister.actueel(session, "VES", nummer)
                if versie is None or versie.fetched_at < grens or versie.data.get("alleen_basis"):
                    continue
                gevonden[nummer] = model.from_dict(Vestiging, versie.data)
        return gevonden
