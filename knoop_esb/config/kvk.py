from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section
from knoop_esb.config.secrets import SECRET


@section("kvk")
@dataclass(frozen=True)
class KvkConfig:
    """The KVK Handelsregister APIs (Zoeken v2, Basisprofiel, Vestigingsprofiel, Naamgeving, Mutatieservice).
    Going live means changing only `base_url` and `api_key`."""

    base_url: str = doc("Base URL without /api/v1 (production https://api.kvk.nl, test https://api.kvk.nl/test); empty = the built-in test source.", default="")
    api_key: str = doc("The apikey header value; empty = KVK's public test key (for https://api.kvk.nl/test and the built-in test source).", default="",
                       metadata=SECRET)
    key_id: str = doc("Name of this API key in the call log; empty = a hash of the key (the key itself is never logged).", default="")
    ca_bundle: str = doc("PEM file of CAs trusted for KVK (PKIoverheid Private Root G1 chain); empty = system trust.", default="")
    timeout: float = doc("Seconds per KVK request.", default=10.0)
    max_attempts: int = doc("Attempts per call when KVK is temporarily unavailable (IPD1002/IPD1003, 429, 5xx, timeouts).", default=4)
    max_retry_seconds: float = doc("Upper bound on the total time one call may spend retrying.", default=30.0)
    backoff_initial: float = doc("First back-off delay in seconds; doubles per attempt, with random jitter.", default=0.5)
    backoff_max: float = doc("Largest single back-off delay in seconds (also caps a Retry-After header).", default=8.0)
    rate_per_second: float = doc("Client-side rate limit (token bucket refill); KVK allows at most 100 per second.", default=100.0)
    rate_burst: int = doc("Token bucket size: requests that may go out at once.", default=10)
    allow_paid: bool = doc("Allow paid calls (Basisprofiel, Vestigingsprofiel, Naamgeving) unless a caller forces them.", default=True)
    monthly_paid_limit: int = doc("Paid calls allowed per calendar month before they are refused (0 = no limit; KVK's contract limit is 300000).", default=0)
    price_per_call: float = doc("Euro per paid call, for the usage report.", default=0.019)
    monthly_fee: float = doc("Euro per API key per month, for the usage report.", default=6.0)

    def validate(self, config) -> None:
        if self.base_url and not self.base_url.startswith(("https://", "http://")):
            raise ConfigError("kvk.base_url", f"must start with https:// (got {self.base_url!r})")
        if self.max_attempts < 1:
            raise ConfigError("kvk.max_attempts", "must be at least 1")
        for key in ("timeout", "max_retry_seconds", "rate_per_second"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"kvk.{key}", "must be greater than 0")
        if self.rate_burst < 1:
            raise ConfigError("kvk.rate_burst", "must be at least 1")
