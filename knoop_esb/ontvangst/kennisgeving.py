"""Reading an Lk01 the pipeline found schema-valid: what StUF 03.01 §5 asks of it beyond the schema.

Pure: no store, no config. Refusals are StUF055 (the body does not say what StUF requires:
mutatiesoort T/V one object, W/C/F the oud/huidig pair of one object of the stuurgegevens'
entiteittype) and StUF068 (a toekomstmutatie in an Lk01).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF, q
from knoop_esb.stuf.stuurgegevens import Stuurgegevens, parse_datum, parse_tijdstip
from knoop_esb.transform import stufbg
from knoop_esb.transform.fout import MappingFout

BERICHTEN = {"nnpLk01": "NNP", "macLk01": "MAC", "vesLk01": "VES"}
MUTATIESOORTEN = {"T": 1, "V": 1, "W": 2, "C": 2, "F": 2}  # how many objects each carries
SLEUTEL_MAX = 40


@dataclass(frozen=True)
class Lk01:
    """One enkelvoudige kennisgeving: ``objecten`` is (huidig,) for T/V and (oud, huidig) for W/C/F."""

    bericht: str  # e.g. "vesLk01"
    entiteittype: str
    mutatiesoort: str
    indicator_overname: str  # "V": take the data over; "I": informatief (afnemerindicatie)
    objecten: tuple[etree._Element, ...]
    sleutel: str
    stuurgegevens: Stuurgegevens
    tijdstip_bericht: dt.datetime

    @property
    def huidig(self) -> etree._Element:
        return self.objecten[-1]

    @property
    def oud(self) -> etree._Element | None:
        return self.objecten[0] if len(self.objecten) == 2 else None

    def begin_geldigheid(self) -> dt.date | None:
        """'huidig''s StUF:beginGeldigheid, if it carries one."""
        return _geldigheid(self.huidig, "beginGeldigheid")

    def datum_einde(self) -> dt.date | None:
        """A V object's datumEinde (when the zender says when it ended)."""
        waarde = self.huidig.findtext(q(BG, "datumEinde"))
        return _datum(waarde, "datumEinde") if waarde and "00" not in (waarde[4:6], waarde[6:8]) else None


def _fout(details: str, code=foutcodes.STUF055) -> StufFout:
    return StufFout(code, details=details)


def _datum(waarde: str, plek: str) -> dt.date:
    try:
        return parse_datum(waarde)
    except StufFout:
        raise _fout(f"{plek}: ongeldige datum {waarde[:20]!r}") from None


def _geldigheid(obj: etree._Element, naam: str) -> dt.date | None:
    waarde = obj.findtext(f"{q(STUF, 'tijdvakGeldigheid')}/{q(STUF, naam)}")
    return _datum(waarde, f"StUF:{naam}") if waarde else None


def _verplicht(sg: Stuurgegevens) -> None:
    """Tabel 5.1: in an asynchronous kennisgeving every stuurgegeven but functie is required."""
    ontbreekt = [naam for naam, waarde in (
        ("zender/organisatie", sg.zender and sg.zender.organisatie), ("zender/applicatie", sg.zender and sg.zender.applicatie),
        ("ontvanger/organisatie", sg.ontvanger and sg.ontvanger.organisatie), ("referentienummer", sg.referentienummer),
        ("tijdstipBericht", sg.tijdstip_bericht), ("entiteittype", sg.entiteittype)) if not waarde]
    if ontbreekt:
        raise _fout(f"stuurgegevens zonder {', '.join(ontbreekt)} (verplicht in een Lk01, StUF 03.01 tabel 5.1)")


def lees(body: etree._Element, sg: Stuurgegevens) -> Lk01:
    bericht = etree.QName(body).localname
    entiteittype = BERICHTEN.get(bericht)
    if etree.QName(body).namespace != BG or entiteittype is None:
        raise StufFout(foutcodes.STUF025, details=f"{bericht} is geen nnpLk01, macLk01 of vesLk01")
    _verplicht(sg)
    if sg.entiteittype != entiteittype:
        raise _fout(f"stuurgegevens/entiteittype {sg.entiteittype} hoort niet bij {bericht}")
    tijdstip = parse_tijdstip(sg.tijdstip_bericht)
    mutatiesoort = body.findtext(f"{q(BG, 'parameters')}/{q(STUF, 'mutatiesoort')}")
    indicator = body.findtext(f"{q(BG, 'parameters')}/{q(STUF, 'indicatorOvername')}")
    if mutatiesoort not in MUTATIESOORTEN or indicator not in ("I", "V"):
        raise _fout(f"parameters: mutatiesoort {mutatiesoort!r} / indicatorOvername {indicator!r} niet ondersteund "
                    "(T, W, V, C, F / I, V)")
    objecten = tuple(body.findall(q(BG, "object")))
    if len(objecten) != MUTATIESOORTEN[mutatiesoort]:
        raise _fout(f"mutatiesoort {mutatiesoort} vraagt {MUTATIESOORTEN[mutatiesoort]} object(en), "
                    f"het bericht heeft er {len(objecten)}")
    try:
        sleutels = {stufbg.sleutel_van(obj) for obj in objecten}
        soorten = {stufbg.entiteittype_van(obj) for obj in objecten}
    except MappingFout as exc:
        raise _fout(str(exc)) from None
    if soorten != {entiteittype}:
        raise _fout(f"object/@StUF:entiteittype {sorted(soorten)} is niet {entiteittype} uit de stuurgegevens")
    if len(sleutels) != 1:
        raise _fout(f"'oud' en 'huidig' gaan over verschillende objecten: {sorted(sleutels)}")
    (sleutel,) = sleutels
    if len(sleutel) > SLEUTEL_MAX:
        raise _fout(f"sleutel {sleutel[:SLEUTEL_MAX]}… is langer dan {SLEUTEL_MAX} tekens")
    lk01 = Lk01(bericht, entiteittype, mutatiesoort, indicator, objecten, sleutel, sg, tijdstip)
    begin = lk01.begin_geldigheid()
    if begin is not None and begin > tijdstip.date():
        raise StufFout(foutcodes.STUF068, details=f"beginGeldigheid {begin:%Y%m%d} ligt na tijdstipBericht "
                                                  f"{sg.tijdstip_bericht}: gebruik een Lk05")
    return lk01
