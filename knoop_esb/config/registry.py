"""Imports every section module so that each registers itself (order = order in the docs)."""
from knoop_esb.config import (  # noqa: F401
    node,
    database,
    schemas,
    tls,
    kvk,
    handelsdata,
    afnemers,
    routes,
    vraag,
    logging,
    bezorging,
    sync,
    prioriteit,
)

# Module name = section name; this order is the order of docs/configuration.md.
ORDER = ["node", "database", "schemas", "tls", "kvk", "handelsdata", "afnemers", "routes", "vraag", "logging", "bezorging", "sync", "prioriteit"]
