"""Starting the sources the route table names, once per process.

Only sources some route uses are started (no KVK client when every route goes upstream, no
Handelsdata client without a route to it). The KVK client and the store can be handed in: ``serve
--with-kvk-testserver`` knows the built-in test source's URL, tests hand in their own database.
"""
from __future__ import annotations

from knoop_esb import logs
from knoop_esb.config.cache import per_config
from knoop_esb.routing.chain import Router
from knoop_esb.routing.sources.base import Source
from knoop_esb.routing.table import RouteTable

log = logs.get("knoop_esb.routing")


def gebruikte_bronnen(table: RouteTable) -> set[str]:
    return {bron for route in table for stap in route.chain for bron in stap.bronnen}


def bronnen(config, table: RouteTable, *, database=None, kvk_client=None) -> dict[str, Source]:
    nodig = gebruikte_bronnen(table)
    result: dict[str, Source] = {}
    if "store" in nodig or "handelsdata" in nodig:
        if database is None:
            from knoop_esb.store.db import database as process_database

            database = process_database(config)
    if "store" in nodig:
        from knoop_esb.routing.sources.store_source import StoreSource

        result["store"] = StoreSource(database)
    if "kvk" in nodig:
        from knoop_esb.routing.sources.kvk import KvkSource

        if kvk_client is None:
            from knoop_esb.routing.sources.kvk_api import KvkApiClient
            from knoop_esb.routing.sources.kvk_errors import KvkError

            try:
                kvk_client = KvkApiClient.for_node(config)
            except KvkError as exc:
                # No [kvk] base_url and no built-in test source: routes naming kvk get a melding.
                log.warning("kvk_bron_niet_gestart", reden=str(exc))
        if kvk_client is not None:
            result["kvk"] = KvkSource(kvk_client)
    if "handelsdata" in nodig:
        from knoop_esb.routing.sources.credits import StoreBoek
        from knoop_esb.routing.sources.handelsdata import HandelsdataClient
        from knoop_esb.routing.sources.handelsdata_source import HandelsdataSource

        result["handelsdata"] = HandelsdataSource(HandelsdataClient(config.handelsdata, StoreBoek(database)))
    for upstream in config.routes.upstream:
        naam = f"upstream:{upstream.name}"
        if naam in nodig:
            from knoop_esb.routing.sources.upstream import UpstreamSource

            result[naam] = UpstreamSource.from_config(upstream, config)
    return result


def router(config, *, database=None, kvk_client=None) -> Router:
    """The process's router: the checked route table and the sources it needs."""
    table = RouteTable.from_config(config)
    return Router(table, bronnen(config, table, database=database, kvk_client=kvk_client))


@per_config
def node_router(config) -> Router:
    """The serving process's router for ``config``, built once: the vraag handlers and the upstream
    proxy share its sources, so each upstream has one UpstreamSource (one zeep client, warmed once)."""
    return router(config)
