"""The operator's refresh: fetch one company (KVK-nummer) or vestiging (vestigingsnummer) from KVK
now and store it the way a vraag stores what KVK answered (``vraag.opslag.items`` +
``store.bulk.save_many``), so what changed reaches its subscribers through the distributor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knoop_esb import logs

log = logs.get("knoop_esb.kennisgevingen")

_KVK = re.compile(r"^\d{8}$")
_VES = re.compile(r"^\d{12}$")


class RefreshFout(ValueError):
    """A refresh that could not be done; ``str()`` is the CLI's one line."""


@dataclass(frozen=True)
class Ververst:
    sleutel: str
    entiteittype: str
    objecten: int
    nieuw: int
    gewijzigd: int
    ongewijzigd: int
    kennisgevingen: int

    def __str__(self) -> str:
        return (f"{self.entiteittype} {self.sleutel}: {self.objecten} objects from KVK, {self.nieuw} new, "
                f"{self.gewijzigd} changed, {self.ongewijzigd} unchanged; {self.kennisgevingen} kennisgevingen queued")


def refresh(config, sleutel: str) -> Ververst:
    from knoop_esb.kennisgevingen.verdeling import TELLER
    from knoop_esb.routing.sources.base import BronFout, Vraag
    from knoop_esb.routing.sources.kvk import KvkSource
    from knoop_esb.routing.sources.kvk_api import KvkApiClient
    from knoop_esb.routing.sources.kvk_errors import KvkError
    from knoop_esb.store.bulk import save_many
    from knoop_esb.store.db import database
    from knoop_esb.vraag.opslag import items

    sleutel = sleutel.strip()
    if _KVK.match(sleutel):
        vraag = Vraag("Lv01", "MAC", {"kvkNummer": sleutel})
    elif _VES.match(sleutel):
        vraag = Vraag("Lv01", "VES", {"vestigingsnummer": sleutel})
    else:
        raise RefreshFout(f"{sleutel!r} is neither a KVK-nummer (8 digits) nor a vestigingsnummer (12 digits)")
    db = database(config)
    try:
        with KvkApiClient.for_node(config) as client:
            antwoord = KvkSource(client).vraag(vraag)
    except (BronFout, KvkError) as exc:
        raise RefreshFout(f"KVK could not give {vraag.entiteittype} {sleutel}: {exc}") from None
    if not antwoord.objecten:
        raise RefreshFout(f"KVK does not know {vraag.entiteittype} {sleutel}")
    paren = items(antwoord.objecten)
    with db.session() as session:
        resultaat = save_many(session, paren, bron=antwoord.bron, fetched_at=antwoord.fetched_at)
    ververst = Ververst(sleutel, vraag.entiteittype, len(paren), resultaat.nieuw, resultaat.gewijzigd,
                        resultaat.ongewijzigd, session.info.get(TELLER, 0))
    log.info("refresh", entiteittype=vraag.entiteittype, sleutel=sleutel, objecten=ververst.objecten,
             gewijzigd=ververst.nieuw + ververst.gewijzigd, kennisgevingen=ververst.kennisgevingen)
    return ververst
