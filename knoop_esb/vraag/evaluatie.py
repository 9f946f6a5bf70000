"""Where the objects of an answer come from: the route's chain of sources, within a time limit.

The route table decides the order (store when fresh enough, else KVK); this module adds what the
vraag/antwoord flow needs around it: the per-entiteittype freshness of ``[vraag]``, questions KVK
cannot answer (a postcode without huisnummer) go to the stored copies only, the chain's remote
sources get ``vraag.kvk_timeout`` seconds, and what came fresh from KVK is stored before it is answered.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Mapping

from knoop_esb.routing.chain import GeenAntwoord, GeenRoute, voer_uit
from knoop_esb.routing.sources.base import Antwoord, Source, Vraag as BronVraag, nu
from knoop_esb.routing.table import RouteTable, duur
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.vraag import selectie as sel
from knoop_esb.vraag.model import Vraag

Opslaan = Callable[[Antwoord], None]


class Evaluatie:
    """Asks the sources for the candidate objects of one vraag."""

    def __init__(self, table: RouteTable, bronnen: Mapping[str, Source], vraag_config,
                 opslaan: Opslaan | None = None, klok=nu, aanvullen=None):
        self.table = table
        self.bronnen = dict(bronnen)
        self.config = vraag_config
        self.opslaan = opslaan
        self.klok = klok
        self.aanvullen = aanvullen  # vraag.aanvulling.Aanvulling: short KVK vestigingen from the store

    def bron_vraag(self, vraag: Vraag, afnemer: str | None, element=None) -> BronVraag:
        selectie, niet_exact = sel.bron_selectie(vraag)
        if not sel.zoekbaar(selectie):
            raise StufFout(foutcodes.STUF058, f"selectie op {vraag.entiteittype} niet ondersteund; selecteer in "
                           f"<gelijk> op {sel.ZOEKBARE_SELECTIES[vraag.entiteittype]}")
        return BronVraag(berichtcode=vraag.berichtcode, entiteittype=vraag.entiteittype, selectie=selectie,
                         afnemer=afnemer, element=element, opties={"niet_exact": niet_exact})

    def route(self, bron_vraag: BronVraag):
        route = self.table.route(bron_vraag.berichtcode, bron_vraag.entiteittype, bron_vraag.afnemer)
        if route is None:
            code = foutcodes.STUF031 if bron_vraag.berichtcode in self.table.berichtcodes() else foutcodes.STUF025
            raise StufFout(code, details=f"geen route voor {bron_vraag.berichtcode}/{bron_vraag.entiteittype}")
        route = dataclasses.replace(route, max_age=self._versheid(bron_vraag.entiteittype, route.max_age))
        selectie = dict(bron_vraag.selectie)
        if (sel.kvk_kan(selectie) and not self.config.lijsten_uit_opslag
                and not sel.is_sleutelvraag(bron_vraag.entiteittype, selectie)):
            # A stored hit of a list question may be incomplete: KVK first, the store as fall-back.
            route = dataclasses.replace(route, max_age=duur("0", "vraag"))
        if not sel.kvk_kan(selectie):
            bewarend = tuple(s for s in route.chain
                             if not s.fanout and getattr(self.bronnen.get(s.naam), "bewaart", False))
            route = dataclasses.replace(route, chain=bewarend, max_age=duur("36500d", "vraag"))
        return route

    def objecten(self, bron_vraag: BronVraag) -> Antwoord:
        route = self.route(bron_vraag)
        if not route.chain:
            return Antwoord(bron="store")
        try:
            antwoord = voer_uit(route, bron_vraag, self.bronnen, self.klok, timeout=self.config.kvk_timeout)
        except GeenAntwoord as exc:
            waarom = "; ".join(f"{m.bron}: {m.code} {m.omschrijving}" for m in exc.meldingen)
            raise StufFout(foutcodes.STUF058, f"bron niet beschikbaar: {waarom}"[:200], details=waarom) from None
        except GeenRoute as exc:
            raise StufFout(exc.code, details=exc.omschrijving) from None
        if self.opslaan is not None and antwoord.objecten and not getattr(self.bronnen.get(antwoord.bron), "bewaart", False):
            self.opslaan(antwoord)  # stored (with history) before anyone sees it
        if self.aanvullen is not None and antwoord.objecten:
            antwoord = self.aanvullen(antwoord, self.versheid(bron_vraag))
        return antwoord

    def versheid(self, bron_vraag: BronVraag):
        """How old stored data may be for this vraag: ``[vraag] versheid_<ent>``, else the route's max_age."""
        route = self.table.route(bron_vraag.berichtcode, bron_vraag.entiteittype, bron_vraag.afnemer)
        return self._versheid(bron_vraag.entiteittype, route.max_age)

    def _versheid(self, entiteittype: str, route_max_age):
        versheid = self.config.versheid(entiteittype)
        return duur(versheid, f"vraag.versheid_{entiteittype.lower()}") if versheid else route_max_age
