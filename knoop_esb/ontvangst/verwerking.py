"""Storing an authorised Lk01 in the Handelsregister store, in the caller's transaction.

T: the object as the kennisgeving gives it is the new state. W/C/F: the stored state with 'huidig'
applied, after 'oud' was found equal to it (``transform.wijziging.pas_toe``). V: the object ends
(its datumEinde, else the date of tijdstipBericht). The store notes each change for the
distribution of kennisgevingen (``store.wijzigingen``). indicatorOvername "I" changes no data: T
places and V removes the zender's afnemerindicatie.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from knoop_esb.ontvangst.kennisgeving import Lk01
from knoop_esb.store import afnemerindicaties
from knoop_esb.store import handelsregister as hr
from knoop_esb.store.versie import HistorieFout
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.transform import emit, stufbg, wijziging
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon, from_dict, to_dict
from knoop_esb.vraag.opslag import mac_zoek, nnp_zoek, ves_zoek

BRON = "kennisgeving"
_EMIT = {"MAC": emit.mac, "NNP": emit.nnp, "VES": emit.ves}


@dataclass(frozen=True)
class Uitkomst:
    """What storing did: ``handeling`` is "opgeslagen", "ongewijzigd", "beeindigd",
    "indicatie geplaatst", "indicatie verwijderd" or "informatief"."""

    handeling: str
    gewijzigd: bool = False


def _zoek(session: Session, model):
    if isinstance(model, MaatschappelijkeActiviteit):
        return mac_zoek(model)
    if isinstance(model, NietNatuurlijkPersoon):
        # An NNP kennisgeving does not name its inschrijving: the MAC it owns does (search by kvkNummer).
        eigen = hr.zoek_mac(session, rsin=model.rsin)
        return nnp_zoek(model, eigen[0].sleutel if eigen else None)
    return ves_zoek(model)


def _niet_gevonden(lk01: Lk01) -> StufFout:
    return StufFout(foutcodes.STUF064, details=f"{lk01.entiteittype} {lk01.sleutel} is niet bekend in de registratie")


def _actueel_model(session: Session, lk01: Lk01):
    versie = hr.actueel(session, lk01.entiteittype, lk01.sleutel)
    if versie is None:
        raise _niet_gevonden(lk01)
    return from_dict(stufbg.MODELLEN[lk01.entiteittype], versie.data)


def _nieuwe_staat(session: Session, lk01: Lk01):
    if lk01.mutatiesoort == "T":
        return stufbg.object_naar_model(lk01.huidig)
    huidig = _actueel_model(session, lk01)
    opgeslagen = _EMIT[lk01.entiteittype](huidig, soort=emit.KENNISGEVING)
    return wijziging.pas_toe(huidig, lk01.oud, lk01.huidig, opgeslagen)


def _indicatie(session: Session, lk01: Lk01, afnemer_oin: str, now: datetime) -> Uitkomst:
    if lk01.mutatiesoort == "T":
        nieuw = afnemerindicaties.plaats(session, afnemer_oin, lk01.entiteittype, lk01.sleutel, bron=BRON, now=now)
        return Uitkomst("indicatie geplaatst", nieuw)
    if lk01.mutatiesoort == "V":
        return Uitkomst("indicatie verwijderd",
                        afnemerindicaties.verwijder(session, afnemer_oin, lk01.entiteittype, lk01.sleutel))
    return Uitkomst("informatief")


def verwerk(session: Session, lk01: Lk01, *, afnemer_oin: str, now: datetime) -> Uitkomst:
    """Store ``lk01``; raises StufFout StUF064 (unknown object for W/V), StUF058 ('oud' is not the
    stored state) or StUF055 (content that cannot become a Handelsregister object)."""
    if lk01.indicator_overname == "I":
        return _indicatie(session, lk01, afnemer_oin, now)
    try:
        if lk01.mutatiesoort == "V":
            if hr.actueel(session, lk01.entiteittype, lk01.sleutel) is None:
                raise _niet_gevonden(lk01)
            einde = lk01.datum_einde() or lk01.tijdstip_bericht.date()
            resultaat = hr.end(session, lk01.entiteittype, lk01.sleutel, einde, tijdstip=now)
            return Uitkomst("beeindigd", bool(resultaat and resultaat.changed))
        model = _nieuwe_staat(session, lk01)
        resultaat = hr.save(session, _zoek(session, model), to_dict(model), begin_geldigheid=lk01.begin_geldigheid(),
                            bron=BRON, tijdstip=now, fetched_at=now)
    except wijziging.VoorwaardeFout as exc:
        raise StufFout(foutcodes.STUF058, details=f"{exc.omschrijving}: {', '.join(exc.elementen)}") from None
    except (MappingFout, HistorieFout) as exc:
        raise StufFout(foutcodes.STUF055, details=str(exc)) from None
    return Uitkomst("opgeslagen" if resultaat.changed else "ongewijzigd", resultaat.changed)

