"""BeantwoordVraag handlers for the vraagberichten the node proxies to upstream StUF services.

The node answers Handelsregister questions (NNP, MAC, VES) itself (``knoop_esb.vraag``); every other
StUF-BG 03.10 vraagbericht is answered only when a route sends it to upstream StUF services, e.g.
``npsLv01`` → a BRP provider. Without such a route the afnemer gets Fo02 StUF025/StUF031 from the
route table, as for any unsupported bericht. The answer is the node's own La0x (``relay``),
validated against the official schema like everything the node emits. Doelbinding holds here as
for the node's own answers: default deny per afnemer, objects filtered to the attributes its rules
allow, and every delivery recorded in the protocol log.
"""
from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from knoop_esb import logs, paths
from knoop_esb.afnemers.hooks import Levering, node_hooks
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.request import StufRequest
from knoop_esb.routing import relay
from knoop_esb.routing.bronnen import node_router
from knoop_esb.routing.chain import voer_uit
from knoop_esb.routing.sources.base import Vraag
from knoop_esb.stuf import foutcodes, schemas
from knoop_esb.stuf.fouten import SchemaFout, StufFout
from knoop_esb.stuf.ns import BG, STUF, q
from knoop_esb.stuf.stuurgegevens import node_systeem

log = logs.get("knoop_esb.routing")

# Entities of the StUF-BG 03.10 vraagAntwoord schema (bg0310_msg_vraagAntwoord.xsd) with their
# vraagberichten; NNP, MAC and VES are the node's own (knoop_esb.vraag).
_LV01_03_05_07 = ("aoa", "brt", "gem", "gor", "hhd", "ire", "koz", "kwd", "kza", "nps", "opr", "pnd", "rsd",
                  "sbd", "tdl", "tgo", "wdl", "wgd", "woz", "wpl", "wrd", "wyk", "zkr", "zra")
_ALLEEN_LV01 = ("acd", "arv", "avr", "kgm", "lnd", "nat", "rds", "rps", "srv", "sub", "vbt")
PROXY_BERICHTEN = tuple(sorted(
    [f"{e}Lv0{n}" for e in _LV01_03_05_07 for n in (1, 3, 5, 7)] + [f"{e}Lv01" for e in _ALLEEN_LV01]
    + ["wdoLv01", "wdoLv03", "wdoLv07"]))


def warm_up(config) -> None:
    """Load each upstream's WSDL into its zeep client at start (≈ 0.5 s each), so the first proxied
    vraag does not spend it inside its per-upstream timeout. A missing WSDL is logged here and
    answered with its clear Fo02 when asked."""
    from knoop_esb.routing.sources.base import BronFout
    from knoop_esb.routing.sources.upstream import UpstreamSource

    for bron in node_router(config).bronnen.values():
        if not isinstance(bron, UpstreamSource):
            continue
        try:
            bron.client()
        except BronFout as fout:
            log.warning("upstream_niet_voorbereid", bron=fout.bron, omschrijving=fout.omschrijving)


def _doelbinding(la: etree._Element, filter_, toegang) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Filter the La's objects to what the afnemer may see, in place; the keys and attribute paths
    delivered."""
    sleutels, paden = [], set()
    for obj in la.iterfind(f"{{{BG}}}antwoord/{{{BG}}}object"):
        element, obj_paden = filter_(toegang, obj)
        if element is None:
            obj.getparent().remove(obj)
            continue
        obj.getparent().replace(obj, element)
        sleutels.append(obj.get(f"{{{STUF}}}sleutelVerzendend") or "")
        paden.update(obj_paden)
    return tuple(sleutels), tuple(sorted(paden))


def beantwoord_via_upstream(request: StufRequest) -> etree._Element:
    config = request.config
    naam = etree.QName(request.body).localname
    entiteittype = (request.stuurgegevens.entiteittype or naam[:3]).upper()
    vraag = Vraag(naam, entiteittype, afnemer=request.peer.oin, element=request.body)
    router = node_router(config)
    route = router.route(vraag)  # StUF025/031 come first (StUF 03.01 reports the first that applies)
    afnemers = node_hooks(config)
    toegang = afnemers["autoriseer"](request.peer.oin, naam, entiteittype, ())  # StUF052 before any upstream is asked
    antwoord = voer_uit(route, vraag, router.bronnen, router.klok)
    la = relay.antwoordbericht(request.body, antwoord, node_systeem(config), request.stuurgegevens)
    # Filtered before validation: what is checked is what leaves.
    sleutels, paden = _doelbinding(la, afnemers["filter"], toegang)
    if config.schemas.validate_outgoing:
        try:
            schemas.registry(paths.schemas_dir(config)).validate(la)
        except SchemaFout as fout:
            log.error("upstream_antwoord_ongeldig", bericht=naam, bron=antwoord.bron, fout=fout.omschrijving)
            raise StufFout(foutcodes.STUF058, f"antwoord van {antwoord.bron} voldoet niet aan het schema",
                           details=fout.omschrijving) from None
    # The proxy records the antwoord's berichtcode (npsLa01); the vraag flow records the vraag's.
    afnemers["protocolleer"](Levering(request.peer.oin, naam.replace("Lv", "La", 1), entiteittype, sleutels, paden,
                                      datetime.now(timezone.utc), request.stuurgegevens.referentienummer,
                                      False, doel=toegang.doel))
    return la


for _bericht in PROXY_BERICHTEN:
    handlers.register(q(BG, _bericht), beantwoord_via_upstream)
