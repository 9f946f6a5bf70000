from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("kvk")
@dataclass(frozen=True)
class KvkConfig:
    """The KVK Handelsregister APIs (Zoeken v2, Basisprofiel, Vestigingsprofiel, Naamgeving, Mutatieservice)."""

    base_url: str = doc("Base URL without /api/v1 (production https://api.kvk.nl, test https://api.kvk.nl/test); empty = the built-in test source.", default="")
    api_key: str = doc("The apikey header value.", default="")
    ca_bundle: str = doc("PEM file of CAs trusted for KVK (PKIoverheid Private Root G1 chain); empty = system trust.", default="")
    timeout: float = doc("Seconds per KVK request.", default=10.0)
