from dataclasses import dataclass

from knoop_esb.config.loader import ConfigError, doc, section
from knoop_esb.config.secrets import SECRET_URL


@section("database")
@dataclass(frozen=True)
class DatabaseConfig:
    """The store. SQLite for one process; PostgreSQL (postgresql+psycopg://…) in production."""

    url: str = doc("SQLAlchemy URL; empty = sqlite:///<data_dir>/knoop.db.", default="", metadata=SECRET_URL)
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
        if self.url:
            check_url(self.url)


# The dialects the store is written and tested for (SQL, migrations, the queue's row locking).
DIALECTS = ("postgresql", "sqlite")
EXAMPLE = "postgresql+psycopg://user@host/database"


def check_url(url: str) -> None:
    """Refuse, at load time, a URL the store cannot open: ``postgres://`` (Heroku's spelling,
    which SQLAlchemy does not know), another database, an uninstalled or asynchronous driver.
    The messages never repeat the URL: it may hold the password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError("database.url", f"not a database URL; expected e.g. {EXAMPLE}") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        raise ConfigError("database.url", f"{parsed.drivername}:// is not a SQLAlchemy dialect; write postgresql+psycopg://")
    if backend not in DIALECTS:
        raise ConfigError("database.url", f"unsupported database '{backend}'; use PostgreSQL ({EXAMPLE}) or sqlite:///FILE")
    try:
        dialect = parsed.get_dialect()
        dialect.import_dbapi()
    except NoSuchModuleError:
        raise ConfigError("database.url", f"unknown driver {parsed.drivername}; for PostgreSQL use postgresql+psycopg://") from None
    except ImportError as exc:
        raise ConfigError("database.url", f"driver {parsed.drivername} needs the Python module {exc.name}, "
                          "which is not installed; the node ships psycopg: use postgresql+psycopg://") from None
    if getattr(dialect, "is_async", False):
        raise ConfigError("database.url", f"{parsed.drivername} is an asyncio driver; the store needs a synchronous one "
                          "(postgresql+psycopg://)")
