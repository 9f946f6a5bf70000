"""Autorisatieprofielen as data: named sets of doelbinding rules an afnemer can be given.

Why data: which afnemer may see what is a policy decision of the municipality, reviewed by its
privacy officer; a profile is a list anyone can read, not code paths.
"""
from __future__ import annotations

from dataclasses import dataclass

ALLES = ("*",)
HANDELSREGISTER = ("MAC", "NNP", "VES")


@dataclass(frozen=True)
class Regel:
    """One doelbinding rule. ``berichtcode`` is the StUF code without entiteittype (Lv01, Lk01) or
    ``*``; ``entiteittype`` MAC/NNP/VES or ``*``. For selectie/attributen/relaties ``("*",)`` means
    all and ``()`` none. Attribute paths are element names below the object joined by "/";
    a path also allows everything beneath it."""

    berichtcode: str = "*"
    entiteittype: str = "*"
    selectie: tuple[str, ...] = ALLES
    attributen: tuple[str, ...] = ALLES
    relaties: tuple[str, ...] = ALLES
    doel: str = ""

    def past_op(self, berichtcode: str, entiteittype: str) -> bool:
        return self.berichtcode in ("*", berichtcode) and self.entiteittype in ("*", entiteittype)


_BASIS_ATTRIBUTEN = (
    "kvkNummer", "vestigingsNummer", "handelsnaam", "volgorde", "datumAanvang", "datumBeeindiging",
    "typeringVestiging", "activiteit", "verblijfsadres", "sub.correspondentieAdres",
)

PROFIELEN: dict[str, tuple[Regel, ...]] = {
    # Every Handelsregister bericht (vragen and kennisgevingen), every attribute and relation.
    "handelsregister": tuple(
        Regel("*", et, doel="Handelsregistergegevens voor de uitvoering van gemeentelijke taken") for et in HANDELSREGISTER
    ),
    # Vestigingen and inschrijvingen without persons: names, addresses and activities only.
    "handelsregister-basis": tuple(
        Regel(code, et, attributen=_BASIS_ATTRIBUTEN, relaties=(),
              doel="Bedrijfsvestigingen: namen, adressen en activiteiten")
        for code in ("Lv01", "Lk01") for et in ("MAC", "VES")
    ),
}
