"""The engine and sessions: one ``Database`` per URL, one per process via :func:`database`.

Why here: SQLite needs per-connection pragmas (WAL so readers never block the writer, foreign
keys, a busy timeout instead of instant "database is locked") and PostgreSQL a pool; every other
package only ever asks for ``db.session()``.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from knoop_esb.config import Config, ConfigError
from knoop_esb.store import wijzigingen

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_AUTOCHECKPOINT_PAGES = 1000  # SQLite's own default
# With checkpoints in the background (store.checkpoint), a writer checkpoints only as a safety net:
# when the WAL has grown to this many pages (~40 MB), e.g. while no node process runs.
SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND = 10_000


class Database:
    """An engine plus a session factory for one database URL."""

    _autocommit = None  # a file-backed SQLite store's second engine, for schrijven()
    _vast = None  # (pid, pooled connection) behind vaste_verbinding()

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10,
                 wal_autocheckpoint: int = SQLITE_AUTOCHECKPOINT_PAGES):
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError("database.url", f"not a database URL: {url!r}") from None
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
            self.wal_autocheckpoint = wal_autocheckpoint
            event.listen(self.engine, "connect", self._sqlite_pragmas)
            if self.file_backed:
                # Connections that stay in autocommit for the hot writes: switching a pooled
                # connection to autocommit and back cost a PRAGMA and half the time of the INSERT.
                # (An in-memory database exists once per connection: it keeps the one engine.)
                self._autocommit = create_engine(
                    parsed, echo=echo, isolation_level="AUTOCOMMIT",
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
                event.listen(self._autocommit, "connect", self._sqlite_pragmas)
        elif self.dialect == "postgresql":
            self.engine = create_engine(parsed, echo=echo, pool_size=pool_size, pool_pre_ping=True)
        else:
            raise ConfigError("database.url", f"unsupported database {self.dialect!r}: use sqlite or postgresql+psycopg")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._vast_lock = threading.Lock()
        self.luisteraars: list[wijzigingen.Luisteraar] = []
        # Inside the transaction, so what the listeners write commits with the change (wijzigingen.py).
        event.listen(self._sessions, "before_commit", self._geef_wijzigingen)
        event.listen(self._sessions, "after_rollback", wijzigingen.vergeten)

    def aansluiten(self, luisteraar: wijzigingen.Luisteraar) -> None:
        """Hand every committed transaction's Handelsregister changes to ``luisteraar`` (once)."""
        if luisteraar not in self.luisteraars:
            self.luisteraars.append(luisteraar)

    def _geef_wijzigingen(self, session: Session) -> None:
        # A listener may save again (it should not); loop until nothing new was noted.
        while True:
            gedaan = wijzigingen.afgeven(session)
            if not gedaan:
                return
            for luisteraar in self.luisteraars:
                luisteraar(session, gedaan)
            session.flush()

    @property
    def file_backed(self) -> bool:
        """A SQLite store in a file (not in memory, where each connection has its own database)."""
        database = self.url.database
        return (self.dialect == "sqlite" and bool(database) and database != ":memory:"
                and self.url.query.get("mode") != "memory")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on an exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def schrijven(self) -> Iterator[Connection]:
        """An autocommit connection for one short, hot write (a protocol log line, a replay-cache
        entry): one statement is its own transaction, so SQLite's write lock is taken and released
        inside it and never held while the thread waits for the GIL between statement and COMMIT."""
        if self._autocommit is not None:
            with self._autocommit.connect() as verbinding:
                yield verbinding
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as verbinding:
            yield verbinding

    @contextmanager
    def vaste_verbinding(self):
        """The process's one held autocommit DBAPI connection, under a lock, for the hottest
        one-statement write: the replay cache's INSERT for every signed message.

        Held, not checked out of the pool per message: a checkout and return (reset, events, a
        Connection object) cost as much as the INSERT itself (docs/store.md). One per process, so
        its statements take turns; SQLite has one writer at a time anyway. A DBAPI error discards
        the connection (the next use opens a new one) and is raised as SQLAlchemy's ``DBAPIError``.
        Opened on first use by the process that uses it: a forked worker never inherits it. An
        in-memory SQLite database exists once per connection, so there it is the connection the
        pool gives this thread (``schrijven()``'s)."""
        engine = self._autocommit or self.engine
        fout = engine.dialect.loaded_dbapi.Error
        if self._autocommit is None and self.dialect != "postgresql":
            with self.schrijven() as verbinding:
                try:
                    yield verbinding.connection.dbapi_connection
                except fout as exc:
                    raise DBAPIError.instance(None, None, exc, fout) from exc
            return
        with self._vast_lock:
            vast = self._vast
            if vast is None or vast[0] != os.getpid():
                vast = self._vast = (os.getpid(), self._open_vast(engine))
            try:
                yield vast[1].dbapi_connection
            except fout as exc:
                self._vast = None
                vast[1].invalidate(exc)
                raise DBAPIError.instance(None, None, exc, fout) from exc

    def _open_vast(self, engine):
        verbinding = engine.raw_connection()
        if self._autocommit is None:  # PostgreSQL: this pooled connection stays in autocommit for good
            verbinding.dbapi_connection.autocommit = True
        return verbinding

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (default: the newest)."""
        from knoop_esb.store import migrate

        migrate.upgrade(self.engine, revision)

    def dispose(self) -> None:
        with self._vast_lock:
            vast, self._vast = self._vast, None
        if vast is not None and vast[0] == os.getpid():
            vast[1].invalidate()  # closed: never handed back to the pool in autocommit
        self.engine.dispose()
        if self._autocommit is not None:
            self._autocommit.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    def _sqlite_pragmas(self, dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={int(self.wal_autocheckpoint)}")
        cursor.close()


_instances: dict[str, Database] = {}
_lock = threading.Lock()


def database(config: Config) -> Database:
    """The process's one ``Database`` for the configured URL (created on first use)."""
    from knoop_esb.paths import database_url

    url = database_url(config)
    with _lock:
        db = _instances.get(url)
        if db is None:
            pages = (SQLITE_AUTOCHECKPOINT_PAGES_BACKGROUND if config.database.checkpoint_seconds > 0
                     else SQLITE_AUTOCHECKPOINT_PAGES)
            db = _instances[url] = Database(url, echo=config.database.echo, pool_size=config.database.pool_size,
                                            wal_autocheckpoint=pages)
        return db


def reset_instances() -> None:
    """Forget the process singletons (tests, and after a fork)."""
    with _lock:
        for db in _instances.values():
            db.dispose()
        _instances.clear()
