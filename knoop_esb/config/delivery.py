from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("delivery")
@dataclass(frozen=True)
class DeliveryConfig:
    """Delivery of kennisgevingen from the outbox to subscribers."""

    enabled: bool = doc("Run the outbox worker inside `knoop-esb serve`.", default=False)
