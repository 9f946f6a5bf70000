"""The Alembic migration builds exactly the models' schema and can be taken down again."""
from sqlalchemy import inspect

from knoop_esb.store import migrate
from knoop_esb.store.models import Base


def test_upgrade_head_matches_models_and_downgrade_removes_everything(empty_db):
    assert migrate.current(empty_db.engine) is None
    empty_db.migrate()
    assert migrate.current(empty_db.engine) == migrate.head()
    assert migrate.pending_changes(empty_db.engine) == []
    tables = set(inspect(empty_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables

    migrate.downgrade(empty_db.engine, "base")
    assert migrate.current(empty_db.engine) is None
    assert set(inspect(empty_db.engine).get_table_names()) & set(Base.metadata.tables) == set()

    empty_db.migrate()
    assert migrate.current(empty_db.engine) == migrate.head()


def test_upgrade_twice_is_harmless(empty_db):
    empty_db.migrate()
    empty_db.migrate()
    assert migrate.current(empty_db.engine) == migrate.head()


def test_sqlite_pragmas(tmp_path):
    from knoop_esb.store.db import Database

    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.dispose()
