"""The node's own store as a source: the actual Handelsregister objects it keeps.

It keeps copies (``bewaart``), so the chain judges its answers by ``fetched_at`` against the
route's max_age. The selection keys of a vraag map onto the store's indexed search columns.
"""
from __future__ import annotations

from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag
from knoop_esb.store import handelsregister
from knoop_esb.store.versie import HistorieFout
from knoop_esb.transform import model

BRON = "store"
MODEL = {"MAC": model.MaatschappelijkeActiviteit, "NNP": model.NietNatuurlijkPersoon, "VES": model.Vestiging}


def _zoek(session, vraag: Vraag):
    s = vraag.selectie
    if vraag.entiteittype == "MAC":
        return handelsregister.zoek_mac(session, kvk_nummer=s.get("kvkNummer"), rsin=s.get("rsin"),
                                        naam=s.get("handelsnaam") or s.get("statutaireNaam"))
    if vraag.entiteittype == "NNP":
        return handelsregister.zoek_nnp(session, rsin=s.get("rsin"), kvk_nummer=s.get("kvkNummer"),
                                        statutaire_naam=s.get("statutaireNaam"))
    huisnummer = s.get("huisnummer")
    return handelsregister.zoek_vestigingen(
        session, vestigingsnummer=s.get("vestigingsnummer"), kvk_nummer=s.get("kvkNummer"),
        handelsnaam=s.get("handelsnaam"), postcode=s.get("postcode"),
        huisnummer=int(huisnummer) if huisnummer and str(huisnummer).isdigit() else None,
        huisletter=s.get("huisletter"), huisnummertoevoeging=s.get("huisnummertoevoeging"),
        woonplaats=s.get("woonplaats"), straatnaam=s.get("straat"))


class StoreSource:
    naam = BRON
    entiteittypen = frozenset(MODEL)
    bewaart = True

    def __init__(self, database):
        self.database = database

    def vraag(self, vraag: Vraag) -> Antwoord:
        if vraag.entiteittype not in MODEL:
            raise BronFout(BRON, "StUF031", f"de store kent entiteittype {vraag.entiteittype} niet")
        if not vraag.selectie:
            # An empty selection would list the whole country; let a source that refuses it answer.
            return Antwoord(bron=BRON)
        try:
            with self.database.session() as session:
                versies = _zoek(session, vraag)
        except HistorieFout as exc:
            raise BronFout(BRON, "StUF058", str(exc)) from None
        if not versies:
            return Antwoord(bron=BRON)
        cls = MODEL[vraag.entiteittype]
        return Antwoord(bron=BRON, objecten=tuple(model.from_dict(cls, v.data) for v in versies),
                        fetched_at=min(v.fetched_at for v in versies))
