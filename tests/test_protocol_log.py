"""The protocol log: recorded per delivery (also through the vraag hooks), exported per afnemer
and period as CSV or JSON, from the CLI too."""
import csv
import io
import json
from datetime import date, datetime, timezone

import pytest
from lxml import etree

from knoop_esb.afnemers import hooks, protocol
from knoop_esb.cli import main
from knoop_esb.config import load
from knoop_esb.logs import bound_contextvars
from knoop_esb.store.db import reset_instances
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, BG
from knoop_esb.vraag.dienst import Levering

A = "00000099000000000001"
B = "00000099000000000002"


def test_record_and_export(db):
    with db.session() as s, bound_contextvars(message_id="uuid:req-1"):
        protocol.protocolleer(s, afnemer_oin=A, berichtcode="La01", entiteittype="VES", object_sleutels=["000000000001"],
                              attribuut_paden=["handelsnaam", "verblijfsadres/aoa.postcode"], doel="Toezicht",
                              referentienummer="ref-1", tijdstip=datetime(2026, 5, 1, 21, 30, tzinfo=timezone.utc))
        protocol.protocolleer(s, afnemer_oin=B, berichtcode="La01", entiteittype="MAC", object_sleutels=["12345678"],
                              attribuut_paden=["kvkNummer"], tijdstip=datetime(2026, 5, 2, 9, 0, tzinfo=timezone.utc))
    with db.session() as s:
        # 21:30 UTC on 1 May is 23:30 on 1 May in Dutch time
        (regel,) = protocol.regels(s, afnemer_oin=A, van=date(2026, 5, 1), tot=date(2026, 5, 1))
        assert regel.request_message_id == "uuid:req-1"
        assert protocol.regels(s, afnemer_oin=A, van=date(2026, 5, 2)) == []
        rows = list(csv.DictReader(io.StringIO(protocol.export(protocol.regels(s), "csv"))))
        assert [r["afnemer_oin"] for r in rows] == [A, B]
        assert rows[0]["attribuut_paden"] == "handelsnaam|verblijfsadres/aoa.postcode"
        data = json.loads(protocol.export(protocol.regels(s, afnemer_oin=B), "json"))
        assert data[0]["object_sleutels"] == ["12345678"] and data[0]["tijdstip"].startswith("2026-05-02T09:00")
        with pytest.raises(ValueError):
            protocol.export([], "xml")


def _object(entiteittype, sleutel):
    obj = etree.Element(f"{{{BG}}}object", {f"{{{STUF}}}entiteittype": entiteittype}, nsmap={"BG": BG, "StUF": STUF})
    etree.SubElement(obj, f"{{{BG}}}vestigingsNummer").text = sleutel
    etree.SubElement(obj, f"{{{BG}}}handelsnaam").text = "Bakkerij"
    etree.SubElement(obj, f"{{{BG}}}typeringVestiging").text = "Hoofdvestiging"
    return obj


def test_vraag_hooks_filter_refuse_and_protocol(tmp_path, db):
    toml = tmp_path / "knoop.toml"
    toml.write_text(f'''
[[afnemers.afnemer]]
oin = "{A}"
[[afnemers.afnemer.autorisatie]]
berichtcode = "Lv01"
entiteittype = "VES"
attributen = ["handelsnaam"]
doel = "Markttoezicht"
[[afnemers.afnemer]]
oin = "{B}"
''')
    h = hooks.vraag_hooks(load(toml, environ={}), db)
    toegang = h["autoriseer"](A, "vesLv01", "VES", ())
    cut, _ = h["filter"](toegang, _object("VES", "000000000009"))
    assert [etree.QName(c).localname for c in cut] == ["vestigingsNummer", "handelsnaam"]
    with pytest.raises(StufFout) as fout:
        h["autoriseer"](B, "vesLv01", "VES", ())
    assert fout.value.code == "StUF052"
    h["protocolleer"](Levering(A, "vesLa01", "VES", ("000000000009",), ("handelsnaam", "vestigingsNummer"),
                               datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc), "ref-9", False, doel=toegang.doel))
    h["protocolleer"](Levering(A, "vesLa01", "VES", (), (), datetime(2026, 6, 1, 10, 0, tzinfo=timezone.utc), "ref-10", False))
    with db.session() as s:
        (regel,) = protocol.regels(s, afnemer_oin=A, van=date(2026, 6, 1), tot=date(2026, 6, 1))
        assert (regel.doel, regel.referentienummer, regel.object_sleutels) == ("Markttoezicht", "ref-9", ["000000000009"])


def test_protocol_export_cli(db, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KNOOP_CONFIG", raising=False)
    monkeypatch.setenv("KNOOP_DATABASE_URL", db.url.render_as_string(hide_password=False))
    try:
        with db.session() as s:
            protocol.protocolleer(s, afnemer_oin="00000099000000000055", berichtcode="La01", entiteittype="NNP",
                                  object_sleutels=["001234567"], attribuut_paden=["inn.nnpId"],
                                  tijdstip=datetime(2026, 7, 1, 12, tzinfo=timezone.utc))
        assert main(["protocol", "export", "--afnemer", "00000099000000000055", "--from", "2026-07-01",
                     "--to", "2026-07-31", "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["object_sleutels"] == ["001234567"]
        out = tmp_path / "p.csv"
        assert main(["protocol", "export", "--afnemer", "00000099000000000055", "-o", str(out)]) == 0
        assert out.read_text().startswith("tijdstip,afnemer_oin")
        assert main(["protocol", "export", "--from", "2026-07-02", "--to", "2026-07-01"]) == 1
        assert "is after" in capsys.readouterr().err
        with pytest.raises(SystemExit):
            main(["protocol", "export", "--from", "gisteren"])
    finally:
        reset_instances()
