"""The one error of the transform package: input that cannot become a Handelsregister object.

It is a ValueError, not a StufFout, because transform knows nothing of messages; the caller
(vraag/antwoord, sync) turns it into the StUF foutbericht or log line that fits its flow.
"""
from __future__ import annotations


class MappingFout(ValueError):
    """Unusable source data; ``plek`` names the field (JSON path or XML element) at fault."""

    def __init__(self, omschrijving: str, plek: str | None = None):
        self.omschrijving = omschrijving
        self.plek = plek
        super().__init__(f"{plek}: {omschrijving}" if plek else omschrijving)
