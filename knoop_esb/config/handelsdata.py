from dataclasses import dataclass, field

from knoop_esb.config.loader import ConfigError, doc, section
from knoop_esb.config.secrets import SECRET


@dataclass(frozen=True)
class Abonnement:
    """One Handelsdata subscription: its API token and the credits it may spend per calendar month."""

    naam: str
    token: str = field(default="", metadata=SECRET)
    credits_per_maand: int = 100_000


@section("handelsdata")
@dataclass(frozen=True)
class HandelsdataConfig:
    """The Handelsdata API (a commercial reseller of KVK data, paid in credits per token).
    Its wire format is not public: see docs/handelsdata.md for what the client assumes."""

    base_url: str = doc("Base URL of the Handelsdata API; empty = not used.", default="")
    abonnement: list[Abonnement] = doc("Array of tables [[handelsdata.abonnement]] with naam, token, credits_per_maand. Tokens are used one at a time (sticky) and rotated on a rate limit or an exhausted budget.", default_factory=list)
    timeout: float = doc("Seconds per Handelsdata request.", default=10.0)
    ca_bundle: str = doc("PEM file of CAs trusted for Handelsdata; empty = system trust.", default="")
    rust_na_429: float = doc("Seconds a token rests after HTTP 429 when the answer has no Retry-After.", default=60.0)

    @property
    def geconfigureerd(self) -> bool:
        return bool(self.base_url and self.abonnement)

    def validate(self, config) -> None:
        namen = [a.naam for a in self.abonnement]
        for i, a in enumerate(self.abonnement):
            if not a.naam or not a.token:
                raise ConfigError(f"handelsdata.abonnement[{i}]", "needs naam and token")
            if a.credits_per_maand < 0:
                raise ConfigError(f"handelsdata.abonnement[{i}].credits_per_maand", "must not be negative")
            if namen.count(a.naam) > 1:
                raise ConfigError(f"handelsdata.abonnement[{i}].naam", f"{a.naam!r} is used twice")
        if self.abonnement and not self.base_url:
            raise ConfigError("handelsdata.base_url", "abonnementen are configured but base_url is empty")
