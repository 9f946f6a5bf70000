"""The request pipeline inside the SOAP service: everything between "spyne found the body element"
and "the handler answered", in the order StUF reports faults (first matching situation wins):

1. a handler registered for this body element on this service, else StUF025;
2. the body valid against the official schemas, else StUF055;
   (for a ``tolerant`` afnemer after :mod:`knoop_esb.stuf.tolerant` repaired its known deviations);
3. stuurgegevens zender/organisatie equal to the authenticated peer's OIN, else StUF052;
   ontvanger/organisatie, when given, the node's OIN, else StUF010;
4. the handler; its StufFout becomes the service's foutbericht;
5. the answer valid against the official schemas before it leaves, else StUF058 (a defect, logged).

Any other exception is a StUF058 whose traceback goes to the log, never to the wire.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb import logs, paths
from knoop_esb.config import Config
from knoop_esb.digikoppeling.identity import ENVIRON_KEY, Peer
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.faults import foutbericht
from knoop_esb.endpoints.protocol import StufFault
from knoop_esb.endpoints.request import StufRequest
from knoop_esb.stuf import foutcodes, stuurgegevens, tolerant
from knoop_esb.stuf.fouten import StufFout

log = logs.get("knoop_esb.endpoints")


def _schemas(config: Config):
    from knoop_esb.stuf import schemas

    return schemas.registry(paths.schemas_dir(config))


def _check_zender(sg: stuurgegevens.Stuurgegevens, peer: Peer) -> None:
    organisatie = sg.zender.organisatie if sg.zender else None
    if organisatie != peer.oin:
        raise StufFout(foutcodes.STUF052, details=f"zender/organisatie {organisatie!r} is niet het OIN van de "
                                                   f"afnemer ({peer.oin})")


def _check_ontvanger(sg: stuurgegevens.Stuurgegevens, node_oin: str) -> None:
    """With Digikoppeling (and on the node's own StUF binding) ontvanger/organisatie is the OIN of
    the receiver: a message meant for another organisation is not answered as if it were ours."""
    organisatie = sg.ontvanger.organisatie if sg.ontvanger else None
    if organisatie and organisatie != node_oin:
        raise StufFout(foutcodes.STUF010, details=f"ontvanger/organisatie {organisatie!r} is niet het OIN van deze "
                                                   f"knoop ({node_oin})")


def _answer(porttype: str, body: etree._Element, environ: dict, udc: dict, config: Config,
            sg: stuurgegevens.Stuurgegevens | None = None) -> etree._Element:
    handler = handlers.lookup(porttype, body.tag)
    if handler is None:
        raise StufFout(foutcodes.STUF025, details=f"{etree.QName(body).localname} wordt op {porttype} niet ondersteund")
    registry = _schemas(config)
    peer = environ[ENVIRON_KEY]
    if getattr(peer, "tolerant", False):
        tolerant.herstel_body(body, paths.schemas_dir(config), afnemer=peer.oin)
    registry.validate(body)
    if sg is None:  # not readable before: now raise why
        sg = stuurgegevens.van_bericht(body)
    logs.bind_message(referentienummer=sg.referentienummer)
    _check_zender(sg, peer)
    _check_ontvanger(sg, config.node.oin)
    request = StufRequest(body=body, stuurgegevens=sg, peer=peer, wsa=environ.get("knoop.wsa"), environ=environ,
                          config=config, porttype=porttype, soap_action=udc.get("soap_action"))
    answer = handler(request)
    if config.schemas.validate_outgoing:
        try:
            registry.validate(answer)
        except StufFout as exc:
            log.error("outgoing message not schema-valid (defect)", porttype=porttype,
                      antwoord=etree.QName(answer).localname, fout=str(exc), details=exc.details)
            raise StufFout(foutcodes.STUF058, details="antwoord voldoet niet aan het schema") from None
    return answer


def process(porttype: str, body: etree._Element, environ: dict, udc: dict, config: Config) -> etree._Element:
    """The answer element, or a :class:`StufFault` carrying the service's foutbericht."""
    oorzaak = None
    try:
        try:
            oorzaak = stuurgegevens.van_bericht(body)
        except StufFout:
            oorzaak = None
        answer = _answer(porttype, body, environ, udc, config, oorzaak)
        log.info("request answered", porttype=porttype, bericht=etree.QName(body).localname,
                 antwoord=etree.QName(answer).localname)
        return answer
    except StufFout as fout:
        log.warning("request refused", porttype=porttype, bericht=etree.QName(body).localname,
                    code=fout.code, omschrijving=fout.omschrijving, details=fout.details)
        raise StufFault(foutbericht(fout, porttype, config, oorzaak)) from None
    except Exception:
        log.exception("request failed", porttype=porttype, bericht=etree.QName(body).localname)
        fout = StufFout(foutcodes.STUF058)
        raise StufFault(foutbericht(fout, porttype, config, oorzaak)) from None
