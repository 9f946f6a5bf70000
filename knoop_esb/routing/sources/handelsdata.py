"""Client of the Handelsdata API: a cheap, credit-paid reseller of KVK data (seed 002 §4).

Several subscriptions (tokens) are configured. One token is used until it is rate limited (HTTP
429) or its month's budget cannot pay the next call (sticky: spreading calls over all tokens
would spread the rate limits too); then the next usable token takes over. Credits are reserved
before each call, so a budget is never overspent. The vendor's wire format is not public: what
this client assumes is written down in docs/handelsdata.md and kept to this one module.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Callable

import httpx

from knoop_esb import logs
from knoop_esb.config.handelsdata import Abonnement, HandelsdataConfig
from knoop_esb.routing.sources.base import BronFout, nu
from knoop_esb.routing.sources.credits import CreditBoek, GeheugenBoek

log = logs.get("knoop_esb.handelsdata")
BRON = "handelsdata"


class HandelsdataFout(BronFout):
    def __init__(self, code: str, omschrijving: str):
        super().__init__(BRON, code, omschrijving)


class HandelsdataClient:
    """``vestiging``, ``bedrijf`` and ``export_selectie`` against the configured subscriptions."""

    def __init__(self, config: HandelsdataConfig, boek: CreditBoek | None = None, *,
                 klok: Callable[[], datetime] = nu, monotoon: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None):
        if not config.geconfigureerd:
            raise HandelsdataFout("config", "[handelsdata] needs base_url and at least one abonnement")
        self.config = config
        self.boek = boek or GeheugenBoek()
        self.klok = klok
        self.monotoon = monotoon
        self._lock = threading.Lock()
        self._actief = 0  # index of the sticky token
        self._rust_tot: dict[str, float] = {}  # token → monotonic time it may be used again
        self._geweigerd: set[str] = set()  # tokens the vendor refused (401/403)
        self._leeg: set[tuple[str, str]] = set()  # (token, maand) the vendor says is spent (402)
        self._http = httpx.Client(base_url=config.base_url.rstrip("/"), timeout=config.timeout, trust_env=False,
                                  verify=config.ca_bundle or True, transport=transport)

    def close(self) -> None:
        self._http.close()

    # --- the three calls --------------------------------------------------------------------

    def vestiging(self, vestigingsnummer: str) -> dict | None:
        """One vestiging (Vestigingsprofiel shape plus email/telefoon); None when unknown. 1 credit."""
        return self._json("GET", f"/v1/vestigingen/{vestigingsnummer}", 1)

    def bedrijf(self, kvk_nummer: str) -> dict | None:
        """One company (Basisprofiel shape with ``vestigingen``); None when unknown. 1 credit."""
        return self._json("GET", f"/v1/bedrijven/{kvk_nummer}", 1)

    def export_selectie(self, kvk_nummers=(), vestigingsnummers=()) -> list[dict]:
        """The current vestigingen of a selection, for targeted updates; 1 credit per number asked."""
        selectie = {"kvkNummers": list(kvk_nummers), "vestigingsnummers": list(vestigingsnummers)}
        aantal = len(selectie["kvkNummers"]) + len(selectie["vestigingsnummers"])
        if not aantal:
            return []
        data = self._json("POST", "/v1/exportSelectie", aantal, json=selectie)
        resultaten = (data or {}).get("resultaten", [])
        if not isinstance(resultaten, list):
            raise HandelsdataFout("antwoord", "exportSelectie: resultaten is geen lijst")
        return resultaten

    def verbruik(self) -> dict[str, tuple[int, int]]:
        """Per abonnement: (credits used this month, monthly budget)."""
        maand = self._maand()
        return {a.naam: (self.boek.gebruikt(a.naam, maand), a.credits_per_maand) for a in self.config.abonnement}

    # --- token choice, credits, HTTP --------------------------------------------------------

    def _maand(self) -> str:
        return self.klok().strftime("%Y-%m")

    def _json(self, method: str, path: str, kosten: int, json=None) -> dict | None:
        response = self._call(method, path, kosten, json)
        if response is None:
            return None
        try:
            return response.json()
        except ValueError:
            raise HandelsdataFout("antwoord", f"{path}: antwoord is geen JSON") from None

    def _call(self, method: str, path: str, kosten: int, json=None) -> httpx.Response | None:
        maand = self._maand()
        overgeslagen: dict[str, str] = {}
        while True:
            abonnement = self._kies(maand, kosten, overgeslagen)
            if abonnement is None:
                raise HandelsdataFout(_reden(overgeslagen), "geen abonnement kan deze vraag nu betalen of doen: "
                                      + ", ".join(f"{k} ({v})" for k, v in overgeslagen.items()))
            response = self._stuur(abonnement, maand, kosten, method, path, json)
            status = response.status_code
            if status in (429, 402, 401, 403):
                self.boek.corrigeer(abonnement.naam, maand, -kosten)
                overgeslagen[abonnement.naam] = self._sla_over(abonnement, maand, response)
                continue
            if status == 404:
                self.boek.corrigeer(abonnement.naam, maand, -kosten)
                return None
            if status >= 300:
                self.boek.corrigeer(abonnement.naam, maand, -kosten)
                raise HandelsdataFout(f"HTTP {status}", f"{method} {path} gaf HTTP {status}")
            self._verreken(abonnement, maand, kosten, response)
            return response

    def _kies(self, maand: str, kosten: int, overgeslagen: dict[str, str]) -> Abonnement | None:
        """The sticky token if it can pay, else the next one that can; reserves the credits."""
        with self._lock:
            tokens = self.config.abonnement
            for stap in range(len(tokens)):
                i = (self._actief + stap) % len(tokens)
                a = tokens[i]
                if a.naam in overgeslagen:
                    continue
                if a.naam in self._geweigerd:
                    overgeslagen[a.naam] = "geweigerd"
                elif (a.naam, maand) in self._leeg:
                    overgeslagen[a.naam] = "op"
                elif self._rust_tot.get(a.naam, 0.0) > self.monotoon():
                    overgeslagen[a.naam] = "429"
                elif not self.boek.reserveer(a.naam, maand, kosten, a.credits_per_maand):
                    overgeslagen[a.naam] = "budget"
                else:
                    if i != self._actief:
                        log.info("handelsdata_token_gewisseld", van=tokens[self._actief].naam, naar=a.naam)
                    self._actief = i
                    return a
            return None

    def _stuur(self, a: Abonnement, maand: str, kosten: int, method: str, path: str, json) -> httpx.Response:
        try:
            return self._http.request(method, path, json=json, headers={"Authorization": f"Bearer {a.token}"})
        except httpx.HTTPError as exc:
            self.boek.corrigeer(a.naam, maand, -kosten)
            raise HandelsdataFout("verbinding", f"{method} {path}: {type(exc).__name__}: {exc}") from None

    def _sla_over(self, a: Abonnement, maand: str, response: httpx.Response) -> str:
        status = response.status_code
        if status == 429:
            rust = _seconden(response.headers.get("Retry-After"), self.config.rust_na_429)
            with self._lock:
                self._rust_tot[a.naam] = self.monotoon() + rust
            log.warning("handelsdata_rate_limit", abonnement=a.naam, rust_s=rust)
            return "429"
        if status == 402:
            with self._lock:
                self._leeg.add((a.naam, maand))
            log.warning("handelsdata_credits_op", abonnement=a.naam, maand=maand)
            return "op"
        with self._lock:
            self._geweigerd.add(a.naam)
        log.error("handelsdata_token_geweigerd", abonnement=a.naam, status=status)
        return "geweigerd"

    def _verreken(self, a: Abonnement, maand: str, kosten: int, response: httpx.Response) -> None:
        """Settle the reservation with what the vendor says it charged and has left."""
        gebruikt = _getal(response.headers.get("X-Credits-Used"))
        if gebruikt is not None and gebruikt != kosten:
            self.boek.corrigeer(a.naam, maand, gebruikt - kosten)
        over = _getal(response.headers.get("X-Credits-Remaining"))
        if over is not None:
            eigen = a.credits_per_maand - self.boek.gebruikt(a.naam, maand)
            if over < eigen:
                # The vendor counts more than we do (another client on the same token): believe it.
                self.boek.corrigeer(a.naam, maand, eigen - over)


def _reden(overgeslagen: dict[str, str]) -> str:
    redenen = set(overgeslagen.values())
    if redenen == {"429"}:
        return "HTTP 429"
    if redenen <= {"budget", "op"}:
        return "credits"
    return "abonnementen"


def _getal(tekst: str | None) -> int | None:
    try:
        return int(tekst) if tekst is not None else None
    except ValueError:
        return None


def _seconden(tekst: str | None, standaard: float) -> float:
    try:
        return max(0.0, float(tekst)) if tekst else standaard
    except ValueError:
        return standaard
