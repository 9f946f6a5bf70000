"""The six Mutatieservice signal types and what the node does with each (seed 002 §1).

KVK versions some type names (``SignaalBeeindiging_2025_01``); the seed and the catalogue use the
plain names. Both are accepted: the suffix is dropped before the table is read. Unknown types are
stored and not acted on.
"""
from __future__ import annotations

import re

NIEUWE_INSCHRIJVING = "SignaalNieuweInschrijving"
GEWIJZIGDE_INSCHRIJVING = "SignaalGewijzigdeInschrijving"
GEWIJZIGDE_VESTIGING = "SignaalGewijzigdeVestiging"
BEEINDIGING = "SignaalBeeindiging"
RECHTSVORMWIJZIGING = "SignaalRechtsvormwijziging"
VOORTZETTING_EN_OVERDRACHT = "SignaalVoortzettingEnOverdracht"

SOORTEN = (NIEUWE_INSCHRIJVING, GEWIJZIGDE_INSCHRIJVING, GEWIJZIGDE_VESTIGING, BEEINDIGING,
           RECHTSVORMWIJZIGING, VOORTZETTING_EN_OVERDRACHT)
# Stored, not queued: "not used for address tracking - too many updates, handled via cronjobs".
ALLEEN_BEWAARD = frozenset({GEWIJZIGDE_VESTIGING})
# Types whose details (GET …/signalen/{id}) the processor needs: a date or the successor.
MET_DETAILS = frozenset({BEEINDIGING, VOORTZETTING_EN_OVERDRACHT, RECHTSVORMWIJZIGING})
# A change KVK reported: the stored company is refreshed even without --allow-update.
WIJZIGINGEN = frozenset({GEWIJZIGDE_INSCHRIJVING, BEEINDIGING, RECHTSVORMWIJZIGING, VOORTZETTING_EN_OVERDRACHT})

_VERSIE = re.compile(r"_[0-9]{4}_[0-9]{2}$")


def soort(signaal_type: str | None) -> str | None:
    """The plain type name, or None for a type the node does not know."""
    naam = _VERSIE.sub("", signaal_type or "")
    return naam if naam in SOORTEN else None


def bron_voor(signaal_soort: str | None, *, handelsdata: bool) -> str | None:
    """The ``bedrijf_nieuw`` source that handles a signal; None = stored only.

    New registrations go to Handelsdata when it is configured (seed §4: the cheap source for new
    registrations; a failure there falls back to KVK); every other change goes to KVK."""
    if signaal_soort is None or signaal_soort in ALLEEN_BEWAARD:
        return None
    if signaal_soort == NIEUWE_INSCHRIJVING and handelsdata:
        return "handelsdata"
    return "kvk"
