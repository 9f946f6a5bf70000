"""Routing of vraagberichten: the route table, the chain of sources, and the sources themselves.

``router(config) -> Router``; ``Router.beantwoord(Vraag) -> Antwoord`` (see docs/routing.md).
"""
from knoop_esb.routing.bronnen import router
from knoop_esb.routing.chain import GeenAntwoord, GeenRoute, Router
from knoop_esb.routing.sources.base import Antwoord, BronFout, Melding, Source, Vraag

__all__ = ["router", "Router", "GeenAntwoord", "GeenRoute", "Antwoord", "BronFout", "Melding", "Source", "Vraag"]
