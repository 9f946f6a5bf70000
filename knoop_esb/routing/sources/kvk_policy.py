"""Which KVK calls cost money, and whether one may be made (seed 002: ``force_paid``/``allow_paid``).

KVK bills Basisprofiel, Vestigingsprofiel and Naamgeving per query; Zoeken is free and the
Mutatieservice is a yearly contract (kvk/FACTS.md §1.6, §3). The decision is taken before the
request goes out, so a refused call costs nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from knoop_esb.routing.sources.kvk_errors import KvkBetaaldGeweigerd

PAID_APIS = frozenset({"basisprofiel", "vestigingsprofiel", "naamgeving"})
# Every endpoint name the client records (the kvk_request table also holds Handelsdata credits).
ENDPOINTS = ("zoeken", "basisprofiel", "basisprofiel.eigenaar", "basisprofiel.hoofdvestiging",
             "basisprofiel.vestigingen", "vestigingsprofiel", "naamgeving", "mutatieservice.abonnementen",
             "mutatieservice.signalen", "mutatieservice.signaal")


def is_paid(endpoint: str) -> bool:
    """``endpoint`` is the recorded name, e.g. ``basisprofiel.vestigingen`` or ``zoeken``."""
    return endpoint.split(".", 1)[0] in PAID_APIS


@dataclass(frozen=True)
class PaidPolicy:
    """``allow_paid``: the default for callers that do not say; ``monthly_limit``: paid calls per
    calendar month (0 = none). ``force_paid`` on a call overrides both (an operator's ``--force``)."""

    allow_paid: bool = True
    monthly_limit: int = 0

    def check(self, endpoint: str, *, allow_paid: bool | None, force_paid: bool,
              paid_this_month: Callable[[], int]) -> None:
        if not is_paid(endpoint) or force_paid:
            return
        allowed = self.allow_paid if allow_paid is None else allow_paid
        if not allowed:
            raise KvkBetaaldGeweigerd(
                "betaalde KVK-bevraging niet toegestaan (allow_paid is uit; force_paid forceert)",
                endpoint=endpoint)
        if self.monthly_limit and paid_this_month() >= self.monthly_limit:
            raise KvkBetaaldGeweigerd(
                f"maandlimiet van {self.monthly_limit} betaalde KVK-bevragingen bereikt", endpoint=endpoint)
