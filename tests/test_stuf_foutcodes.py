"""The StUF 03.01 foutcode tables as data, and StufFout's defaults from them."""
import pytest

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout

# Tabel 8.1 (summary of all StUF foutberichten) plus StUF960 from Tabel 4.1.
TABEL_8_1 = (
    "001 004 007 010 013 016 019 022 025 028 031 034 037 040 043 046 049 052 055 058 061 062 063 064 065 066 "
    "067 068 069 070 076 079 082 085 088 091 094 097 103 106 118 119 124 127 130 133 960"
).split()


def test_every_code_of_the_tables_is_a_constant():
    assert sorted(foutcodes.FOUTCODES) == sorted(f"StUF{n}" for n in TABEL_8_1)
    for code, entry in foutcodes.FOUTCODES.items():
        assert getattr(foutcodes, code.upper()) is entry
        assert entry.plek in ("client", "server")
        assert 0 < len(entry.omschrijving) <= 200
        assert len(entry.code) <= 7
        assert set(entry.soort) <= {1, 2, 3}


@pytest.mark.parametrize(
    "entry, plek, soort",
    [
        (foutcodes.STUF001, "server", (2, 3)),
        (foutcodes.STUF010, "client", (2, 3)),
        (foutcodes.STUF025, "server", (2, 3)),
        (foutcodes.STUF046, "server", (3,)),
        (foutcodes.STUF052, "client", (1, 2)),
        (foutcodes.STUF055, "client", (1, 2)),
        (foutcodes.STUF058, "server", (1, 2)),
        (foutcodes.STUF064, "server", (1, 2)),
        (foutcodes.STUF124, "server", (1,)),
        (foutcodes.STUF130, "server", (1,)),
        (foutcodes.STUF133, "server", (1, 2)),
        (foutcodes.STUF960, "server", (2,)),
    ],
)
def test_plek_and_soort_as_in_the_tables(entry, plek, soort):
    assert (entry.plek, entry.soort) == (plek, soort)


def test_omschrijvingen_are_the_standards_words():
    assert foutcodes.STUF055.omschrijving == "Berichtbody is niet conform schema in sectormodel"
    assert foutcodes.STUF064.omschrijving == "Object niet gevonden"
    assert foutcodes.foutcode("StUF133") is foutcodes.STUF133
    assert foutcodes.foutcode("BG0001") is None


def test_meldingcodes():
    assert sorted(foutcodes.MELDINGCODES) == ["StUF0001", "StUF0002", "StUF0003", "StUF0004", "StUF0005"]
    assert foutcodes.STUF0001.melding("huisnummerToevoeging") == "StUF0001: huisnummerToevoeging"
    assert foutcodes.STUF0002.melding() == "StUF0002: Meer objecten gevraagd dan teruggegeven"
    assert foutcodes.STUF0005.melding() == "StUF0005: bepalen aantalVoorkomens vergt te veel resources"


def test_stuffout_defaults_from_the_table():
    fout = StufFout(foutcodes.STUF052, details="OIN onbekend")
    assert (fout.code, fout.plek, fout.omschrijving, fout.details) == (
        "StUF052", "client", foutcodes.STUF052.omschrijving, "OIN onbekend")
    assert "StUF052" in str(fout)


def test_stuffout_from_code_string_and_overrides():
    fout = StufFout("StUF064", "Vestiging 000012345678 niet gevonden")
    assert (fout.code, fout.plek, fout.omschrijving) == ("StUF064", "server", "Vestiging 000012345678 niet gevonden")
    sector = StufFout("BG0001", "sectorfout", plek="client")
    assert (sector.code, sector.plek) == ("BG0001", "client")
    assert StufFout("XYZ").plek == "server"


def test_stuffout_refuses_a_plek_outside_the_enumeration():
    with pytest.raises(ValueError):
        StufFout(foutcodes.STUF058, plek="elders")
