"""`knoop-esb mapping convert`: KVK answers and StUF-HR 0300 messages as schema-valid StUF-BG La01s,
and one clear line for what it cannot read."""
import json
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.cli import main
from knoop_esb.stuf.ns import BG

GOLDEN = Path(__file__).parent / "golden" / "transform" / "input"
KVK_CONNECT = Path(__file__).resolve().parents[2] / "shared" / "kvk" / "fixtures-kvk-connect"


@pytest.fixture
def run(tmp_path, stuf_schemas_dir, monkeypatch, capsys):
    monkeypatch.delenv("KNOOP_DATABASE_URL", raising=False)
    config = tmp_path / "knoop.toml"
    config.write_text(f'[schemas]\ndir = "{stuf_schemas_dir}"\n')

    def convert(*args: str) -> tuple[int, str, str]:
        rc = main(["--config", str(config), "mapping", "convert", *args])
        out, err = capsys.readouterr()
        return rc, out, err
    return convert


def _documenten(out: str, berichtcode: str = "La01") -> list[str]:
    """The printed messages (pretty-printed one after another), comments skipped."""
    docs, current = [], []
    for line in out.splitlines():
        if line.startswith("<!--"):
            continue
        current.append(line)
        if line.startswith("</BG:") and line.endswith(f"{berichtcode}>"):
            docs.append("\n".join(current))
            current = []
    return docs


@pytest.mark.parametrize("naam, entiteiten", [
    ("eenmanszaak_twee_vestigingen.json", {"macLa01", "vesLa01"}),
    ("bv_statutaire_naam_rsin.json", {"macLa01", "nnpLa01", "vesLa01"}),
    ("hr_vof_twee_eigenaren.xml", {"macLa01", "nnpLa01", "vesLa01"}),  # a VOF is an NNP (SWV)
])
def test_convert_golden_inputs(run, schema_registry, naam, entiteiten):
    rc, out, err = run(str(GOLDEN / naam))
    assert rc == 0, err
    antwoorden = [etree.fromstring(d) for d in _documenten(out)]
    assert {etree.QName(a).localname for a in antwoorden} == entiteiten
    for antwoord in antwoorden:
        schema_registry.validate(antwoord)
        assert antwoord.findall(f"{{{BG}}}antwoord/{{{BG}}}object")


def test_convert_kvk_as_served(run):
    bestand = KVK_CONNECT / "test_input_basisprofiel.json"
    if not bestand.exists():
        pytest.skip("../shared/kvk fixtures not beside the repo")
    rc, out, _ = run(str(bestand), "--entiteittype", "MAC")
    assert rc == 0 and "<BG:macLa01" in out


@pytest.mark.parametrize("inhoud, melding", [
    (b'{"x": 1}', "unknown document"),
    (b"nope", "not valid JSON"),
    (b"<a><!DOCTYPE x></a>", "StUF055"),
])
def test_unreadable_input_is_one_line(run, tmp_path, inhoud, melding):
    bestand = tmp_path / "in"
    bestand.write_bytes(inhoud)
    rc, out, err = run(str(bestand))
    assert rc == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and melding in err and "Traceback" not in err


@pytest.fixture
def diff(tmp_path, stuf_schemas_dir, monkeypatch, capsys):
    """`knoop-esb mapping diff OUD NIEUW --afnemer OIN` on a config with one afnemer."""
    monkeypatch.delenv("KNOOP_DATABASE_URL", raising=False)
    config = tmp_path / "knoop.toml"
    config.write_text(f'[schemas]\ndir = "{stuf_schemas_dir}"\n\n[[afnemers.afnemer]]\noin = "00000099000000000001"\n'
                      f'naam = "Gemeente Demo"\nprofiel = "2W-be"\napplicatie = "GGM"\n')

    def run(oud: Path, nieuw: Path, *args: str) -> tuple[int, str, str]:
        rc = main(["--config", str(config), "mapping", "diff", str(oud), str(nieuw), *args])
        out, err = capsys.readouterr()
        return rc, out, err
    return run


def _gewijzigd(tmp_path: Path, naam: str, wijzig) -> Path:
    data = json.loads((GOLDEN / naam).read_text())
    wijzig(data)
    path = tmp_path / f"nieuw-{naam}"
    path.write_text(json.dumps(data))
    return path


def _kennisgevingen(out: str) -> list[etree._Element]:
    return [etree.fromstring(doc) for doc in _documenten(out, "Lk01")]


def test_diff_a_changed_handelsnaam_is_one_schema_valid_mac_w(diff, schema_registry, tmp_path):
    def andere_naam(data):
        data["basisprofiel"]["handelsnamen"][1]["naam"] = "Donald Digitaal"

    nieuw = _gewijzigd(tmp_path, "bv_statutaire_naam_rsin.json", andere_naam)
    rc, out, err = diff(GOLDEN / "bv_statutaire_naam_rsin.json", nieuw, "--afnemer", "00000099000000000001")
    assert rc == 0, err
    (lk01,) = _kennisgevingen(out)
    schema_registry.validate(lk01)
    assert etree.QName(lk01).localname == "macLk01"
    assert lk01.findtext(".//{http://www.egem.nl/StUF/StUF0301}mutatiesoort") == "W"
    assert lk01.findtext(".//{http://www.egem.nl/StUF/StUF0301}ontvanger/{http://www.egem.nl/StUF/StUF0301}applicatie") == "GGM"
    oud, huidig = lk01.findall(f"{{{BG}}}object")
    assert "Donald Diensten" in [e.text for e in oud.iter(f"{{{BG}}}handelsnaam")]
    assert "Donald Digitaal" in [e.text for e in huidig.iter(f"{{{BG}}}handelsnaam")]


def test_diff_of_equal_states_says_so(diff):
    same = GOLDEN / "bv_statutaire_naam_rsin.json"
    rc, out, _ = diff(same, same, "--afnemer", "00000099000000000001")
    assert rc == 0 and _kennisgevingen(out) == [] and "no differences" in out


@pytest.mark.parametrize("args, melding", [
    (("--afnemer", "00000099000000000777"), "give its --applicatie"),
    (("--afnemer", "123"), "is not an OIN"),
])
def test_diff_needs_a_known_afnemer(diff, args, melding):
    same = GOLDEN / "bv_statutaire_naam_rsin.json"
    rc, out, err = diff(same, same, *args)
    assert rc == 1 and melding in err and out == ""


def test_diff_refuses_two_different_companies(diff):
    rc, _, err = diff(GOLDEN / "eenmanszaak_twee_vestigingen.json", GOLDEN / "bv_statutaire_naam_rsin.json",
                      "--afnemer", "00000099000000000001")
    assert rc == 1 and "not two states of one company" in err
