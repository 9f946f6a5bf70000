"""The sync jobs as plain functions of the configuration: what ``knoop-esb sync …`` runs and
what the schedule (``sync.rooster``) names by dotted path. Each opens the node's clients (KVK
through ``KvkApiClient.for_node``, so every call lands in ``kvk_request``; Handelsdata with the
store's credit ledger) and returns the run's :class:`Samenvatting`."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from typing import Callable

from knoop_esb.store.db import database
from knoop_esb.sync.processors import Opties, Processors
from knoop_esb.sync.samenvatting import Samenvatting


def kvk_client(config):
    from knoop_esb.routing.sources.kvk_api import KvkApiClient

    return KvkApiClient.for_node(config)


def handelsdata_client(config, db):
    if not config.handelsdata.geconfigureerd:
        return None
    from knoop_esb.routing.sources.credits import StoreBoek
    from knoop_esb.routing.sources.handelsdata import HandelsdataClient

    return HandelsdataClient(config.handelsdata, StoreBoek(db))


def poll(config, *, voortgang: Callable[[int], None] = lambda n: None) -> Samenvatting:
    from knoop_esb.sync.poll import poll as _poll

    db = database(config)
    with kvk_client(config) as client:
        return _poll(config, db, client, voortgang=voortgang)


def process(config, *, bron: str = "kvk", limit: int | None = None, batch_size: int | None = None,
            allow_update: bool = False, process_missing_kvk: bool = False, alleen: str | None = None,
            allow_paid: bool | None = None, force_paid: bool = False,
            voortgang: Callable[[int], None] = lambda n: None) -> Samenvatting:
    from knoop_esb.sync.verwerk import process as _process

    db = database(config)
    opties = Opties(bron=bron, limit=limit, batch_size=batch_size or config.sync.batch_size,
                    allow_update=allow_update, process_missing_kvk=process_missing_kvk, alleen=alleen,
                    allow_paid=allow_paid, force_paid=force_paid,
                    lease=timedelta(seconds=config.sync.lease_seconden))
    hd = handelsdata_client(config, db) if bron == "handelsdata" else None
    # The Handelsdata processor makes no KVK call: its failures become kvk entries.
    with (nullcontext() if bron == "handelsdata" else kvk_client(config)) as client:
        try:
            processors = Processors(db, client, handelsdata_client=hd, abonnement_id=config.sync.abonnement_id or None)
            return _process(config, db, processors, opties, voortgang=voortgang)
        finally:
            if hd is not None:
                hd.close()
