"""The KVK Handelsregister APIs as a source: the KVK client's JSON through ``transform.kvk``.

Keys go to the profile APIs (Basisprofiel, Vestigingsprofiel); other selections (naam, postcode,
huisnummer, plaats, straat) go to the free Zoeken API. "Not found" is an empty answer; every other
KVK failure becomes a BronFout with KVK's own IPD code so the chain can ask the next source.
"""
from __future__ import annotations

from knoop_esb.routing.sources.base import Antwoord, BronFout, Vraag, nu
from knoop_esb.routing.sources.kvk_errors import KvkError, KvkNietGevonden
from knoop_esb.transform import kvk as transform
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon

BRON = "kvk"
ZOEK = {"rsin": "rsin", "handelsnaam": "naam", "statutaireNaam": "naam", "postcode": "postcode",
        "huisnummer": "huisnummer", "huisletter": "huisletter", "woonplaats": "plaats", "straat": "straatnaam",
        "kvkNummer": "kvkNummer", "vestigingsnummer": "vestigingsnummer"}


class KvkSource:
    naam = BRON
    entiteittypen = frozenset({"MAC", "NNP", "VES"})
    bewaart = False

    def __init__(self, client):
        self.client = client

    def vraag(self, vraag: Vraag) -> Antwoord:
        try:
            objecten = self._vraag(vraag)
        except KvkNietGevonden:
            objecten = ()
        except KvkError as exc:
            raise BronFout(BRON, exc.code or type(exc).__name__, exc.omschrijving) from None
        except MappingFout as exc:
            raise BronFout(BRON, "antwoord", f"onbruikbaar KVK-antwoord: {exc}") from None
        return Antwoord(bron=BRON, objecten=tuple(objecten), fetched_at=nu())

    def _vraag(self, vraag: Vraag) -> tuple:
        s = vraag.selectie
        if vraag.entiteittype == "VES" and "vestigingsnummer" in s:
            return (transform.vestigingsprofiel(self.client.vestigingsprofiel(s["vestigingsnummer"])),)
        if "kvkNummer" in s and vraag.entiteittype in ("MAC", "NNP"):
            macs = (self._mac(s["kvkNummer"]),)
        else:
            macs = self._zoek(s)
        if vraag.entiteittype == "MAC":
            return macs
        if vraag.entiteittype == "NNP":
            return tuple(m.eigenaar for m in macs if isinstance(m.eigenaar, NietNatuurlijkPersoon)
                         and (not s.get("rsin") or m.eigenaar.rsin == s["rsin"]))
        return tuple(v for m in macs for v in m.alle_vestigingen())

    def _mac(self, kvk_nummer: str) -> MaatschappelijkeActiviteit:
        basis = self.client.basisprofiel(kvk_nummer)
        return transform.basisprofiel(basis, self.client.vestigingen(kvk_nummer))

    def _zoek(self, selectie) -> tuple:
        criteria = {ZOEK[k]: v for k, v in selectie.items() if k in ZOEK}
        if not criteria:
            raise BronFout(BRON, "StUF133", "KVK Zoeken heeft minstens één zoekvraag nodig")
        macs = transform.zoeken(self.client.zoeken(**criteria))
        if "rsin" in selectie:
            # Zoeken gives no eigenaar; the Basisprofiel of each hit does.
            return tuple(self._mac(m.kvk_nummer) for m in macs)
        return macs
