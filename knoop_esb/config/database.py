from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section


@section("database")
@dataclass(frozen=True)
class DatabaseConfig:
    """The store. SQLite for one process; PostgreSQL (postgresql+psycopg://…) in production."""

    url: str = doc("SQLAlchemy URL; empty = sqlite:///<data_dir>/knoop.db.", default="")
    echo: bool = doc("Log every SQL statement (debugging only).", default=False)
    pool_size: int = doc("Connection pool size (PostgreSQL).", default=10)
    checkpoint_seconds: float = doc(
        "SQLite: the serving node copies the write-ahead log into the database file every this many "
        "seconds in a background thread, so no request's write pays for a checkpoint (its disk "
        "flush stalled every writer behind it); 0 = SQLite's own checkpoints, inside whichever write "
        "fills the log past 1000 pages. Ignored for PostgreSQL.", default=1.0)

    def validate(self, config) -> None:
        if self.checkpoint_seconds < 0:
            raise ConfigError("database.checkpoint_seconds", f"must be 0 or more, got {self.checkpoint_seconds}")
