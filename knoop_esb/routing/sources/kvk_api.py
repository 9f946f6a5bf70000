"""The KVK API client: Zoeken v2, Basisprofiel v1 (+ eigenaar, hoofdvestiging, vestigingen),
Vestigingsprofiel v1, Naamgeving v1 and the Mutatieservice, exactly as KVK serves them
(kvk/FACTS.md). Answers are returned as KVK's JSON (dicts); turning them into the
Handelsregister model is ``knoop_esb.transform.kvk``'s job.

Only ``kvk.base_url`` and ``kvk.api_key`` differ between the built-in test source, KVK's test
environment (https://api.kvk.nl/test) and production (https://api.kvk.nl): every path below is
appended to the base URL.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import quote

from knoop_esb import logs
from knoop_esb.routing.sources import kvk_errors as errors
from knoop_esb.routing.sources.kvk_http import KvkTransport, RetryPolicy, ssl_context
from knoop_esb.routing.sources.kvk_policy import PaidPolicy
from knoop_esb.routing.sources.kvk_recorder import InMemoryRecorder, KvkRecorder, key_id
from knoop_esb.routing.sources.kvk_vestigingen import complete_vestigingen
from knoop_esb.store.kalender import month_start

# KVK's public test key (kvk/FACTS.md §0): used when kvk.api_key is empty.
TEST_API_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
KVK_NUMMER = re.compile(r"^[0-9]{8}$")
VESTIGINGSNUMMER = re.compile(r"^[0-9]{12}$")
ZOEK_PARAMETERS = frozenset({
    "kvkNummer", "rsin", "vestigingsnummer", "naam", "straatnaam", "plaats", "postcode", "huisnummer",
    "huisletter", "postbusnummer", "type", "inclusiefInactieveRegistraties", "pagina", "resultatenPerPagina"})
ZOEKEN_MAX_RESULTATEN = 1000      # "De API Zoeken toont max. 1000 resultaten."
SIGNALEN_PER_PAGINA = 500         # Mutatieservice `aantal` is 10..500
# What an answer must hold before the node relies on it (kvk_http._check); anything else is
# KvkOngeldigAntwoord rather than a crash further down.
VORM = {
    "zoeken": {"resultaten": "objecten", "totaal": "getal?", "pagina": "getal?"},
    "basisprofiel": {"kvkNummer": "tekst"},
    "vestiging": {"vestigingsnummer": "tekst"},
    "vestigingen": {"vestigingen": "objecten", "totaalAantalVestigingen": "getal?"},
    "naamgeving": {"kvkNummer": "tekst"},
    "abonnementen": {"abonnementen": "objecten"},
    "signalen": {"signalen": "objecten", "totaalPaginas": "getal?"},
    "signaal": {"signaal": "object"},
}
log = logs.get("knoop_esb.kvk")


class KvkApiClient:
    def __init__(self, transport: KvkTransport, policy: PaidPolicy = PaidPolicy()):
        self.transport = transport
        self.policy = policy

    @classmethod
    def from_config(cls, kvk, *, base_url: str | None = None, recorder: KvkRecorder | None = None,
                    **transport_options: Any) -> "KvkApiClient":
        """A client from the ``[kvk]`` section; ``base_url`` overrides it (the built-in test source
        started by ``serve --with-kvk-testserver``)."""
        from knoop_esb.routing.sources.ratelimit import TokenBucket

        url = base_url or kvk.base_url
        if not url:
            raise errors.KvkVerbindingsfout("kvk.base_url is leeg en er draait geen ingebouwde KVK-testbron",
                                            tijdelijk=False)
        api_key = kvk.api_key or TEST_API_KEY
        transport = KvkTransport(
            url, api_key, key_id=key_id(api_key, kvk.key_id),
            recorder=recorder if recorder is not None else InMemoryRecorder(),
            verify=ssl_context(kvk.ca_bundle), timeout=kvk.timeout,
            retry=RetryPolicy(kvk.max_attempts, kvk.max_retry_seconds, kvk.backoff_initial, kvk.backoff_max),
            bucket=TokenBucket(kvk.rate_per_second, kvk.rate_burst), **transport_options)
        return cls(transport, PaidPolicy(kvk.allow_paid, kvk.monthly_paid_limit))

    @classmethod
    def for_node(cls, config, *, base_url: str | None = None) -> "KvkApiClient":
        """The node's client: configured from ``[kvk]`` and logging every call in the store's
        ``kvk_request`` table (weekly counters, monthly cost, the monthly paid-call limit)."""
        from knoop_esb.routing.sources.kvk_store_recorder import StoreRecorder
        from knoop_esb.store.db import database

        recorder = StoreRecorder(database(config), price_per_call=config.kvk.price_per_call)
        return cls.from_config(config.kvk, base_url=base_url, recorder=recorder)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "KvkApiClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- Zoeken v2 (free) --------------------------------------------------------------------
    def zoeken(self, **criteria: Any) -> dict:
        """One page of ``GET /api/v2/zoeken``; KVK's IPD5200 (a 404) comes back as an empty page."""
        unknown = set(criteria) - ZOEK_PARAMETERS
        if unknown:
            raise TypeError(f"onbekende zoekparameter(s): {', '.join(sorted(unknown))}")
        params = _zoek_params(criteria)
        body = self.transport.get("zoeken", "/api/v2/zoeken", params, required=VORM["zoeken"],
                                  leeg_bij=frozenset({errors.GEEN_RESULTATEN}))
        if body is None:
            return {"pagina": int(criteria.get("pagina", 1)),
                    "resultatenPerPagina": int(criteria.get("resultatenPerPagina", 10)),
                    "totaal": 0, "resultaten": []}
        return body

    def zoeken_alle(self, **criteria: Any) -> Iterator[dict]:
        """Every result of a search, page by page (100 per page) up to KVK's cap of 1000."""
        per_pagina = int(criteria.pop("resultatenPerPagina", 100))
        pagina = 1
        while True:
            page = self.zoeken(**criteria, pagina=pagina, resultatenPerPagina=per_pagina)
            resultaten = page.get("resultaten") or []
            yield from resultaten
            totaal = min(int(page.get("totaal") or 0), ZOEKEN_MAX_RESULTATEN)
            if not resultaten or pagina * per_pagina >= totaal:
                return
            pagina += 1

    # -- Basisprofiel v1 (paid) --------------------------------------------------------------
    def basisprofiel(self, kvk_nummer: str, *, geo_data: bool = False, **paid: bool | None) -> dict:
        return self._paid("basisprofiel", f"/api/v1/basisprofielen/{_kvk(kvk_nummer)}",
                          _geo(geo_data), VORM["basisprofiel"], **paid)

    def eigenaar(self, kvk_nummer: str, *, geo_data: bool = False, **paid: bool | None) -> dict:
        return self._paid("basisprofiel.eigenaar", f"/api/v1/basisprofielen/{_kvk(kvk_nummer)}/eigenaar",
                          _geo(geo_data), {}, **paid)

    def hoofdvestiging(self, kvk_nummer: str, *, geo_data: bool = False, **paid: bool | None) -> dict:
        return self._paid("basisprofiel.hoofdvestiging",
                          f"/api/v1/basisprofielen/{_kvk(kvk_nummer)}/hoofdvestiging",
                          _geo(geo_data), VORM["vestiging"], **paid)

    def vestigingen_lijst(self, kvk_nummer: str, **paid: bool | None) -> dict:
        """The VestigingList exactly as KVK returns it (at most 1000 vestigingen)."""
        return self._paid("basisprofiel.vestigingen",
                          f"/api/v1/basisprofielen/{_kvk(kvk_nummer)}/vestigingen",
                          None, VORM["vestigingen"], **paid)

    def vestigingen(self, kvk_nummer: str, **paid: bool | None) -> dict:
        """The VestigingList with every vestiging, also for companies with more than 1000
        (the rest is found through the free Zoeken API)."""
        return complete_vestigingen(self, self.vestigingen_lijst(kvk_nummer, **paid))

    # -- Vestigingsprofiel v1 and Naamgeving v1 (paid) ---------------------------------------
    def vestigingsprofiel(self, vestigingsnummer: str, *, geo_data: bool = False, **paid: bool | None) -> dict:
        if not VESTIGINGSNUMMER.match(vestigingsnummer or ""):
            raise errors.KvkFout(f"Het vestigingsnummer {vestigingsnummer} is niet valide.", code="IPD0006",
                                 endpoint="vestigingsprofiel")
        return self._paid("vestigingsprofiel", f"/api/v1/vestigingsprofielen/{vestigingsnummer}",
                          _geo(geo_data), VORM["vestiging"], **paid)

    def naamgeving(self, kvk_nummer: str, **paid: bool | None) -> dict:
        return self._paid("naamgeving", f"/api/v1/naamgevingen/kvknummer/{_kvk(kvk_nummer)}",
                          None, VORM["naamgeving"], **paid)

    # -- Mutatieservice (contract, not per call) ---------------------------------------------
    def abonnementen(self) -> dict:
        return self.transport.get("mutatieservice.abonnementen", "/api/v1/abonnementen",
                                  required=VORM["abonnementen"])

    def signalen_pagina(self, abonnement_id: str, vanaf: datetime, tot: datetime, pagina: int = 1,
                        aantal: int = SIGNALEN_PER_PAGINA) -> dict:
        params = {"vanaf": _utc(vanaf), "tot": _utc(tot), "pagina": pagina, "aantal": aantal}
        return self.transport.get("mutatieservice.signalen", f"/api/v1/abonnementen/{quote(abonnement_id, safe='')}",
                                  params, required=VORM["signalen"])

    def signalen(self, abonnement_id: str, vanaf: datetime, tot: datetime,
                 aantal: int = SIGNALEN_PER_PAGINA) -> Iterator[dict]:
        """Every signal in [vanaf, tot), paging to ``totaalPaginas``; a signal seen twice (pages
        shifting while KVK adds signals) is yielded once."""
        seen: set[str] = set()
        pagina = 1
        while True:
            page = self.signalen_pagina(abonnement_id, vanaf, tot, pagina, aantal)
            signalen = page.get("signalen") or []
            for signaal in signalen:
                if not isinstance(signaal.get("id"), str):
                    raise errors.KvkOngeldigAntwoord("signaal zonder id", endpoint="mutatieservice.signalen")
                if signaal["id"] not in seen:
                    seen.add(signaal.get("id"))
                    yield signaal
            if not signalen or pagina >= int(page.get("totaalPaginas") or 0):
                return
            pagina += 1

    def signaal(self, abonnement_id: str, signaal_id: str) -> dict:
        path = f"/api/v1/abonnementen/{quote(abonnement_id, safe='')}/signalen/{quote(signaal_id, safe='')}"
        return self.transport.get("mutatieservice.signaal", path, required=VORM["signaal"])

    # -- plumbing ----------------------------------------------------------------------------
    def _paid(self, endpoint: str, path: str, params: dict | None, required: dict[str, str], *,
              allow_paid: bool | None = None, force_paid: bool = False) -> dict:
        try:
            self.policy.check(endpoint, allow_paid=allow_paid, force_paid=force_paid,
                              paid_this_month=self._paid_this_month)
        except errors.KvkBetaaldGeweigerd as exc:
            log.warning("kvk.betaald_geweigerd", endpoint=endpoint, omschrijving=exc.omschrijving)
            raise
        return self.transport.get(endpoint, path, params, required=required)

    def _paid_this_month(self) -> int:
        # The Dutch calendar month: the same month store.kvk_requests counts and KVK bills.
        since = month_start(datetime.now(timezone.utc))
        return self.transport.recorder.paid_count_since(since, self.transport.key_id)


def _kvk(kvk_nummer: str) -> str:
    if not KVK_NUMMER.match(kvk_nummer or ""):
        raise errors.KvkFout(f"Het KvK nummer {kvk_nummer} is niet valide.", code="IPD0004")
    return kvk_nummer


def _geo(geo_data: bool) -> dict | None:
    return {"geoData": "true"} if geo_data else None


def _zoek_params(criteria: dict[str, Any]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for name, value in criteria.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:        # `type` repeats: &type=hoofdvestiging&type=nevenvestiging
            params.append((name, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return params


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
