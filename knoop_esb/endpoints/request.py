"""What a handler gets: one StUF request, already authenticated, parsed and schema-valid."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from knoop_esb.config import Config
from knoop_esb.digikoppeling.identity import Peer
from knoop_esb.stuf.stuurgegevens import Stuurgegevens


@dataclass(frozen=True)
class StufRequest:
    """``body`` is the whole body element (e.g. ``BG:nnpLv01``), ``wsa`` what the WS-Addressing
    layer found (``environ["knoop.wsa"]``, None when that layer is not mounted), ``porttype`` the
    service it came in on (``BeantwoordVraag`` or ``OntvangAsynchroon``)."""

    body: etree._Element
    stuurgegevens: Stuurgegevens
    peer: Peer
    wsa: Any
    environ: dict
    config: Config
    porttype: str
    soap_action: str | None = None

    @property
    def qname(self) -> str:
        return self.body.tag
