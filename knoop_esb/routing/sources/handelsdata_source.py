"""The Handelsdata client as a route-table source: VES by vestigingsnummer, MAC by kvkNummer.

Handelsdata resells KVK data in KVK's own JSON shapes (docs/handelsdata.md), so the KVK
adapters of ``transform.kvk`` read it; only the contact fields KVK does not serve are added here.
"""
from __future__ import annotations

import dataclasses

from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag, nu
from knoop_esb.routing.sources.handelsdata import BRON, HandelsdataClient
from knoop_esb.transform import kvk
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import Communicatie, Vestiging


def vestiging(data: dict) -> Vestiging:
    ves = kvk.vestigingsprofiel(data, "handelsdata.vestiging")
    if data.get("email") or data.get("telefoon"):
        ves = dataclasses.replace(ves, communicatie=Communicatie(
            telefoonnummer=data.get("telefoon") or None, emailadres=data.get("email") or None))
    return ves


class HandelsdataSource:
    naam = BRON
    entiteittypen = frozenset({"MAC", "VES"})
    bewaart = False

    def __init__(self, client: HandelsdataClient):
        self.client = client
        self.timeout = client.config.timeout

    def vraag(self, vraag: Vraag) -> Antwoord:
        try:
            if vraag.entiteittype == "VES" and "vestigingsnummer" in vraag.selectie:
                data = self.client.vestiging(vraag.selectie["vestigingsnummer"])
                objecten = () if data is None else (vestiging(data),)
            elif vraag.entiteittype == "MAC" and "kvkNummer" in vraag.selectie:
                data = self.client.bedrijf(vraag.selectie["kvkNummer"])
                objecten = () if data is None else (kvk.basisprofiel(data, data.get("vestigingen")),)
            else:
                raise BronFout(BRON, "StUF133", f"handelsdata zoekt {vraag.entiteittype} niet op "
                               + (", ".join(sorted(vraag.selectie)) or "niets"))
        except MappingFout as fout:
            raise BronFout(BRON, "antwoord", f"onbruikbaar antwoord: {fout}") from None
        return Antwoord(bron=BRON, objecten=objecten, fetched_at=nu())
