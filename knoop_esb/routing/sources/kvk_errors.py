"""What can go wrong when asking KVK, as a small tree so callers catch exactly what they handle.

    KvkError
    ├── KvkTijdelijkNietBeschikbaar   IPD1002/IPD1003/IPD9999, HTTP 429, 5xx (retried with back-off)
    ├── KvkNietGevonden               IPD0005/IPD0007/IPD0001, 404 without a code
    ├── KvkFout                       any other IPD code: permanent (invalid number, parameter …)
    ├── KvkAuthFout                   HTTP 401/403 (missing or wrong apikey, not authorised)
    ├── KvkVerbindingsfout            timeout, connection refused, TLS failure
    ├── KvkOngeldigAntwoord           200 with malformed JSON or missing required fields
    └── KvkBetaaldGeweigerd           a paid call refused by the paid-call policy before sending

Every error keeps the KVK ``code`` (IPD…) and ``omschrijving`` as KVK sent them, the HTTP
``status`` and the ``endpoint`` it concerned.
"""
from __future__ import annotations

TIJDELIJKE_CODES = frozenset({"IPD1002", "IPD1003", "IPD9999"})
NIET_GEVONDEN_CODES = frozenset({"IPD0001", "IPD0005", "IPD0007"})
GEEN_RESULTATEN = "IPD5200"


class KvkError(Exception):
    """Base of all KVK failures."""

    #: True when asking again later may succeed; the client retries these.
    tijdelijk = False

    def __init__(self, omschrijving: str, *, code: str | None = None, status: int | None = None,
                 endpoint: str | None = None):
        self.code = code
        self.omschrijving = omschrijving
        self.status = status
        self.endpoint = endpoint
        prefix = f"{code}: " if code else ""
        where = f" ({endpoint}, HTTP {status})" if endpoint and status else (f" ({endpoint})" if endpoint else "")
        super().__init__(f"KVK {prefix}{omschrijving}{where}")


class KvkTijdelijkNietBeschikbaar(KvkError):
    tijdelijk = True

    def __init__(self, *args, retry_after: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class KvkNietGevonden(KvkError):
    pass


class KvkFout(KvkError):
    pass


class KvkAuthFout(KvkError):
    pass


class KvkVerbindingsfout(KvkError):
    def __init__(self, *args, tijdelijk: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # A timeout or refused connection may pass; a TLS trust failure will not.
        self.tijdelijk = tijdelijk


class KvkOngeldigAntwoord(KvkError):
    pass


class KvkBetaaldGeweigerd(KvkError):
    pass


def classify(status: int, fouten: list[dict], endpoint: str, retry_after: float | None = None) -> KvkError:
    """The error for a non-2xx KVK answer; ``fouten`` is the parsed ``fout[]`` (may be empty)."""
    first = fouten[0] if fouten else {}
    code = first.get("code") or None
    text = first.get("omschrijving") or _default_text(status)
    kwargs = {"code": code, "status": status, "endpoint": endpoint}
    if status in (401, 403):
        return KvkAuthFout(text, **kwargs)
    if code in TIJDELIJKE_CODES or status == 429 or status >= 500:
        return KvkTijdelijkNietBeschikbaar(text, retry_after=retry_after, **kwargs)
    if code in NIET_GEVONDEN_CODES or (status == 404 and not code) or code == GEEN_RESULTATEN:
        return KvkNietGevonden(text, **kwargs)
    return KvkFout(text, **kwargs)


def _default_text(status: int) -> str:
    return {
        400: "Een opgegeven parameter is niet valide",
        401: "Geen of onjuiste apikey aangeleverd",
        403: "Niet geautoriseerd voor deze operatie",
        404: "Er zijn geen resultaten gevonden aan de hand van de opgegeven parameter(s)",
        406: "Opgegeven Accept header wordt niet ondersteund",
        429: "Te veel verzoeken",
        500: "Er is een interne fout opgetreden",
    }.get(status, f"HTTP {status}")
