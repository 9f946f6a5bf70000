"""Mutatieservice polling (seed 002 §1): every signal of the configured abonnement stored once,
with its raw JSON, and the known ones queued in ``bedrijf_nieuw``.

The windows: from the high-water mark (minus an overlap for signals KVK publishes late) or, on
the first run, from the look-back (4 weeks) up to now, in 1-week windows; each window is paged
to its end and only then recorded, so the mark never passes a signal that was not stored. Each
page is one transaction: a signal and its queue entry are committed together, and a poll killed
halfway repeats at most the unfinished window, whose signals ``signaal_id`` deduplicates.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from sqlalchemy import and_, exists, select

from knoop_esb import logs
from knoop_esb.store import queue, signalen, vensters
from knoop_esb.store.base import utcnow
from knoop_esb.store.models import BedrijfNieuw, KvkSignaal
from knoop_esb.sync import STOPPEN
from knoop_esb.sync.samenvatting import Samenvatting
from knoop_esb.sync.signaalsoorten import bron_voor, soort

log = logs.get("knoop_esb.sync")
PAGINA = 500


class PollFout(RuntimeError):
    """The abonnement cannot be polled (none active, configured id unknown)."""


def vensters_tot(nu: datetime, hoogwater: datetime | None, *, terugkijken: timedelta, venster: timedelta,
                 overlap: timedelta) -> list[tuple[datetime, datetime]]:
    """The [vanaf, tot) windows a poll at ``nu`` asks for, oldest first."""
    begin = nu - terugkijken
    if hoogwater is not None:
        begin = max(begin, hoogwater - overlap)
    out = []
    while begin < nu:
        tot = min(begin + venster, nu)
        out.append((begin, tot))
        begin = tot
    return out


def abonnement(client, geconfigureerd: str) -> str:
    lijst = client.abonnementen().get("abonnementen") or []
    actief = [a.get("id") for a in lijst if a.get("actief", True) and isinstance(a.get("id"), str)]
    if geconfigureerd:
        if geconfigureerd not in [a.get("id") for a in lijst]:
            raise PollFout(f"sync.abonnement_id {geconfigureerd} is not an abonnement of this API key")
        return geconfigureerd
    if not actief:
        raise PollFout("KVK lists no active Mutatieservice abonnement for this API key")
    return actief[0]


def _tijdstip(tekst) -> datetime | None:
    if not isinstance(tekst, str):
        return None
    try:
        moment = datetime.fromisoformat(tekst.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def bewaar_pagina(session, items: list[dict], *, handelsdata: bool) -> tuple[int, int]:
    """Store one page of listed signals and queue the companies the node acts on: (new, queued).
    A company named by several new signals of the page gets one entry (the signals say the rest)."""
    rijen = []
    for item in items:
        kvk_nummer = item.get("kvknummer") or item.get("kvkNummer")
        rijen.append(dict(signaal_id=item["id"], signaal_type=str(item.get("signaalType") or ""),
                          kvk_nummer=kvk_nummer if isinstance(kvk_nummer, str) else None,
                          tijdstip=_tijdstip(item.get("timestamp")), raw=item))
    nieuw = signalen.save_many(session, rijen)
    genegeerd, te_queuen = [], {}
    for rij in rijen:
        if rij["signaal_id"] not in nieuw:
            continue
        signaal_soort = soort(rij["signaal_type"])
        bron = bron_voor(signaal_soort, handelsdata=handelsdata)
        if bron is None or not rij["kvk_nummer"]:
            genegeerd.append(rij["signaal_id"])
        else:
            te_queuen.setdefault((bron, rij["kvk_nummer"]), (signaal_soort, rij["signaal_id"]))
    signalen.mark_many(session, genegeerd, "genegeerd")
    queued = sum(queue.enqueue(session, kvk, bron=bron, reden=reden, signaal_id=signaal_id)
                 for (bron, kvk), (reden, signaal_id) in te_queuen.items())
    return len(nieuw), queued


def herstel(session, *, handelsdata: bool) -> int:
    """Queue again the companies with waiting signals but no open entry (a signal that arrived
    while its company was being processed, merged into that entry after it read the signals)."""
    geen_open = ~exists().where(and_(BedrijfNieuw.kvk_nummer == KvkSignaal.kvk_nummer,
                                     BedrijfNieuw.vestigingsnummer.is_(None),
                                     BedrijfNieuw.status.in_(queue.OPEN)))
    rows = session.execute(select(KvkSignaal.kvk_nummer, KvkSignaal.signaal_type, KvkSignaal.signaal_id)
                           .where(KvkSignaal.status == "nieuw", KvkSignaal.kvk_nummer.is_not(None), geen_open)
                           .order_by(KvkSignaal.id)).all()
    added = 0
    for kvk_nummer, signaal_type, signaal_id in rows:
        bron = bron_voor(soort(signaal_type), handelsdata=handelsdata) or "kvk"
        added += queue.enqueue(session, kvk_nummer, bron=bron, reden=soort(signaal_type) or "signaal",
                               signaal_id=signaal_id)
    return added


def poll(config, database, client, *, nu: datetime | None = None,
         voortgang: Callable[[int], None] = lambda n: None) -> Samenvatting:
    """One poll run; ``voortgang(n)`` is called with the signals of each page (the progress bar)."""
    s = config.sync
    handelsdata = config.handelsdata.geconfigureerd
    telling = Samenvatting("poll").begin(database)
    abo = abonnement(client, s.abonnement_id)
    nu = nu or utcnow()
    with database.session() as session:
        telling.in_wachtrij += herstel(session, handelsdata=handelsdata)
        hoog = vensters.hoogwater(session, abo)
    for vanaf, tot in vensters_tot(nu, hoog, terugkijken=timedelta(days=s.terugkijken_dagen),
                                   venster=timedelta(days=s.venster_dagen), overlap=timedelta(minutes=s.overlap_minuten)):
        aantal = nieuw = 0
        for pagina in _paginas(client.signalen(abo, vanaf, tot)):
            if STOPPEN.is_set():            # the window stays unrecorded: the next poll asks it again
                telling.gestopt = "the node is stopping"
                return telling.einde(database)
            with database.session() as session:
                is_nieuw, in_rij = bewaar_pagina(session, pagina, handelsdata=handelsdata)
            nieuw += is_nieuw
            telling.in_wachtrij += in_rij
            aantal += len(pagina)
            voortgang(len(pagina))
        with database.session() as session:
            vensters.record(session, abo, vanaf, tot, signalen=aantal, nieuw=nieuw)
        telling.signalen += aantal
        telling.nieuwe_signalen += nieuw
        log.info("sync.venster_gepolld", vanaf=vanaf.isoformat(), tot=tot.isoformat(), signalen=aantal, nieuw=nieuw)
    return telling.einde(database)


def _paginas(items: Iterator[dict]) -> Iterator[list[dict]]:
    pagina: list[dict] = []
    for item in items:
        pagina.append(item)
        if len(pagina) == PAGINA:
            yield pagina
            pagina = []
    if pagina:
        yield pagina
