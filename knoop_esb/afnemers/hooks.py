"""The afnemers package's part in answering a vraag: doelbinding on every object and the protocol
log of every answer, as the callables ``knoop_esb.vraag.dienst.Afnemerhooks`` takes.

Why a seam: the vraag package decides what was asked and found; this package decides what the
afnemer may have and records what it got. Neither reads the other's data structures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from lxml import etree

from knoop_esb.afnemers import autorisatie, protocol
from knoop_esb.afnemers.registry import AfnemerInfo, Registry
from knoop_esb.config.cache import per_config


@dataclass(frozen=True)
class Levering:
    """What the protocol log records about one answer (the vraag flow and the proxy build it)."""

    afnemer: str
    berichtcode: str
    entiteittype: str
    sleutels: tuple[str, ...]
    attributen: tuple[str, ...]
    tijdstip: datetime
    referentienummer: str | None
    afnemerindicatie: bool
    doel: str = ""


@dataclass(frozen=True)
class Toegang:
    """The afnemer and the rules its vraag was allowed by, worked out once per vraag by
    :func:`autoriseerder` and handed back for every object and the protocol line."""

    afnemer: AfnemerInfo
    berichtcode: str
    besluit: autorisatie.Besluit

    @property
    def doel(self) -> str:
        """The grounds (doelbinding rules' doel) the data is delivered on, for the protocol log."""
        return self.besluit.doel


def autoriseerder(registry: Registry) -> Callable[[str, str, str, Sequence[str]], Toegang]:
    """``autoriseer(oin, berichtcode, entiteittype, selectie_paden) -> Toegang``; refuses with
    StUF052 (StUF 03.01 §6.4.1) before any source is asked."""

    def autoriseer(oin: str, berichtcode: str, entiteittype: str, paden: Sequence[str] = ()) -> Toegang:
        afnemer = registry.get(oin)
        return Toegang(afnemer, berichtcode, autorisatie.controleer_vraag(afnemer, berichtcode, entiteittype, paden))

    return autoriseer


def filter_object(toegang: Toegang, obj: etree._Element) -> tuple[etree._Element | None, tuple[str, ...]]:
    """``filter(toegang, obj)``: the object cut to the attributes the afnemer's rules allow (None:
    not at all) and the attribute paths it delivers, for the protocol line."""
    gefilterd = autorisatie.filter_antwoord(toegang.afnemer, obj, toegang.berichtcode)
    return gefilterd.element, gefilterd.attribuut_paden


def protocolleerder(database) -> Callable[[Levering], None]:
    """``protocolleer(levering)``: one protocol line, on the store's autocommit connection for the
    per-message writes (``Database.schrijven``), when the answer delivered objects."""

    def protocolleer(levering: Levering) -> None:
        if not levering.sleutels:
            return
        with database.schrijven() as verbinding:
            protocol.vastleggen(
                verbinding, afnemer_oin=levering.afnemer, berichtcode=levering.berichtcode,
                entiteittype=levering.entiteittype, object_sleutels=levering.sleutels,
                attribuut_paden=levering.attributen, doel=levering.doel,
                referentienummer=levering.referentienummer, tijdstip=levering.tijdstip,
            )

    return protocolleer


def vraag_hooks(config, database) -> dict[str, Callable]:
    """Keyword arguments for ``Afnemerhooks(**vraag_hooks(config, db), plaats_indicaties=…)``."""
    return {"autoriseer": autoriseerder(Registry(config, database)), "filter": filter_object,
            "protocolleer": protocolleerder(database)}


@per_config
def node_hooks(config) -> dict[str, Callable]:
    """:func:`vraag_hooks` on the process's database, built once per Config: the node's vraag and
    proxy handlers share one Registry."""
    from knoop_esb.store.db import database

    return vraag_hooks(config, database(config))
