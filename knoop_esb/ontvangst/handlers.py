"""OntvangAsynchroon handlers for nnpLk01, macLk01 and vesLk01, registered into the node.

The pipeline has checked the schema and that stuurgegevens/zender/organisatie is the peer's OIN.
Here, in the order StUF 03.01 Tabel 4.1 lists the situations: StUF010 (not addressed to this
node), StUF016, StUF019, StUF052, then the content (StUF055, StUF064, StUF058, StUF068) and the
store (StUF046). One transaction holds the record of the message and its data: the Bv03 leaves
only after it committed, a Fo03 leaves nothing behind (so a resend after a fix is processed as new,
StUF 03.01 §4.4.3).
"""
from __future__ import annotations

from lxml import etree
from sqlalchemy.exc import SQLAlchemyError

from knoop_esb import logs
from knoop_esb.afnemers.registry import Registry
from knoop_esb.config.cache import per_config
from knoop_esb.endpoints import handlers
from knoop_esb.endpoints.request import StufRequest
from knoop_esb.ontvangst import autorisatie, kennisgeving, verwerking
from knoop_esb.store import ontvangen
from knoop_esb.store.base import utcnow
from knoop_esb.stuf import berichten, foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import BG, q
from knoop_esb.stuf.stuurgegevens import node_systeem

log = logs.get("knoop_esb.ontvangst")


@per_config
def _registry(config) -> Registry:
    from knoop_esb.store.db import database

    return Registry(config, database(config))


def _zender(lk01: kennisgeving.Lk01) -> ontvangen.Zender:
    z = lk01.stuurgegevens.zender
    return ontvangen.Zender(z.organisatie, z.applicatie, z.administratie or "")


def _vastleggen(session, lk01: kennisgeving.Lk01, afnemer_oin: str, now) -> None:
    sg = lk01.stuurgegevens
    try:
        ontvangen.vastleggen(session, _zender(lk01), referentienummer=sg.referentienummer,
                             tijdstip_bericht=sg.tijdstip_bericht, afnemer_oin=afnemer_oin, berichtcode=lk01.bericht,
                             entiteittype=lk01.entiteittype, mutatiesoort=lk01.mutatiesoort,
                             indicator_overname=lk01.indicator_overname, object_sleutel=lk01.sleutel, now=now)
    except ontvangen.AlOntvangen:
        raise StufFout(foutcodes.STUF016, details=f"referentienummer {sg.referentienummer} van deze zender is al "
                                                  "ontvangen") from None
    except ontvangen.NietNaVorige as exc:
        raise StufFout(foutcodes.STUF019, details=f"tijdstipBericht {sg.tijdstip_bericht} is niet later dan "
                                                  f"{exc.laatste} ({exc.referentienummer})") from None


def ontvang_kennisgeving(request: StufRequest) -> etree._Element:
    from knoop_esb.store.db import database

    config = request.config
    lk01 = kennisgeving.lees(request.body, request.stuurgegevens)
    if lk01.stuurgegevens.ontvanger.organisatie != config.node.oin:
        raise StufFout(foutcodes.STUF010, details=f"ontvanger/organisatie {lk01.stuurgegevens.ontvanger.organisatie} "
                                                  f"is niet deze node ({config.node.oin})")
    afnemer = _registry(config).get(request.peer.oin)
    now = utcnow()
    try:
        with database(config).session() as session:
            _vastleggen(session, lk01, request.peer.oin, now)
            autorisatie.controleer(afnemer, lk01)
            uitkomst = verwerking.verwerk(session, lk01, afnemer_oin=request.peer.oin, now=now)
    except SQLAlchemyError as exc:
        log.error("kennisgeving niet opgeslagen", bericht=lk01.bericht, sleutel=lk01.sleutel,
                  fout=type(exc).__name__, reden=str(getattr(exc, "orig", exc)).splitlines()[0][:200])
        raise StufFout(foutcodes.STUF046, details="de kennisgeving kon niet worden opgeslagen; bied haar later "
                                                  "opnieuw aan met hetzelfde referentienummer") from None
    log.info("kennisgeving ontvangen", bericht=lk01.bericht, mutatiesoort=lk01.mutatiesoort,
             indicator_overname=lk01.indicator_overname, sleutel=lk01.sleutel, afnemer=request.peer.oin,
             handeling=uitkomst.handeling, gewijzigd=uitkomst.gewijzigd)
    return berichten.bv03(request.stuurgegevens, node_systeem(config))


for _bericht in kennisgeving.BERICHTEN:
    handlers.register(q(BG, _bericht), ontvang_kennisgeving, porttype=handlers.ONTVANG_ASYNCHROON)


def warm_up(config) -> None:
    """Build this process's afnemer registry at start, not on the first kennisgeving."""
    _registry(config)
