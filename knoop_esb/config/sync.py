from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section

ROOSTERS = ("seed", "demo", "uit")


@section("sync")
@dataclass(frozen=True)
class SyncConfig:
    """Keeping the store current from KVK (seed 002): Mutatieservice polling, the bedrijf_nieuw
    queue processors and the schedule that runs them (docs/sync.md)."""

    abonnement_id: str = doc("Mutatieservice abonnement id; empty = the first active abonnement KVK lists for the key.", default="")
    terugkijken_dagen: float = doc("How far back a poll looks (seed: 4 weeks); the high-water mark keeps repeated polls from asking for older windows again.", default=28.0)
    venster_dagen: float = doc("Length of one polled window (seed: 1 week); each window is paged to its end and recorded once complete.", default=7.0)
    overlap_minuten: float = doc("Minutes before the high-water mark a poll starts again, for signals KVK publishes late (KVK: within 15 minutes).", default=60.0)
    batch_size: int = doc("Queue entries a processor claims and commits at a time.", default=50)
    max_pogingen: int = doc("Attempts per queue entry before it is given up (status failed).", default=5)
    opnieuw_na_seconden: float = doc("Back-off after a failed attempt; doubles per attempt (IPD1002 / 503 included).", default=300.0)
    lease_seconden: float = doc("How long a claimed queue entry belongs to its run; a run killed halfway gives its entries back when this runs out.", default=600.0)
    stop_na_tijdelijke_fouten: int = doc("A run stops after this many consecutive temporary KVK failures (KVK is down: the rest waits for the next run).", default=5)
    rooster: str = doc("Schedule run by `serve` / `sync run-scheduler`: seed (the cron table of seed §6), demo (every job each minute, for `make run`), uit (none).", default="seed")

    def validate(self, config) -> None:
        if self.rooster not in ROOSTERS:
            raise ConfigError("sync.rooster", f"must be one of {', '.join(ROOSTERS)} (got {self.rooster!r})")
        if self.terugkijken_dagen <= 0 or self.venster_dagen <= 0:
            raise ConfigError("sync.terugkijken_dagen", "terugkijken_dagen and venster_dagen must be more than 0")
        if self.lease_seconden <= 0:
            raise ConfigError("sync.lease_seconden", "must be more than 0")
        if self.overlap_minuten < 0:
            raise ConfigError("sync.overlap_minuten", "must not be negative")
        for key in ("batch_size", "max_pogingen", "stop_na_tijdelijke_fouten"):
            if getattr(self, key) < 1:
                raise ConfigError(f"sync.{key}", "must be at least 1")
