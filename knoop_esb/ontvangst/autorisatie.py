"""Who may send which kennisgeving: default deny, refused with StUF052.

- indicatorOvername "V" (take the data over): only a chain partner, an afnemer whose
  ``kennisgevingen_in`` in knoop.toml names the entiteittype (or "*").
- indicatorOvername "I" (follow the object, StUF 03.01 §5 footnote 13): any afnemer whose
  doelbinding lets it receive Lk01 about the entiteittype: it asks for what it could be sent.
"""
from __future__ import annotations

from knoop_esb.afnemers.autorisatie import regels_voor
from knoop_esb.afnemers.registry import AfnemerInfo
from knoop_esb.ontvangst.kennisgeving import Lk01
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout


def controleer(afnemer: AfnemerInfo | None, lk01: Lk01) -> None:
    """Raise StUF052 unless ``afnemer`` may send ``lk01``."""
    ent = lk01.entiteittype
    if afnemer is None or not afnemer.actief:
        raise StufFout(foutcodes.STUF052, details="onbekende of niet-actieve afnemer")
    if lk01.indicator_overname == "I":
        if not regels_voor(afnemer, "Lk01", ent):
            raise StufFout(foutcodes.STUF052, details=f"afnemer {afnemer.oin} heeft geen doelbinding voor "
                                                      f"kennisgevingen over {ent}")
        return
    if not afnemer.levert(ent):
        raise StufFout(foutcodes.STUF052, details=f"afnemer {afnemer.oin} is geen ketenpartner voor {ent} "
                                                  f"(kennisgevingen_in)")
