"""From a StufFout to the foutbericht and the HTTP answer each service gives (Fo02 / Fo03)."""
from __future__ import annotations

from lxml import etree

from knoop_esb.config import Config
from knoop_esb.endpoints.handlers import ONTVANG_ASYNCHROON
from knoop_esb.stuf import fouten
from knoop_esb.stuf.stuurgegevens import Stuurgegevens, node_systeem

CONTENT_TYPE = "text/xml; charset=utf-8"


def foutbericht(fout: fouten.StufFout, porttype: str, config: Config,
                oorzaak: Stuurgegevens | None = None) -> etree._Element:
    """Fo03 on OntvangAsynchroon, else Fo02. Every refusal of an asynchronous message is a Fo03
    (Protocolbindingen §4: the portType's only fault), also for codes Tabel 4.1 lists as soort 1/2
    (StUF052, StUF055): the node checks and stores a kennisgeving before it answers, so what would
    otherwise be a later Fo01 is this synchronous refusal."""
    if porttype == ONTVANG_ASYNCHROON:
        return fouten.fo03(fout, oorzaak, node_systeem(config))
    return fouten.fo02(fout)


def fault_response(start_response, fo_element: etree._Element, status: str | None = None, *,
                   headers: tuple[tuple[str, str], ...] = ()) -> list[bytes]:
    """The SOAP Fault answer: HTTP 500 (SOAP 1.1), or ``status`` where HTTP has a better one."""
    body = fouten.soap_fault(fo_element)
    start_response(status or "500 Internal Server Error",
                   [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body))), *headers])
    return [body]
