"""What a vraagbericht asks, as frozen data: the rest of the package never reads XML requests.

Selection criteria are kept as paths of element names in the StUF-BG content model
(``verblijfsadres/aoa.postcode``), exactly the form the schema's sorteringObject appinfo uses, so
selection, sortering and paging all speak about the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knoop_esb.stuf.stuurgegevens import Stuurgegevens

# noValue values that make the element a real criterion in <gelijk> (StUF 03.01 §6.3.1);
# any other noValue means "ignore this element".
NOVALUE_CRITERIUM = frozenset({"geenWaarde", "vastgesteldOnbekend"})


@dataclass(frozen=True)
class Criterium:
    """One selection criterion: ``pad`` equal to ``waarde`` (gelijk), or ``van``..``tot`` (range)."""

    pad: str
    waarde: str | None = None
    exact: bool = True
    no_value: str | None = None  # geenWaarde / vastgesteldOnbekend: the element must be empty so
    van: str | None = None
    tot: str | None = None

    @property
    def is_bereik(self) -> bool:
        return self.van is not None or self.tot is not None


@dataclass(frozen=True)
class Vraag:
    """One Lv01. ``scope`` is the emitter's scope structure (see :mod:`knoop_esb.vraag.scope`)."""

    berichtcode: str  # nnpLv01 / macLv01 / vesLv01, or …Lv03 / …Lv05 for history (the body element's name)
    entiteittype: str
    stuurgegevens: Stuurgegevens
    gelijk: tuple[Criterium, ...] = ()
    bereik: tuple[Criterium, ...] = ()
    sleutel: str | None = None  # StUF:sleutel* on <gelijk>: bevragen op sleutel (§6.3.2)
    scope: Any = None
    sortering: int = 0
    maximum_aantal: int | None = None
    indicator_vervolgvraag: bool = False
    indicator_afnemerindicatie: bool = False
    indicator_aantal: bool = False
    start: Any = None  # the start object element of a vervolgvraag (lxml), or None
    # StUF:Tijdstip (yyyymmddhhmmss…, Dutch time): the state valid then (materieel) / as registered
    # then (formeel; for an Lv05 also the end of its history). None = now.
    peiltijdstip_materieel: str | None = None
    peiltijdstip_formeel: str | None = None

    @property
    def criteria(self) -> tuple[Criterium, ...]:
        return self.gelijk + self.bereik
