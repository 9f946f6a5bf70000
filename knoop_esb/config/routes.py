from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("routes")
@dataclass(frozen=True)
class RoutesConfig:
    """The route table: per berichtcode + entiteittype the chain of sources asked in turn."""

    default_chain: list[str] = doc("Sources asked in turn when a route names none.", default_factory=lambda: ["store", "kvk"])
