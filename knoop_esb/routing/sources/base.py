"""The one narrow interface every source of answers implements.

A vraag arrives in StUF terms (berichtcode, entiteittype, selection keys); a source answers with
canonical model objects (``knoop_esb.transform.model``) or, when it proxies another StUF
service, with the upstream's own ``object`` elements. Keeping the seam this small lets the route
table put the store, the KVK API, Handelsdata and upstream StUF services in any order.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Protocol, runtime_checkable

# Selection keys a vraag may carry, named as the StUF-BG/Handelsregister attributes they select on.
SELECTIE_SLEUTELS = frozenset({
    "kvkNummer", "rsin", "vestigingsnummer", "handelsnaam", "statutaireNaam",
    "postcode", "huisnummer", "huisletter", "huisnummertoevoeging", "woonplaats", "straat",
})


def nu() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Vraag:
    """One question to a source.

    ``element`` is the original vraagbericht (lxml) when there is one: a proxying source forwards
    it; the others only read ``selectie``. ``afnemer`` is the asking OIN (route overrides).
    """

    berichtcode: str
    entiteittype: str
    selectie: Mapping[str, str] = field(default_factory=dict)
    afnemer: str | None = None
    element: Any = None

    def __post_init__(self) -> None:
        onbekend = sorted(set(self.selectie) - SELECTIE_SLEUTELS)
        if onbekend:
            raise ValueError(f"unknown selection key {onbekend[0]!r}; known: {', '.join(sorted(SELECTIE_SLEUTELS))}")


@dataclass(frozen=True)
class Melding:
    """Something the asker should know: a source that failed, timed out, or answered stale data."""

    bron: str
    code: str
    omschrijving: str
    # True when the source did answer, with a functional refusal (an upstream Fo02), rather than
    # failing to answer at all; decides the node's own foutcode when no source answers.
    functioneel: bool = False


@dataclass(frozen=True)
class Antwoord:
    """What one source (or a whole chain) answered.

    ``objecten`` holds canonical model objects; ``stuf_objecten`` holds upstream StUF ``object``
    elements relayed as they came. ``fetched_at`` is when the data was fetched from its origin
    (for the store: the oldest stored object's fetch time) so the chain can judge freshness.
    """

    bron: str
    objecten: tuple = ()
    stuf_objecten: tuple = ()
    fetched_at: datetime = field(default_factory=nu)
    meldingen: tuple[Melding, ...] = ()

    @property
    def gevonden(self) -> bool:
        return bool(self.objecten or self.stuf_objecten)

    def met_meldingen(self, meldingen) -> "Antwoord":
        return dataclasses.replace(self, meldingen=tuple(meldingen) + self.meldingen)


class BronFout(Exception):
    """A source could not answer (unreachable, refused, out of credits, timed out).

    The chain records it as a melding and asks the next source; ``code`` is the source's own code
    (IPD1002, HTTP 429, an upstream StUF foutcode …), ``omschrijving`` one readable line.
    """

    def __init__(self, bron: str, code: str, omschrijving: str, details: str | None = None,
                 functioneel: bool = False):
        self.bron = bron
        self.code = code
        self.omschrijving = omschrijving
        self.details = details
        self.functioneel = functioneel
        super().__init__(f"{bron}: {code} {omschrijving}")

    def melding(self) -> Melding:
        return Melding(self.bron, self.code, self.omschrijving, self.functioneel)


@runtime_checkable
class Source(Protocol):
    """A source of answers. ``naam`` is how routes name it (``store``, ``kvk``, ``upstream:brp``)."""

    naam: str
    entiteittypen: frozenset[str]

    def vraag(self, vraag: Vraag) -> Antwoord:
        """Answer ``vraag``; an empty ``Antwoord`` means "asked, nothing found"; raise BronFout
        when the source could not answer at all."""
        ...
