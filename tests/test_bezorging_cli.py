"""``knoop-esb afnemers endpoint add|list|remove`` and ``knoop-esb outbox list|show|counts|requeue|purge``
end to end, and store endpoints reaching the registry (what the delivery worker resolves)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from knoop_esb.afnemers.registry import Registry
from knoop_esb.cli import main
from knoop_esb.config import load
from knoop_esb.store import outbox
from knoop_esb.store.base import utcnow
from knoop_esb.store.db import reset_instances
from knoop_esb.store.models import Outbox
from tests.fixtures.bezorging import lk01_payload

OIN = "00000099000000000067"


@pytest.fixture
def cli(bezorging_db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "knoop.toml").write_text('[[afnemers.afnemer]]\noin = "00000099000000000001"\nnaam = "Demo"\n'
                                         'kennisgeving_url = "https://127.0.0.1:8444/OntvangAsynchroon"\n')
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", bezorging_db.url.render_as_string(hide_password=False))

    def run(*argv):
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    yield run
    reset_instances()


def test_endpoint_lifecycle(cli, tmp_path):
    assert cli("afnemers", "add", OIN, "--profiel", "2W-be-S", "--kennisgeving-url", "https://gm.example/in")[0] == 0
    code, out, _ = cli("afnemers", "endpoint", "add", OIN, "backoffice", "--url", "https://bo.example/OntvangAsynchroon",
                       "--profiel", "stuf", "--timeout", "5", "--parallel", "4", "--beginstand", "kennisgeving",
                       "--entiteittypen", "ves,mac")
    assert code == 0 and "endpoint backoffice added" in out
    code, out, _ = cli("afnemers", "endpoint", "list")
    assert "00000099000000000001  standaard    2W-be    https://127.0.0.1:8444/OntvangAsynchroon" in out
    assert (f"{OIN}  backoffice   stuf     https://bo.example/OntvangAsynchroon  timeout 5s parallel 4 "
            "beginstand kennisgeving entiteittypen VES,MAC  [store]") in out
    assert f"{OIN}  standaard    2W-be-S  https://gm.example/in" in out

    config = load(tmp_path / "knoop.toml")
    from knoop_esb.store.db import database

    info = Registry(config, database(config)).get(OIN)
    assert [(e.naam, e.profiel, e.parallel, e.volgt("VES"), e.volgt("NNP")) for e in info.endpoints] == [
        ("backoffice", "stuf", 4, True, False), ("standaard", "2W-be-S", 1, True, True)]

    code, _, err = cli("afnemers", "endpoint", "add", OIN, "backoffice", "--url", "https://x.example/")
    assert code == 1 and "endpoint names must be unique" in err and "Traceback" not in err
    code, _, err = cli("afnemers", "endpoint", "add", OIN, "plat", "--url", "http://x.example/")
    assert code == 1 and "Digikoppeling profiles need https://" in err
    code, _, err = cli("afnemers", "endpoint", "add", "00000099000000000001", "x", "--url", "https://x.example/")
    assert code == 1 and "defined in knoop.toml" in err
    assert cli("afnemers", "endpoint", "remove", OIN, "backoffice")[0] == 0
    code, _, err = cli("afnemers", "endpoint", "remove", OIN, "backoffice")
    assert code == 1 and "has no endpoint 'backoffice'" in err


def test_outbox_commands(cli, bezorging_db):
    with bezorging_db.session() as s:
        for n in range(3):
            outbox.add(s, referentienummer=f"cli-{n}", afnemer_oin="00000099000000000001", endpoint="standaard",
                       berichtcode="Lk01", entiteittype="VES", object_sleutel=f"00003717859{n}",
                       payload=lk01_payload(f"cli-{n}", "00000099000000000001", f"00003717859{n}"))
        ids = [r.id for r in s.query(Outbox).order_by(Outbox.id)]
        s.execute(update(Outbox).where(Outbox.id == ids[0]).values(status="dead", attempts=10,
                                                                    last_error="Fo03Bericht StUF055: schema"))
        s.execute(update(Outbox).where(Outbox.id == ids[1]).values(status="delivered",
                                                                    updated_at=utcnow() - timedelta(days=40)))
    code, out, _ = cli("outbox", "list", "--status", "dead")
    assert code == 0 and "cli-0" in out and "last error: Fo03Bericht StUF055: schema" in out and "cli-2" not in out
    code, out, _ = cli("outbox", "counts")
    assert "total      pending 1  delivering 0  delivered 1  dead 1" in out
    assert "00000099000000000001  pending 1  delivering 0  delivered 1  dead 1" in out
    assert f"{ids[0]} 00000099000000000001 standaard cli-0: Fo03Bericht StUF055: schema" in out
    code, out, _ = cli("outbox", "show", str(ids[2]))
    assert code == 0 and "referentienummer  cli-2" in out and "<BG:vesLk01" in out
    code, _, err = cli("outbox", "show", "999999")
    assert code == 1 and "no outbox message 999999" in err
    code, out, _ = cli("outbox", "requeue", "--dead")
    assert code == 0 and "1 outbox row(s) requeued" in out
    code, out, _ = cli("outbox", "requeue", str(ids[1]))
    assert code == 0 and "1 outbox row(s) requeued" in out
    code, out, _ = cli("outbox", "counts")
    assert "pending 3" in out
    with bezorging_db.session() as s:
        s.execute(update(Outbox).where(Outbox.id == ids[1]).values(status="delivered",
                                                                    updated_at=utcnow() - timedelta(days=40)))
    code, out, _ = cli("outbox", "purge", "--delivered", "--older-than", "30d")
    assert code == 0 and "1 outbox row(s) purged" in out
    code, _, err = cli("outbox", "purge", "--delivered", "--older-than", "soon")
    assert code == 1 and "must be a duration" in err
    code, _, err = cli("outbox", "requeue")
    assert code == 1 and "give an outbox ID or --dead" in err


def test_worker_without_components_refuses(cli):
    code, _, err = cli("worker", "--no-bezorging")
    assert code == 1 and "nothing to run" in err
