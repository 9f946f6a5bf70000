"""What the node asks of an Lk01 beyond the schema (StUF 03.01 §5): one object for T/V, the
oud/huidig pair of one object for W, the stuurgegevens' entiteittype, no toekomstmutatie."""
from __future__ import annotations

import pytest
from lxml import etree

from knoop_esb.ontvangst.kennisgeving import lees
from knoop_esb.stuf import stuurgegevens
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, STUF
from knoop_esb.transform import emit
from tests.fixtures.transform import lk01
from tests.test_transform_diff import OUD, _ves


def _lees(body):
    return lees(body, stuurgegevens.van_bericht(body))


def _code(body) -> tuple[str, str]:
    with pytest.raises(StufFout) as exc:
        _lees(body)
    return exc.value.code, exc.value.details or ""


def test_a_toevoeging_is_read():
    kg = _lees(lk01("VES", "T", emit.ves(_ves("000037178591"), soort="kennisgeving")))
    assert (kg.bericht, kg.entiteittype, kg.mutatiesoort, kg.indicator_overname, kg.sleutel) == (
        "vesLk01", "VES", "T", "V", "000037178591")
    assert kg.oud is None and kg.begin_geldigheid() is None
    assert kg.tijdstip_bericht.isoformat() == "2026-01-01T12:00:00+01:00"


def test_object_count_must_fit_the_mutatiesoort():
    mac = emit.mac(OUD, soort="kennisgeving")
    assert _code(lk01("MAC", "W", mac))[0] == "StUF055"
    assert "2 object" in _code(lk01("MAC", "W", mac))[1]
    assert _code(lk01("MAC", "T", mac, emit.mac(OUD, soort="kennisgeving")))[0] == "StUF055"


def test_objects_must_be_the_stuurgegevens_entiteittype_and_one_object():
    code, details = _code(lk01("MAC", "T", emit.ves(_ves("000037178591"), soort="kennisgeving")))
    assert code == "StUF055" and "VES" in details
    twee = lk01("VES", "W", emit.ves(_ves("000037178591"), soort="kennisgeving"),
                emit.ves(_ves("000037178592"), soort="kennisgeving"))
    assert "verschillende objecten" in _code(twee)[1]


def test_missing_stuurgegevens_of_an_asynchronous_message():
    body = lk01("VES", "T", emit.ves(_ves("000037178591"), soort="kennisgeving"))
    sg = body.find(f"{{{BG}}}stuurgegevens")
    sg.remove(sg.find(f"{{{STUF}}}referentienummer"))
    code, details = _code(body)
    assert code == "StUF055" and "referentienummer" in details


def test_a_toekomstmutatie_is_StUF068():
    obj = emit.ves(_ves("000037178591"), soort="kennisgeving")
    tijdvak = etree.SubElement(obj, f"{{{STUF}}}tijdvakGeldigheid")
    etree.SubElement(tijdvak, f"{{{STUF}}}beginGeldigheid").text = "20300101"
    obj.insert(len(obj) - 1, tijdvak)
    assert _code(lk01("VES", "T", obj))[0] == "StUF068"


def test_kennisgevingen_in_names_known_entiteittypen_only(tmp_path):
    from knoop_esb.config import ConfigError, load

    path = tmp_path / "knoop.toml"
    path.write_text("[[afnemers.afnemer]]\noin = '00000099000000000001'\nkennisgevingen_in = ['VES', 'NPS']\n")
    with pytest.raises(ConfigError) as err:
        load(path, environ={})
    assert err.value.key == "afnemers.afnemer[0].kennisgevingen_in" and "NPS" in str(err.value)
    path.write_text("[[afnemers.afnemer]]\noin = '00000099000000000001'\nkennisgevingen_in = ['VES']\n")
    [afnemer] = load(path, environ={}).afnemers.afnemer
    assert afnemer.kennisgevingen_in == ["VES"]
