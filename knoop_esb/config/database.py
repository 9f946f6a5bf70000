from dataclasses import dataclass

from knoop_esb.config.loader import doc, section


@section("database")
@dataclass(frozen=True)
class DatabaseConfig:
    """The store. SQLite for one process; PostgreSQL (postgresql+psycopg://…) in production."""

    url: str = doc("SQLAlchemy URL; empty = sqlite:///<data_dir>/knoop.db.", default="")
    echo: bool = doc("Log every SQL statement (debugging only).", default=False)
    pool_size: int = doc("Connection pool size (PostgreSQL).", default=10)
