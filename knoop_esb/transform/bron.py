"""Small pure readers shared by the source adapters: KVK's and StUF-HR's loose values → model values.

KVK sends "Ja"/"Nee" strings, dates as ``JJJJMMDD`` strings with ``00`` for unknown parts,
empty strings for absent values and padded free text; StUF-HR sends ``J``/``N`` and the same
dates. These helpers make one reading of all of that and raise :class:`MappingFout` only when a
value cannot mean anything.
"""
from __future__ import annotations

import re
from typing import Any

from knoop_esb.transform.fout import MappingFout

_WS = re.compile(r"\s+")
# Characters XML 1.0 cannot carry (C0 controls other than tab/newline/CR, surrogates, U+FFFE/FFFF).
_NIET_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATUM = re.compile(r"^\d{8}$")
_TIJDSTIP = re.compile(r"^\d{8,17}$")


def tekst(value: Any) -> str | None:
    """Trimmed text with inner whitespace runs collapsed; empty → None."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() and "  " not in text:  # the common case, without regular expressions
        return text.strip() or None
    text = _WS.sub(" ", _NIET_XML.sub("", text)).strip()
    return text or None


def geheel(value: Any, plek: str) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise MappingFout(f"'{value}' is geen geheel getal", plek) from None


def indicatie(value: Any) -> bool | None:
    """Ja/Nee, J/N, true/false (any case) → bool; anything else → None."""
    if isinstance(value, bool):
        return value
    text = tekst(value)
    if text is None:
        return None
    return {"ja": True, "j": True, "true": True, "nee": False, "n": False, "false": False}.get(text.lower())


def datum(value: Any, plek: str) -> str | None:
    """``JJJJMMDD`` (also ``JJJJ-MM-DD``); ``00`` parts allowed; ``00000000`` and empty → None."""
    text = tekst(value)
    if text is None:
        return None
    digits = text.replace("-", "")
    if not _DATUM.match(digits):
        raise MappingFout(f"'{value}' is geen datum JJJJMMDD", plek)
    if digits == "00000000":
        return None
    month, day = int(digits[4:6]), int(digits[6:8])
    if month > 12 or day > 31:
        raise MappingFout(f"'{value}' is geen datum JJJJMMDD", plek)
    return digits


def tijdstip(value: Any, plek: str) -> str | None:
    text = tekst(value)
    if text is None:
        return None
    digits = re.sub(r"[-:T .Z]", "", text)
    if not _TIJDSTIP.match(digits):
        raise MappingFout(f"'{value}' is geen tijdstip JJJJMMDDuummss", plek)
    return digits


def nummer(value: Any, lengte: int, plek: str, verplicht: bool = True) -> str | None:
    """A KVK/vestigings/RSIN number: digits only, zero-padded to its fixed length."""
    text = tekst(value)
    if text is None:
        if verplicht:
            raise MappingFout(f"ontbreekt (een nummer van {lengte} cijfers)", plek)
        return None
    if not text.isdigit() or len(text) > lengte:
        raise MappingFout(f"'{text}' is geen nummer van {lengte} cijfers", plek)
    return text.zfill(lengte)


def sbi_code(value: Any, plek: str) -> str | None:
    """An SBI code (digits, at most 15); None when absent. KVK JSON and StUF-HR both carry them."""
    code = tekst(value)
    if code is not None and (not code.isdigit() or len(code) > 15):
        raise MappingFout(f"'{code}' is geen SBI-code", plek)
    return code


def postcode(value: Any) -> str | None:
    text = tekst(value)
    return text.replace(" ", "").upper() if text else None


def lijst(value: Any, plek: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MappingFout("verwacht een lijst", plek)
    return value


def object_(value: Any, plek: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingFout("verwacht een JSON-object", plek)
    return value
