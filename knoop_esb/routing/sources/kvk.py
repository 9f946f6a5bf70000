"""The KVK Handelsregister APIs as a source: the KVK client's JSON through ``transform.kvk``.

Keys go to the profile APIs (Basisprofiel, Vestigingsprofiel); other selections (naam, postcode,
huisnummer, plaats, straat) go to the free Zoeken API. "Not found" is an empty answer; every other
KVK failure becomes a BronFout with KVK's own IPD code so the chain can ask the next source.
"""
from __future__ import annotations

import threading

from knoop_esb import logs
from knoop_esb.routing.sources.base import Antwoord, BronFout, Melding, Vraag, nu
from knoop_esb.routing.sources.kvk_errors import KvkError, KvkNietGevonden
from knoop_esb.routing.sources.kvk_vestigingen import zoek_vestigingen
from knoop_esb.transform import kvk as transform
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon

log = logs.get("knoop_esb.kvk")

BRON = "kvk"
ONVOLLEDIG = "onvolledig"  # Melding.code: an answer with part of an object missing (a failed sub-call)
ZOEK = {"rsin": "rsin", "handelsnaam": "naam", "statutaireNaam": "naam", "postcode": "postcode",
        "huisnummer": "huisnummer", "huisletter": "huisletter", "woonplaats": "plaats", "straat": "straatnaam",
        "kvkNummer": "kvkNummer", "vestigingsnummer": "vestigingsnummer"}


class KvkSource:
    naam = BRON
    entiteittypen = frozenset({"MAC", "NNP", "VES"})
    bewaart = False

    def __init__(self, client):
        self.client = client
        self._onvolledig = threading.local()

    def vraag(self, vraag: Vraag) -> Antwoord:
        self._onvolledig.meldingen = []
        try:
            objecten = self._vraag(vraag)
        except KvkNietGevonden:
            objecten = ()
        except KvkError as exc:
            raise BronFout(BRON, exc.code or type(exc).__name__, exc.omschrijving) from None
        except MappingFout as exc:
            raise BronFout(BRON, "antwoord", f"onbruikbaar KVK-antwoord: {exc}") from None
        return Antwoord(bron=BRON, objecten=tuple(objecten), fetched_at=nu(),
                        meldingen=tuple(self._onvolledig.meldingen))

    def _vraag(self, vraag: Vraag) -> tuple:
        s = vraag.selectie
        if vraag.entiteittype == "VES" and "vestigingsnummer" in s:
            return (transform.vestigingsprofiel(self.client.vestigingsprofiel(s["vestigingsnummer"])),)
        if "kvkNummer" in s and vraag.entiteittype == "VES":
            # The vestigingen of one company: every page of Zoeken (free), not only its first.
            resultaten = zoek_vestigingen(self.client, s["kvkNummer"])
            macs = transform.zoeken({"pagina": 1, "resultatenPerPagina": len(resultaten),
                                     "totaal": len(resultaten), "resultaten": resultaten})
        elif "kvkNummer" in s:
            macs = (self._mac(s["kvkNummer"]),)
        elif vraag.entiteittype == "MAC" and "vestigingsnummer" in s:
            # The company of one vestiging: Zoeken names its KVK-nummer.
            macs = tuple(self._mac(k) for k in dict.fromkeys(m.kvk_nummer for m in self._zoek(s)))
        else:
            macs = self._zoek(s, vraag.entiteittype)
        if vraag.entiteittype == "MAC":
            return macs
        if vraag.entiteittype == "NNP":
            return tuple(m.eigenaar for m in macs if isinstance(m.eigenaar, NietNatuurlijkPersoon)
                         and (not s.get("rsin") or m.eigenaar.rsin == s["rsin"]))
        return tuple(v for m in macs for v in m.alle_vestigingen())

    def _mac(self, kvk_nummer: str) -> MaatschappelijkeActiviteit:
        basis = self.client.basisprofiel(kvk_nummer)
        try:
            vestigingen = self.client.vestigingen(kvk_nummer)
        except KvkNietGevonden:
            vestigingen = None
        except KvkError as exc:
            # The basisprofiel came: answer (and store) the company with its embedded hoofdvestiging
            # and tell the asker that its list of vestigingen is missing, rather than drop it all.
            log.warning("kvk.vestigingen_mislukt", kvk_nummer=kvk_nummer, code=exc.code, omschrijving=exc.omschrijving)
            self._onvolledig.meldingen.append(Melding(BRON, ONVOLLEDIG, f"vestigingen van {kvk_nummer} niet "
                                                      f"opgehaald ({exc.code or type(exc).__name__}): alleen de hoofdvestiging"))
            vestigingen = None
        return transform.basisprofiel(basis, vestigingen)

    def _zoek(self, selectie, entiteittype: str = "") -> tuple:
        criteria = {ZOEK[k]: v for k, v in selectie.items() if k in ZOEK}
        if not criteria:
            raise BronFout(BRON, "StUF133", "KVK Zoeken heeft minstens één zoekvraag nodig")
        if entiteittype == "NNP" and "rsin" not in selectie:
            # An NNP by its statutaire naam: only rechtspersonen, one page of at most 100.
            criteria.update(type=["rechtspersoon"], resultatenPerPagina=100)
        macs = transform.zoeken(self.client.zoeken(**criteria))
        if "rsin" in selectie or entiteittype == "NNP":
            # Zoeken gives no eigenaar; the Basisprofiel of each hit does.
            return tuple(self._mac(m.kvk_nummer) for m in macs)
        return macs
