"""BeantwoordVraag handlers for nnpLv01, macLv01 and vesLv01, registered into the node.

``knoop_esb.endpoints.handlers.load_handler_modules`` imports this module when the node starts.
One :class:`~knoop_esb.vraag.dienst.Beantwoorder` is built per configuration (the routing
package's router with its sources, the sortering table, compiled schemas) and reused by every
request.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb import paths
from knoop_esb.config.cache import per_config
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.request import StufRequest
from knoop_esb.stuf.ns import BG, q
from knoop_esb.stuf.stuurgegevens import node_systeem
from knoop_esb.vraag import afnemer_hooks
from knoop_esb.vraag.aanvulling import Aanvulling
from knoop_esb.vraag.dienst import Beantwoorder
from knoop_esb.vraag.evaluatie import Evaluatie
from knoop_esb.vraag.historie import Historie
from knoop_esb.vraag.opslag import Opslag
from knoop_esb.vraag.sortering import sorteringen

# Lv01: the actual state; Lv03 / Lv05: with materiële / formele historie (vraag.historie).
BERICHTEN = tuple(f"{ent}{code}" for code in ("Lv01", "Lv03", "Lv05") for ent in ("nnp", "mac", "ves"))


@per_config
def beantwoorder(config) -> Beantwoorder:
    """The process's Beantwoorder for ``config`` (built once)."""
    return bouw(config)


def bouw(config, router=None) -> Beantwoorder:
    """``router``: the routing package's process router (``routing.bronnen.node_router(config)``
    when None, shared with the upstream proxy)."""
    from knoop_esb.routing.bronnen import node_router
    from knoop_esb.store.db import database
    from knoop_esb.stuf import schemas
    from knoop_esb.transform import emit

    schemas_dir = paths.schemas_dir(config)
    db = database(config)
    router = router if router is not None else node_router(config)
    evaluatie = Evaluatie(router.table, router.bronnen, config.vraag, opslaan=Opslag(db),
                          aanvullen=Aanvulling(db))
    return Beantwoorder(
        evaluatie=evaluatie, sorteringen=sorteringen(schemas_dir),
        emitters={"MAC": emit.mac, "NNP": emit.nnp, "VES": emit.ves},
        valideer=schemas.registry(schemas_dir).validate, vraag_config=config.vraag,
        node=node_systeem(config), hooks=afnemer_hooks.hooks(config, db), historie=Historie(db, schemas_dir))


def beantwoord_vraag(request: StufRequest) -> etree._Element:
    return beantwoorder(request.config).beantwoord(request.body, request.peer.oin, request.stuurgegevens)


for _bericht in BERICHTEN:
    handlers.register(q(BG, _bericht), beantwoord_vraag)


def warm_up(config) -> None:
    """Build this process's Beantwoorder (router, sorteringen) at start, not on the first vraag."""
    beantwoorder(config)
