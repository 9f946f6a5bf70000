from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section


@section("bezorging")
@dataclass(frozen=True)
class BezorgingConfig:
    """Delivery of kennisgevingen from the outbox to the afnemers' endpoints (`knoop-esb worker`, and
    inside `knoop-esb serve` unless switched off): retries, back-off, leases, concurrency."""

    in_serve: bool = doc("Run the delivery worker inside `knoop-esb serve` (a supervised process beside the server "
                         "workers; a thread when node.workers = 1). false = run `knoop-esb worker` yourself.", default=True)
    max_pogingen: int = doc("Attempts per kennisgeving before it is dead (a permanent Fo03 makes it dead at once).", default=10)
    max_leeftijd: str = doc("A kennisgeving not delivered this long after it was queued is dead (30d, 12h, 15m, 90s).", default="2d")
    wachttijd: float = doc("Seconds before the first retry; doubled per attempt (exponential back-off).", default=5.0)
    max_wachttijd: float = doc("Longest wait between two attempts, in seconds.", default=3600.0)
    jitter: float = doc("Random part of each wait, as a fraction (0.2 = up to 20 % longer or shorter), so retries "
                        "to one endpoint do not come back in step.", default=0.2)
    lease: float = doc("Seconds a claimed kennisgeving stays with one worker; a worker that dies gives it back after this. "
                       "Must exceed every endpoint timeout.", default=300.0)
    poll: float = doc("Seconds an idle worker waits before it looks in the outbox again.", default=1.0)
    gelijktijdig: int = doc("Most deliveries in flight at once per worker process, over all endpoints "
                            "(each endpoint is also held to its own `parallel`).", default=32)

    def validate(self, config) -> None:
        from knoop_esb.config.loader import duur

        duur(self.max_leeftijd, "bezorging.max_leeftijd")
        if self.max_pogingen < 1:
            raise ConfigError("bezorging.max_pogingen", "must be at least 1")
        if self.wachttijd <= 0 or self.max_wachttijd < self.wachttijd:
            raise ConfigError("bezorging.wachttijd", "must be > 0 and not more than max_wachttijd")
        if not 0 <= self.jitter < 1:
            raise ConfigError("bezorging.jitter", "must be 0 or more and less than 1")
        if self.lease < 1 or self.poll <= 0 or self.gelijktijdig < 1:
            raise ConfigError("bezorging", "lease must be >= 1 s, poll > 0 and gelijktijdig >= 1")
        langste = max((e.timeout for a in config.afnemers.afnemer for e in a.endpoint), default=0)
        if langste * 2 >= self.lease:
            raise ConfigError("bezorging.lease", f"must be more than twice the longest endpoint timeout ({langste:g} s)")
