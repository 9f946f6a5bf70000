"""The normalised form of names for non-exact search: case, accents and spacing do not count.

Why: "Café De Hoek", "cafe de  hoek" and "CAFÉ DE HOEK" are the same handelsnaam to someone
searching; one pure function decides that for storing and for querying alike.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str | None:
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


def like_escape(text: str) -> str:
    """Escape LIKE wildcards (used with ``escape='\\\\'``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
