"""Golden files: KVK-shaped input JSON → the StUF-BG 0310 La01 objects (MAC, NNP, each VES), each
validated against the official schemas and compared after a canonical pretty-print.

Regenerate after a deliberate mapping change with ``KNOOP_GOLDEN_SCHRIJVEN=1`` and review the diff."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.transform import emit, kvk, stufhr
from knoop_esb.transform.model import NietNatuurlijkPersoon
from tests.fixtures.transform import la01

GOLDEN = Path(__file__).parent / "golden" / "transform"
KVK_CONNECT = Path("/work/shared/kvk/fixtures-kvk-connect")
CASES = sorted(p.stem for p in (GOLDEN / "input").glob("*.json"))
HR_CASES = sorted(p.stem for p in (GOLDEN / "input").glob("*.xml"))


def _berichten(model) -> list[etree._Element]:
    out = [la01("MAC", emit.mac(model))]
    if isinstance(model.eigenaar, NietNatuurlijkPersoon):
        out.append(la01("NNP", emit.nnp(model)))
    out += [la01("VES", emit.ves(v, mac=model)) for v in model.alle_vestigingen()]
    return out


def _canoniek(root: etree._Element) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(etree.tostring(root), parser), pretty_print=True, encoding="unicode")


def _vergelijk(naam: str, berichten: list[etree._Element], bg_validator) -> None:
    for bericht in berichten:
        bg_validator.validate(bericht)
    container = etree.Element("transform-golden", case=naam)
    container.extend(berichten)
    actual = _canoniek(container)
    expected_path = GOLDEN / "expected" / f"{naam}.xml"
    if os.environ.get("KNOOP_GOLDEN_SCHRIJVEN"):
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"no golden file {expected_path.name}; run with KNOOP_GOLDEN_SCHRIJVEN=1"
    assert actual == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("naam", CASES)
def test_golden_kvk(naam, bg_validator):
    data = json.loads((GOLDEN / "input" / f"{naam}.json").read_text(encoding="utf-8"))
    model = kvk.basisprofiel(data["basisprofiel"], vestigingen=data.get("vestigingen"),
                             vestigingsprofielen=tuple(data.get("vestigingsprofielen", ())))
    _vergelijk(naam, _berichten(model), bg_validator)


@pytest.mark.parametrize("naam", HR_CASES)
def test_golden_stufhr(naam, bg_validator):
    model = stufhr.maatschappelijke_activiteit((GOLDEN / "input" / f"{naam}.xml").read_bytes())
    _vergelijk(naam, _berichten(model), bg_validator)


def test_golden_kvk_connect_fixtures(bg_validator):
    """KVK's shapes as MinBZK/kvk-connect recorded them, read in place (not copied into the repo)."""
    if not KVK_CONNECT.exists():
        pytest.skip("/work/shared/kvk/fixtures-kvk-connect not present")
    lees = lambda n: json.loads((KVK_CONNECT / n).read_text(encoding="utf-8"))  # noqa: E731
    model = kvk.basisprofiel(lees("test_input_basisprofiel.json"), vestigingen=lees("test_input_vestigingen.json"),
                             vestigingsprofielen=(lees("test_input_vestigingsprofielen.json"),))
    _vergelijk("kvk_connect_fixtures", _berichten(model), bg_validator)
