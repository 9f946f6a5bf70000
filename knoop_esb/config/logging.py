from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section


@section("logging")
@dataclass(frozen=True)
class LoggingConfig:
    """Structured logs (one JSON object per line, or key=value for a terminal)."""

    level: str = doc("DEBUG, INFO, WARNING or ERROR.", default="INFO")
    format: str = doc("json or console.", default="console")

    def validate(self, config) -> None:
        if self.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ConfigError("logging.level", f"must be DEBUG, INFO, WARNING or ERROR, got {self.level!r}")
        if self.format not in ("json", "console"):
            raise ConfigError("logging.format", f"must be json or console, got {self.format!r}")
