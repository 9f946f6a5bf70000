from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("handelsdata")
@dataclass(frozen=True)
class HandelsdataConfig:
    """The Handelsdata API (a commercial reseller of KVK data, paid in credits per token)."""

    base_url: str = doc("Base URL of the Handelsdata API; empty = not used.", default="")
