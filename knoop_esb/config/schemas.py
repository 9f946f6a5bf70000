from dataclasses import dataclass
from pathlib import Path

from knoop_esb.config.loader import doc, section


@section("schemas")
@dataclass(frozen=True)
class SchemasConfig:
    """The official StUF 03.01 / StUF-BG 03.10 schemas, installed by `knoop-esb schemas install`."""

    dir: Path | None = doc("Where the installed bundle lives; empty = <data_dir>/schemas.", default=None)
    validate_outgoing: bool = doc("Validate every outgoing StUF message against the official XSD.", default=True)
