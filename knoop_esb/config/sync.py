from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("sync")
@dataclass(frozen=True)
class SyncConfig:
    """Synchronisation with the KVK Mutatieservice and the priority refresh (seed 002)."""

    enabled: bool = doc("Run the scheduler jobs inside `knoop-esb serve`.", default=False)
