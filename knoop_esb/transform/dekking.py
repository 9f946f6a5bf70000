"""Coverage of the VNG mapping StUF-HR 0300 → StUF-BG 0310 by our mapping tables.

The VNG sheets (csv/*.csv beside the repo, never copied into it) list one source element per
row in the leading columns, indented by nesting, and its StUF-BG target (``–`` = not mapped).
:func:`vng_rijen` reads one sheet's text into rows identified as ``SHEET:source/path → target``;
:func:`dekking` sets them against the row ids the tables say they implement
(``tabellen.GEIMPLEMENTEERD``) and the rows deliberately left out (``tabellen.NIET_GEMAPT``).
Pure: the caller reads the files.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

# Sheets about the HR types that become NNP, MAC or VES in bg0310, with the BG entity they feed.
BLADEN = {
    "NNP": "NNP", "PRS": "NNP", "RPS": "NNP", "BVS": "NNP", "EMM": "NNP", "SWV": "NNP",
    "MAC": "MAC", "OND": "MAC",
    "VES": "VES", "CVS": "VES", "NCV": "VES",
}
# Target-column start per sheet width: 10-column sheets (MAC, OND) put the target in column 6,
# 8-column sheets in column 4, 4-column sheets in column 3.
_DOELKOLOM = {10: 6, 8: 4, 4: 3}
NIET = "–"


@dataclass(frozen=True)
class VngRij:
    blad: str
    bron: str
    doel: str
    regel: int  # 1-based line in the sheet

    @property
    def id(self) -> str:
        return f"{self.blad}:{self.bron}"

    @property
    def mapbaar(self) -> bool:
        return bool(self.doel) and self.doel != NIET


def _schoon(cel: str) -> str:
    return "|".join(p.strip() for p in re.split(r"\s*\n\s*", cel.strip()) if p.strip())


def vng_rijen(blad: str, tekst: str) -> list[VngRij]:
    """Rows of one sheet after its heading block (the text before the first empty line)."""
    rows = list(csv.reader(io.StringIO(tekst)))
    if not rows:
        return []
    doelkolom = _DOELKOLOM.get(max(len(r) for r in rows), 4)
    start = next((i for i, r in enumerate(rows) if not any(c.strip() for c in r)), 0) + 1
    pad: list[str] = []
    out: list[VngRij] = []
    for nr, row in enumerate(rows[start:], start=start + 1):
        row = row + [""] * (doelkolom + 3 - len(row))
        bron_cellen = row[:doelkolom]
        doel = "/".join(_schoon(c) for c in row[doelkolom:doelkolom + 3] if c.strip())
        diepte = next((i for i, c in enumerate(bron_cellen) if c.strip()), None)
        if diepte is not None:
            pad = pad[:diepte] + [_schoon(bron_cellen[diepte])]
        if not doel:
            continue
        bron = "/".join(pad) if diepte is not None else "/".join(pad) + "/+"
        out.append(VngRij(blad, bron, doel, nr))
    return _uniek(out)


def _uniek(rijen: list[VngRij]) -> list[VngRij]:
    """Rows without a source cell (extra targets of the row above) get ``/+``, ``/++`` … ids."""
    gezien: dict[str, int] = {}
    out = []
    for rij in rijen:
        n = gezien.get(rij.id, 0)
        gezien[rij.id] = n + 1
        out.append(rij if n == 0 else VngRij(rij.blad, rij.bron + "#" + str(n + 1), rij.doel, rij.regel))
    return out


@dataclass(frozen=True)
class Dekking:
    blad: str
    geimplementeerd: tuple[VngRij, ...]
    niet_gemapt: tuple[tuple[VngRij, str], ...]
    ontbreekt: tuple[VngRij, ...]
    onbekend: tuple[str, ...]  # ids we claim that the sheet no longer has


def dekking(blad: str, rijen: list[VngRij], geimplementeerd: frozenset[str],
            niet_gemapt: dict[str, str]) -> Dekking:
    mapbaar = [r for r in rijen if r.mapbaar]
    ids = {r.id for r in rijen}
    claims = {i for i in geimplementeerd | set(niet_gemapt) if i.startswith(blad + ":")}
    return Dekking(
        blad=blad,
        geimplementeerd=tuple(r for r in mapbaar if r.id in geimplementeerd),
        niet_gemapt=tuple((r, niet_gemapt[r.id]) for r in mapbaar if r.id in niet_gemapt and r.id not in geimplementeerd),
        ontbreekt=tuple(r for r in mapbaar if r.id not in geimplementeerd and r.id not in niet_gemapt),
        onbekend=tuple(sorted(claims - ids)),
    )
