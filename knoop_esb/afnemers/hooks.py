"""The afnemers package's part in answering a vraag: doelbinding on every object and the protocol
log of every answer, as the callables ``knoop_esb.vraag.dienst.Afnemerhooks`` takes.

Why a seam: the vraag package decides what was asked and found; this package decides what the
afnemer may have and records what it got. Neither reads the other's data structures.
"""
from __future__ import annotations

from typing import Any, Callable

from lxml import etree

from knoop_esb.afnemers import autorisatie, protocol
from knoop_esb.afnemers.registry import Registry
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout


def filterer(registry: Registry, berichtcode: str = "Lv01") -> Callable[[str, str, etree._Element], etree._Element | None]:
    """``filter(oin, entiteittype, obj)``: the object cut to the afnemer's attributes. An afnemer
    with no rule at all for this entiteittype is refused with StUF052 (StUF 03.01 §6.4.1)."""

    def filter_(oin: str, entiteittype: str, obj: etree._Element) -> etree._Element | None:
        afnemer = registry.get(oin)
        besluit = autorisatie.mag_vragen(afnemer, berichtcode, entiteittype)
        if not besluit.toegestaan:
            raise StufFout(foutcodes.STUF052, details=besluit.reden)
        return autorisatie.filter_antwoord(afnemer, obj, berichtcode).element

    return filter_


def protocolleerder(registry: Registry, database) -> Callable[[Any], None]:
    """``protocolleer(levering)`` for ``vraag.dienst.Levering`` (afnemer, berichtcode,
    entiteittype, sleutels, attributen, tijdstip, referentienummer)."""

    def protocolleer(levering: Any) -> None:
        if not levering.sleutels:
            return
        # The doel is that of the rule the vraag was allowed by: La01 answers a Lv01.
        code = autorisatie.berichtcode_van(levering.berichtcode).replace("La", "Lv", 1)
        besluit = autorisatie.mag_vragen(registry.get(levering.afnemer), code, levering.entiteittype)
        with database.schrijven() as verbinding:
            protocol.vastleggen(
                verbinding, afnemer_oin=levering.afnemer, berichtcode=levering.berichtcode,
                entiteittype=levering.entiteittype, object_sleutels=levering.sleutels,
                attribuut_paden=levering.attributen, doel=besluit.doel,
                referentienummer=levering.referentienummer, tijdstip=levering.tijdstip,
            )

    return protocolleer


def vraag_hooks(config, database) -> dict[str, Callable]:
    """Keyword arguments for ``Afnemerhooks(**vraag_hooks(config, db), plaats_indicaties=…)``."""
    registry = Registry(config, database)
    return {"filter": filterer(registry), "protocolleer": protocolleerder(registry, database)}
