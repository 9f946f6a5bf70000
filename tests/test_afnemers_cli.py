"""``knoop-esb afnemers list|add|remove|set-profile|authorise|hash-password`` end to end."""
import io

import pytest

from knoop_esb.cli import main
from knoop_esb.digikoppeling.intern import verify_password
from knoop_esb.store.db import reset_instances

OIN = "00000099000000000066"


@pytest.fixture
def cli(db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knoop.toml").write_text('[[afnemers.afnemer]]\noin = "00000099000000000001"\nnaam = "Demo"\n'
                                         'autorisatieprofielen = ["handelsregister"]\n')
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", db.url.render_as_string(hide_password=False))

    def run(*argv, stdin=None):
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    reset_instances()


def test_lifecycle(cli):
    assert cli("afnemers", "add", OIN, "--naam", "Gemeente CLI", "--profiel", "2W-be-S",
               "--autorisatieprofiel", "handelsregister-basis")[0] == 0
    code, out, _ = cli("afnemers", "list")
    assert code == 0 and "00000099000000000001" in out and "config" in out
    assert f"{OIN}  2W-be-S  store  Gemeente CLI" in out and "Lk01 VES" in out and "relaties geen" in out
    assert cli("afnemers", "authorise", OIN, "--berichtcode", "Lv01", "--entiteittype", "NNP",
               "--attributen", "inn.nnpId,inn.statutaireNaam", "--relaties", "", "--doel", "Subsidies")[0] == 0
    code, out, _ = cli("afnemers", "list")
    assert "Lv01 NNP: selectie alle; attributen inn.nnpId,inn.statutaireNaam; relaties geen; doel: Subsidies" in out
    assert cli("afnemers", "authorise", OIN, "--revoke", "--entiteittype", "NNP")[1].startswith(f"afnemer {OIN}: 1 rule")
    assert cli("afnemers", "set-profile", OIN, "2W-be")[0] == 0
    assert f"{OIN}  2W-be " in cli("afnemers", "list")[1]
    assert cli("afnemers", "remove", OIN)[0] == 0
    assert OIN not in cli("afnemers", "list")[1]


def test_refusals_are_one_line(cli):
    code, _, err = cli("afnemers", "remove", "00000099000000000001")
    assert code == 1 and "knoop.toml" in err and err.count("\n") == 1
    code, _, err = cli("afnemers", "add", "42")
    assert code == 1 and "20 digits" in err
    code, _, err = cli("afnemers", "set-profile", "00000099000000000067", "2W-be")
    assert code == 1 and "no afnemer" in err


def test_add_accepts_an_oin_with_capitals(cli):
    # BRIN-based OINs carry letters; the TLS layer accepts them, so the CLI must too.
    assert cli("afnemers", "add", "0000000700025BE00000", "--naam", "School")[0] == 0
    assert "0000000700025BE00000" in cli("afnemers", "list")[1]
    code, _, err = cli("afnemers", "add", "0000000700025be00000")
    assert code == 1 and "20 digits" in err


def test_hash_password_and_intern_add(cli):
    code, out, _ = cli("afnemers", "hash-password", stdin="correct horse battery\n")
    assert code == 0 and verify_password("correct horse battery", out.strip())
    code, _, err = cli("afnemers", "hash-password", stdin="kort\n")
    assert code == 1 and "12 characters" in err
    code, _, _ = cli("afnemers", "add", "00000099000000000068", "--profiel", "intern", "--gebruikersnaam", "zaaksys",
                     stdin="correct horse battery\n")
    assert code == 0
    assert "00000099000000000068  intern" in cli("afnemers", "list")[1]
