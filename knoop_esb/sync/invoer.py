"""Manual additions to ``bedrijf_nieuw`` (seed 002 §3 "Manual additions"): KVK-nummers and
vestigingsnummers an operator names. A bare vestigingsnummer needs its KVK-nummer (the queue's
key): the store's copy is asked first, then KVK Zoeken (free)."""
from __future__ import annotations

from typing import Callable

from knoop_esb.store import handelsregister as hr
from knoop_esb.store import queue


def enqueue(config, database, paren: list[tuple[str | None, str | None]], *, bron: str = "kvk",
            prioriteit: int = 5, voortgang: Callable[[int], None] = lambda n: None) -> tuple[int, int, list[str]]:
    """Queue every (kvk_nummer, vestigingsnummer); returns (queued, already waiting, vestigingsnummers
    whose KVK-nummer could not be found)."""
    nieuw = al = 0
    onbekend: list[str] = []
    client = None
    try:
        for kvk, ves in paren:
            if kvk is None:
                kvk, client = _kvk_van(config, database, ves, client)
                if kvk is None:
                    onbekend.append(ves)
                    voortgang(1)
                    continue
            with database.session() as session:
                if queue.enqueue(session, kvk, bron=bron, vestigingsnummer=ves, reden="handmatig", prioriteit=prioriteit):
                    nieuw += 1
                else:
                    al += 1
            voortgang(1)
    finally:
        if client is not None:
            client.close()
    return nieuw, al, onbekend


def _kvk_van(config, database, vestigingsnummer: str, client):
    with database.session() as session:
        versie = hr.actueel(session, "VES", vestigingsnummer)
    if versie is not None and versie.data.get("kvkNummer"):
        return versie.data["kvkNummer"], client
    if client is None:
        from knoop_esb.sync.opdrachten import kvk_client

        client = kvk_client(config)
    resultaten = client.zoeken(vestigingsnummer=vestigingsnummer).get("resultaten") or []
    kvk = next((r.get("kvkNummer") for r in resultaten if isinstance(r.get("kvkNummer"), str)), None)
    return kvk, client
