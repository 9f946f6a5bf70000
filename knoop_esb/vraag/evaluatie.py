"""Where the objects of an answer come from: the route's chain of sources, within a time limit.

The route table decides the order (store when fresh enough, else KVK); this module adds what the
vraag/antwoord flow needs around it: the per-entiteittype freshness of ``[vraag]``, questions KVK
cannot answer (a postcode without huisnummer) go to the stored copies only, the chain's remote
sources get ``vraag.kvk_timeout`` seconds, and what came fresh from KVK is stored before it is answered.
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Callable, Mapping

from knoop_esb.routing.chain import GeenAntwoord, Router, bewaart, voer_uit
from knoop_esb.routing.sources.base import Antwoord, Source, Vraag as BronVraag, nu
from knoop_esb.routing.table import Route, RouteTable, duur, stap
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.vraag import selectie as sel
from knoop_esb.vraag.model import Vraag

Opslaan = Callable[[Antwoord], None]


class Evaluatie:
    """Asks the sources for the candidate objects of one vraag."""

    def __init__(self, table: RouteTable, bronnen: Mapping[str, Source], vraag_config,
                 opslaan: Opslaan | None = None, klok=nu, aanvullen=None):
        self.router = Router(table, bronnen, klok)
        self.config = vraag_config
        self.opslaan = opslaan
        self.klok = klok
        self.aanvullen = aanvullen  # vraag.aanvulling.Aanvulling: short KVK vestigingen from the store

    def bron_vraag(self, vraag: Vraag, afnemer: str | None, element=None) -> BronVraag:
        sel.controleer_formaat(vraag)
        selectie = sel.bron_selectie(vraag)
        if not sel.zoekbaar(selectie):
            raise StufFout(foutcodes.STUF058, f"selectie op {vraag.entiteittype} niet ondersteund; selecteer in "
                           f"<gelijk> op {sel.ZOEKBARE_SELECTIES[vraag.entiteittype]}")
        # A history question (Lv03/Lv05) finds its objects as the Lv01 does; history comes from the store.
        return BronVraag(berichtcode=vraag.berichtcode[:-4] + "Lv01", entiteittype=vraag.entiteittype, selectie=selectie,
                         afnemer=afnemer, element=element)

    def route(self, bron_vraag: BronVraag) -> tuple[Route, timedelta]:
        """The route as this vraag runs it, and how old stored data may be for it (``[vraag]
        versheid_<ent>``, else the route's max_age). No route: GeenRoute (StUF025 / StUF031)."""
        route = self.router.route(bron_vraag)
        versheid = self._versheid(bron_vraag.entiteittype, route.max_age)
        selectie = dict(bron_vraag.selectie)
        if not sel.kvk_kan(selectie):
            bewarend = tuple(s for s in route.chain if bewaart(s, self.router.bronnen))
            return dataclasses.replace(route, chain=bewarend, max_age=duur("36500d", "vraag")), versheid
        if not self.config.lijsten_uit_opslag and not sel.is_sleutelvraag(bron_vraag.entiteittype, selectie):
            # A stored hit of a list question may be incomplete: KVK first, the store as fall-back.
            return dataclasses.replace(route, max_age=duur("0", "vraag")), versheid
        return dataclasses.replace(route, max_age=versheid), versheid

    def objecten(self, bron_vraag: BronVraag) -> Antwoord:
        route, versheid = self.route(bron_vraag)
        if not route.chain:
            return Antwoord(bron="store")
        try:
            antwoord = voer_uit(route, bron_vraag, self.router.bronnen, self.klok, timeout=self.config.kvk_timeout)
        except GeenAntwoord as exc:
            raise StufFout(foutcodes.STUF058, f"bron niet beschikbaar: {exc.details}"[:200], details=exc.details) from None
        if self.opslaan is not None and antwoord.objecten and not bewaart(stap(antwoord.bron), self.router.bronnen):
            self.opslaan(antwoord)  # stored (with history) before anyone sees it
        if self.aanvullen is not None and antwoord.objecten:
            antwoord = self.aanvullen(antwoord, versheid)
        return antwoord

    def _versheid(self, entiteittype: str, route_max_age: timedelta) -> timedelta:
        versheid = self.config.versheid(entiteittype)
        return duur(versheid, f"vraag.versheid_{entiteittype.lower()}") if versheid else route_max_age
