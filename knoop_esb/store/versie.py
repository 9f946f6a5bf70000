"""The version value object the Handelsregister repository and its searches hand out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from knoop_esb.store.models import MacVersie, NnpVersie, VesVersie

MODELS: dict[str, type] = {"MAC": MacVersie, "NNP": NnpVersie, "VES": VesVersie}
SLEUTELS: dict[str, str] = {"MAC": "kvk_nummer", "NNP": "rsin", "VES": "vestigingsnummer"}


@dataclass(frozen=True)
class Versie:
    """One stored version of an object, as the repository hands it out."""

    entiteittype: str
    sleutel: str
    data: dict[str, Any]
    begin_geldigheid: date
    eind_geldigheid: date | None
    tijdstip_registratie: datetime
    tijdstip_einde_registratie: datetime | None
    fetched_at: datetime
    bron: str
    id: int


class HistorieFout(ValueError):
    """A request the Handelsregister store cannot take (unknown entiteittype, empty key, bad match)."""


def versie_van(entiteittype: str, row) -> Versie:
    return Versie(
        entiteittype=entiteittype,
        sleutel=getattr(row, SLEUTELS[entiteittype]),
        data=row.data,
        begin_geldigheid=row.begin_geldigheid,
        eind_geldigheid=row.eind_geldigheid,
        tijdstip_registratie=row.tijdstip_registratie,
        tijdstip_einde_registratie=row.tijdstip_einde_registratie,
        fetched_at=row.fetched_at,
        bron=row.bron,
        id=row.id,
    )


def postcode_norm(postcode: str | None) -> str | None:
    return postcode.replace(" ", "").upper() if postcode else None
