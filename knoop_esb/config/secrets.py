"""Secrets in the configuration, and masking them wherever text leaves the process.

A field is secret when its metadata says so (``metadata=SECRET``, or ``SECRET_URL`` for a URL whose
password is the secret). :func:`load` remembers every configured secret value of the process here;
``config show``, the CLI's error lines and the structlog processor :func:`mask_event` then replace
each one with ``***``. Marking the field is all a new secret needs: no output path has to know it.

Any ``scheme://user:password@`` in text is masked too, configured or not (a database URL built
elsewhere, a URL in a library's exception). Configured values shorter than
:data:`MIN_MASKED_LENGTH` are masked only in that URL form: masking every occurrence of a short
word would garble unrelated text, and no real API key, token or hash is that short.
"""
from __future__ import annotations

import dataclasses
import re
import threading
from typing import Any, MutableMapping
from urllib.parse import quote

SECRET = {"secret": "value"}
SECRET_URL = {"secret": "url"}
MASK = "***"
MIN_MASKED_LENGTH = 6

_URL_PASSWORD = re.compile(r"(?P<voor>\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]*:)[^\s@/'\"]+@", re.IGNORECASE)
_lock = threading.Lock()
_values: set[str] = set()


def secret_kind(f: dataclasses.Field) -> str | None:
    return f.metadata.get("secret")


def url_password(url: str) -> str | None:
    """The password in a URL (``scheme://user:password@host``), decoded, or None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        match = _URL_PASSWORD.search(url)
        return match.group(0)[len(match.group("voor")):-1] if match else None
    return str(password) if password else None


def secret_values(value: Any) -> set[str]:
    """Every secret value in a section (or list of them), found through the field markers."""
    found: set[str] = set()
    if isinstance(value, (list, tuple)):
        for item in value:
            found |= secret_values(item)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            kind = secret_kind(f)
            if kind == "url" and item:
                password = url_password(str(item))
                if password:
                    found.add(password)
            elif kind and item:
                found.add(str(item))
            else:
                found |= secret_values(item)
    return found


def masked(f: dataclasses.Field, value: Any) -> Any:
    """What ``config show`` prints for field ``f``: the value, or its masked form."""
    kind = secret_kind(f)
    if not kind or not value:
        return value
    if kind == "url":
        return mask_text(str(value), frozenset())
    return MASK


def remember(values: set[str]) -> None:
    """Add configured secret values to the process's mask list (called by ``load``)."""
    with _lock:
        _values.update(v for v in values if v)


def forget_all() -> None:
    """For tests: empty the mask list."""
    with _lock:
        _values.clear()


def mask_text(text: str, values: frozenset[str] | set[str] | None = None) -> str:
    """``text`` with every URL password and every remembered secret value replaced by ``***``."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('voor')}{MASK}@", text)
    for value in sorted(_values if values is None else values, key=len, reverse=True):
        if len(value) < MIN_MASKED_LENGTH:
            continue
        for form in {value, quote(value, safe=""), quote(value)}:
            if form in text:
                text = text.replace(form, MASK)
    return text


def _mask_any(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_any(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_any(v) for v in value]
    if isinstance(value, BaseException):
        return mask_text(str(value))
    return value


def mask_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: every string in the event (the rendered traceback too) masked."""
    return {key: _mask_any(value) for key, value in event.items()}
