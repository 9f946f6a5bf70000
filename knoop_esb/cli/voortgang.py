"""The progress bar of long CLI work (tqdm on stderr, off when stderr is no terminal unless asked),
so stdout keeps only the one summary line a script reads."""
from __future__ import annotations

import sys

from tqdm import tqdm


def balk(totaal: int | None, *, desc: str, unit: str = "it", bytes_: bool = False) -> tqdm:
    return tqdm(total=totaal, desc=desc, unit="B" if bytes_ else unit, unit_scale=bytes_, unit_divisor=1024,
                file=sys.stderr, disable=not sys.stderr.isatty(), dynamic_ncols=True, leave=False)


def melding(tekst: str) -> None:
    """A line on stderr that does not tear the bar."""
    tqdm.write(tekst, file=sys.stderr)
