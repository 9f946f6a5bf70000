"""``knoop-esb db upgrade|current|check`` against a fresh database on either engine."""
import pytest

from knoop_esb.cli import main
from knoop_esb.store.db import reset_instances


@pytest.fixture
def cli_db(empty_db, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", empty_db.url.render_as_string(hide_password=False))
    yield empty_db
    reset_instances()


def test_db_upgrade_current_check(cli_db, capsys):
    from knoop_esb.store.migrate import head

    assert main(["db", "check"]) == 1
    assert f"not {head()}" in capsys.readouterr().err
    assert main(["db", "current"]) == 0
    assert "revision none" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"at revision {head()}" in capsys.readouterr().out
    assert main(["db", "check"]) == 0
    assert f"ok (revision {head()})" in capsys.readouterr().out


def test_unsupported_url_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOOP_DATABASE_URL", "mysql://host/db")
    assert main(["db", "current"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unsupported database 'mysql'" in err
