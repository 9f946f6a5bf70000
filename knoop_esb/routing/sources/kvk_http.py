"""One KVK request, done properly: client-side rate limit, the apikey header, TLS trust from
configuration, KVK's error bodies turned into :mod:`kvk_errors`, bounded retries with exponential
back-off and jitter for temporary failures, and one :class:`KvkCall` recorded per attempt.

Retries are bounded twice (attempts and total seconds) so a KVK outage never becomes a retry
storm; an error is logged once, when it is finally raised, not on every attempt.
"""
from __future__ import annotations

import json
import random
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import httpx

from knoop_esb import logs
from knoop_esb.routing.sources import kvk_errors as errors
from knoop_esb.routing.sources.kvk_policy import is_paid
from knoop_esb.routing.sources.kvk_recorder import KvkCall, KvkRecorder
from knoop_esb.routing.sources.ratelimit import TokenBucket

log = logs.get("knoop_esb.kvk")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    max_seconds: float = 30.0
    initial: float = 0.5
    maximum: float = 8.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Back-off before attempt ``attempt + 1``: exponential, jittered between 50 % and 100 %
        so many clients do not return in step; a Retry-After from KVK wins when longer."""
        base = min(self.maximum, self.initial * (2 ** (attempt - 1)))
        jittered = base * (0.5 + rng.random() / 2)
        if retry_after is not None:
            jittered = max(jittered, min(retry_after, self.maximum))
        return jittered


def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """Trust for KVK's TLS server: the configured PEM bundle (PKIoverheid Private Root G1 chain)
    or the system store. An explicit context also keeps SSL_CERT_FILE & co. from overriding it."""
    if ca_bundle:
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise errors.KvkVerbindingsfout(f"kvk.ca_bundle {ca_bundle} is niet te lezen: {exc}",
                                            tijdelijk=False) from None
    return ssl.create_default_context()


class KvkTransport:
    def __init__(self, base_url: str, api_key: str, *, key_id: str, recorder: KvkRecorder,
                 verify: ssl.SSLContext | bool = True, timeout: float = 10.0,
                 retry: RetryPolicy = RetryPolicy(), bucket: TokenBucket | None = None,
                 http: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None):
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.recorder = recorder
        self.retry = retry
        self.bucket = bucket
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._http = http or httpx.Client(verify=verify, timeout=timeout, trust_env=False,
                                          headers={"apikey": api_key, "Accept": "application/hal+json"})
        self.timeout = timeout

    def close(self) -> None:
        self._http.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, endpoint: str, path: str, params: dict[str, Any] | None = None, *,
            required: dict[str, str] | None = None, leeg_bij: frozenset[str] = frozenset()) -> dict | None:
        """GET ``path`` and return its JSON object; None when KVK answers one of ``leeg_bij``."""
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._attempt(endpoint, path, params, attempt, required or {})
            except errors.KvkError as exc:
                if exc.code in leeg_bij:
                    return None
                delay = self.retry.delay(attempt, getattr(exc, "retry_after", None), self._rng)
                if (not exc.tijdelijk or attempt >= self.retry.max_attempts
                        or self._clock() - started + delay > self.retry.max_seconds):
                    log.warning("kvk.fout", endpoint=endpoint, soort=type(exc).__name__, code=exc.code,
                                status=exc.status, pogingen=attempt, omschrijving=exc.omschrijving)
                    raise
                log.debug("kvk.opnieuw", endpoint=endpoint, poging=attempt, wacht=round(delay, 3),
                          code=exc.code, status=exc.status)
                self._sleep(delay)

    def _attempt(self, endpoint, path, params, attempt, required) -> dict:
        if self.bucket is not None:
            self.bucket.acquire()
        stamp = datetime.now(timezone.utc)
        t0 = time.perf_counter()
        status = code = None
        paid = False
        try:
            response = self._send(endpoint, path, params)
            status = response.status_code
            if status >= 300:
                fouten = _fouten(response)
                code = fouten[0].get("code") if fouten else None
                raise errors.classify(status, fouten, endpoint, _retry_after(response))
            body = _json_object(response, endpoint, required)
            paid = is_paid(endpoint)
            return body
        finally:
            self.recorder.record(KvkCall(stamp, endpoint, self.key_id, paid, status, code,
                                         round((time.perf_counter() - t0) * 1000, 2), attempt))

    def _send(self, endpoint: str, path: str, params) -> httpx.Response:
        try:
            return self._http.get(self.url(path), params=params)
        except httpx.TimeoutException:
            raise errors.KvkVerbindingsfout(f"geen antwoord binnen {self.timeout} s",
                                            endpoint=endpoint) from None
        except httpx.ConnectError as exc:
            tls = _is_tls_failure(exc)
            what = "TLS-fout" if tls else "verbinding mislukt"
            raise errors.KvkVerbindingsfout(f"{what}: {exc}", endpoint=endpoint, tijdelijk=not tls) from None
        except httpx.TransportError as exc:
            raise errors.KvkVerbindingsfout(f"verbinding verbroken: {exc}", endpoint=endpoint) from None


def _is_tls_failure(exc: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in str(exc)


def _fouten(response: httpx.Response) -> list[dict]:
    """``fout[]`` of a Handelsregister API, or an RFC 7807 ProblemDetail of the Mutatieservice."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    if not isinstance(body, dict):
        return []
    fout = body.get("fout")
    if isinstance(fout, list):
        return [{"code": _text(f.get("code")), "omschrijving": _text(f.get("omschrijving"))}
                for f in fout if isinstance(f, dict)]
    if "title" in body or "detail" in body:
        return [{"code": None, "omschrijving": _text(body.get("detail")) or _text(body.get("title"))}]
    return []


def _text(value) -> str | None:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _json_object(response: httpx.Response, endpoint: str, required: dict[str, str]) -> dict:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise errors.KvkOngeldigAntwoord(f"geen geldige JSON ({exc.__class__.__name__})",
                                         status=response.status_code, endpoint=endpoint) from None
    if not isinstance(body, dict):
        raise errors.KvkOngeldigAntwoord("antwoord is geen JSON-object", status=response.status_code,
                                         endpoint=endpoint)
    problems = [problem for name, kind in required.items() if (problem := _check(body, name, kind))]
    if problems:
        raise errors.KvkOngeldigAntwoord("; ".join(problems), status=response.status_code, endpoint=endpoint)
    return body


def _check(body: dict, name: str, kind: str) -> str | None:
    """``kind``: tekst, getal, object, objecten (a list of objects); a trailing ``?`` = optional."""
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if name not in body or body[name] is None:
        return None if optional else f"verplicht veld {name} ontbreekt"
    value = body[name]
    ok = {"tekst": isinstance(value, str),
          "getal": isinstance(value, int) and not isinstance(value, bool),
          "object": isinstance(value, dict),
          "objecten": isinstance(value, list) and all(isinstance(item, dict) for item in value)}[kind]
    return None if ok else f"veld {name} is geen {kind}"
