"""Every mappable row of the VNG mapping (NNP/MAC/VES sheets) is implemented by the tables or left
out with a stated reason; `knoop-esb mapping coverage` reports the same."""
from __future__ import annotations

import subprocess
import sys

import pytest

from knoop_esb.cli.mapping import lees_dekking, standaard_map
from knoop_esb.transform.dekking import vng_rijen
from knoop_esb.transform.tabellen import NIET_GEMAPT

CSV = standaard_map()
heeft_csv = pytest.mark.skipif(not (CSV / "MAC.csv").is_file(),
                               reason=f"VNG mapping csv sheets not found in {CSV} (set KNOOP_MAPPING_DIR)")


@heeft_csv
def test_no_mappable_row_missing():
    for d in lees_dekking(CSV):
        assert not d.ontbreekt, f"{d.blad}: rows not implemented: {[r.id + ' → ' + r.doel for r in d.ontbreekt]}"
        assert not d.onbekend, f"{d.blad}: tables claim rows the sheet does not have: {d.onbekend}"
        assert d.geimplementeerd, d.blad


@heeft_csv
def test_left_out_rows_have_reasons_and_core_rows_are_implemented():
    assert all(reden.strip() for reden in NIET_GEMAPT.values())
    ids = {r.id for d in lees_dekking(CSV) for r in d.geimplementeerd}
    for kern in ("NNP:rsin", "NNP:naam", "RPS:statutaireZetel", "MAC:kvkNummer", "VES:vestigingsnummer",
                 "VES:bezoekLocatie/binnenlandsAdres/BAGIdentificatie", "MAC:heeftAlsEigenaar", "CVS:wordtUitgeoefendDoor"):
        assert kern in ids


def test_sheet_reader_on_a_small_sheet():
    tekst = ('Kop,,,,,,,\n,,,,,,,\nrsin,,,,inn.nnpId,,,\n,,,,authentiek,,,"Als rsin gevuld is"\n'
             'ookGenoemd,,,,–,,,\nbezoekLocatie,,,,,,,\n,binnenlandsAdres,,,,,,\n,,straatnaam,,"a\nb",,,\n')
    rijen = vng_rijen("NNP", tekst)
    assert [(r.id, r.doel, r.mapbaar) for r in rijen] == [
        ("NNP:rsin", "inn.nnpId", True), ("NNP:rsin/+", "authentiek", True), ("NNP:ookGenoemd", "–", False),
        ("NNP:bezoekLocatie/binnenlandsAdres/straatnaam", "a|b", True)]


@heeft_csv
def test_cli_coverage():
    out = subprocess.run([sys.executable, "-m", "knoop_esb", "mapping", "coverage", "--mapping-dir", str(CSV)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "MAC → MAC:" in out.stdout and "0 missing" in out.stdout


def test_cli_coverage_missing_dir(tmp_path):
    out = subprocess.run([sys.executable, "-m", "knoop_esb", "mapping", "coverage", "--mapping-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "not found" in out.stderr and "Traceback" not in out.stderr
