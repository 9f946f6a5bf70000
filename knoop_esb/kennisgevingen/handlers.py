"""OntvangAsynchroon: a subscriber's synchronisatievraag (nnpSa03/macSa03/vesSa03) asks for one
object's current state; the node answers Bv03 once the Sa01 is queued in the outbox (crossRefnummer
= the Sa03's referentienummer), or Fo03: StUF052 when the afnemer may not receive that
entiteittype or has no delivery endpoint for it, StUF064 when the store does not know the object.

``knoop_esb.endpoints.handlers.load_handler_modules`` imports this module when the node starts.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb.afnemers.autorisatie import regels_voor
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.request import StufRequest
from knoop_esb.stuf import berichten as stuf_berichten
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, q
from knoop_esb.stuf.stuurgegevens import node_systeem

BERICHTEN = {"nnpSa03": "NNP", "macSa03": "MAC", "vesSa03": "VES"}
KERNGEGEVEN = {"MAC": "kvkNummer", "NNP": "inn.nnpId", "VES": "vestigingsNummer"}


def synchronisatievraag(request: StufRequest) -> etree._Element:
    from knoop_esb.kennisgevingen import beginstand, verdeling
    from knoop_esb.store.db import database

    entiteittype = BERICHTEN[etree.QName(request.body).localname]
    obj = request.body.find(q(BG, "object"))
    sleutel = (obj.findtext(q(BG, KERNGEGEVEN[entiteittype])) or "").strip() if obj is not None else ""
    oin = request.peer.oin
    db = database(request.config)
    verdeler = verdeling.van(db, request.config)
    with db.session() as session:
        afnemer = verdeler.afnemer(session, oin)
        if afnemer is None or not regels_voor(afnemer, "Lk01", entiteittype) \
                or not any(e.volgt(entiteittype) for e in afnemer.endpoints):
            raise StufFout(foutcodes.STUF052, details=f"afnemer {oin} ontvangt geen {entiteittype}-kennisgevingen "
                                                      "(geen autorisatie of geen endpoint)")
        kgs = [kg for kg in beginstand.huidig(verdeler, session, entiteittype, sleutel)
               if kg.entiteittype == entiteittype and kg.sleutel == sleutel]
        if not kgs:
            raise StufFout(foutcodes.STUF064, details=f"{entiteittype} {sleutel!r} is niet bekend bij de knooppunt")
        n = beginstand.stuur(verdeler, session, afnemer, kgs, wijze=beginstand.SA01,
                             cross_refnummer=request.stuurgegevens.referentienummer)
        if not n:
            raise StufFout(foutcodes.STUF058, details=f"synchronisatiebericht voor {entiteittype} {sleutel} niet gemaakt")
    return stuf_berichten.bv03(request.stuurgegevens, node_systeem(request.config))


for _bericht in BERICHTEN:
    handlers.register(q(BG, _bericht), synchronisatievraag, porttype=handlers.ONTVANG_ASYNCHROON)
