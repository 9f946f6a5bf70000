"""Keeping what KVK answered: every object fetched to answer a vraag is stored (with history)
before the answer leaves, so the next vraag about it is answered from the store.

Why here: the chain only decides *which* source answers; storing fresh KVK data is part of the
vraag/antwoord flow (DESIGN flow A, "refresh the store"), and the store's repository wants its
search fields spelled out, which this module derives from the canonical model.
"""
from __future__ import annotations

from datetime import datetime

from knoop_esb import logs
from knoop_esb.routing.sources.base import Antwoord
from knoop_esb.store import handelsregister as hr
from knoop_esb.store.bulk import save_many
from knoop_esb.transform import kenmerken
from knoop_esb.transform.model import (Adres, MaatschappelijkeActiviteit, NietNatuurlijkPersoon, Vestiging,
                                       to_dict)

log = logs.get("knoop_esb.vraag")


def _adres(adres: Adres | None) -> hr.Adres | None:
    if adres is None or adres.buitenlands:
        return None
    return hr.Adres(postcode=adres.postcode, huisnummer=adres.huisnummer, huisletter=adres.huisletter,
                    huisnummertoevoeging=adres.huisnummer_toevoeging, woonplaats=adres.plaats,
                    straatnaam=adres.straatnaam)


def ves_zoek(ves: Vestiging) -> hr.VesZoek:
    namen = tuple(h.naam for h in sorted(ves.handelsnamen, key=lambda h: h.volgorde))
    if not namen and (ves.eerste_handelsnaam or ves.naam):
        namen = (ves.eerste_handelsnaam or ves.naam,)
    return hr.VesZoek(vestigingsnummer=ves.vestigingsnummer, kvk_nummer=ves.kvk_nummer, handelsnamen=namen,
                      adres=_adres(ves.adres("bezoekadres") or ves.adres("correspondentieadres")),
                      is_hoofdvestiging=bool(ves.hoofdvestiging), is_commercieel=ves.commercieel is not False)


def mac_zoek(mac: MaatschappelijkeActiviteit) -> hr.MacZoek:
    rsin = mac.eigenaar.rsin if isinstance(mac.eigenaar, NietNatuurlijkPersoon) else None
    naam = mac.naam or next((h.naam for h in sorted(mac.handelsnamen, key=lambda h: h.volgorde)), None)
    k = kenmerken.schat(mac)  # the priority refresh's criteria, completed (the seed's estimateData)
    return hr.MacZoek(kvk_nummer=mac.kvk_nummer, rsin=rsin, naam=naam, rechtsvorm=k.rechtsvorm,
                      oprichting=k.oprichting, werkzame_personen=k.werkzame_personen, sbi_codes=k.sbi_codes,
                      economisch_actief=k.economisch_actief, actief=k.actief)


def nnp_zoek(nnp: NietNatuurlijkPersoon, kvk_nummer: str | None = None) -> hr.NnpZoek:
    return hr.NnpZoek(rsin=nnp.rsin, kvk_nummer=kvk_nummer, statutaire_naam=nnp.statutaire_naam,
                      rechtsvorm=nnp.rechtsvorm)


def te_bewaren(obj) -> list[tuple[object, object]]:
    """(zoekvelden, model) for an object and the parts of it that are objects of their own (also the
    sync engine's split of what it fetched, ``sync.opslaan``)."""
    if isinstance(obj, MaatschappelijkeActiviteit):
        # A Zoeken result knows a name, an RSIN and short vestigingen: stored over a basisprofiel it
        # would replace a complete company (and its NNP) with less; stored alone it would answer
        # the next key question as if it were complete. Only basisprofielen are stored.
        if obj.alleen_basis:
            return []
        paren = [(mac_zoek(obj), obj)]
        if isinstance(obj.eigenaar, NietNatuurlijkPersoon) and obj.eigenaar.rsin and not obj.eigenaar.alleen_basis:
            paren.append((nnp_zoek(obj.eigenaar, obj.kvk_nummer), obj.eigenaar))
        # KVK's short vestiging entries would overwrite a full profile with less: only full ones.
        paren += [(ves_zoek(v), v) for v in obj.alle_vestigingen() if not v.alleen_basis]
        return paren
    if isinstance(obj, Vestiging):
        return [] if obj.alleen_basis else [(ves_zoek(obj), obj)]
    if isinstance(obj, NietNatuurlijkPersoon) and obj.rsin and not obj.alleen_basis:
        return [(nnp_zoek(obj), obj)]
    return []


def items(objecten) -> list[tuple[object, dict]]:
    """(zoekvelden, stored data) of every object to keep, for ``store.bulk.save_many`` (the
    operator's refresh stores the same way)."""
    return [(zoek, to_dict(model)) for obj in objecten for zoek, model in te_bewaren(obj)]


class Opslag:
    """``Opslag(database)(antwoord)`` stores every object of a source's answer in one transaction."""

    def __init__(self, database):
        self.database = database

    def __call__(self, antwoord: Antwoord) -> None:
        fetched_at: datetime = antwoord.fetched_at
        with self.database.session() as session:
            # A MAC answer carries its vestigingen (up to thousands): bulk statements, the history of save.
            save_many(session, items(antwoord.objecten), bron=antwoord.bron, fetched_at=fetched_at)
        log.info("kvk_antwoord_bewaard", bron=antwoord.bron, objecten=len(antwoord.objecten))
