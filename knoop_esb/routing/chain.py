"""Asking a route's chain of sources in turn.

A store-like source (one that keeps copies, ``bewaart = True``) wins only with a hit fresh enough
for the route's ``max_age``; any other source's answer is final, even an empty one ("KVK does not
know this number"). A source that fails is recorded as a melding and the next one is asked; when
every later source fails, a stale stored copy is still better than no answer and is returned with
a melding that says so. A fan-out step asks several upstreams at once, each within its own
timeout, and merges what came back in time.

With a time limit (the vraag/antwoord flow's ``kvk_timeout``) the remote steps run on a worker
thread and together get that many seconds; a step that does not answer in time is a failing
source (melding StUF960). A store-like step is a local lookup: it is asked in the caller's thread,
so the common case, a fresh stored hit, costs no hand-off.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from datetime import datetime
from typing import Callable, Mapping

from knoop_esb import logs
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.routing.sources.base import Antwoord, BronFout, Melding, Source, Vraag, nu
from knoop_esb.routing.table import Route, RouteTable, Stap
from knoop_esb.turns import waiting_elsewhere

log = logs.get("knoop_esb.routing")

# Threads that wait on remote sources under a time limit; a timed-out call finishes in the
# background (the KVK client has its own per-request timeout) while the asker already has its answer.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="bron")


class GeenRoute(StufFout):
    """No route for this berichtcode + entiteittype: StUF025 (berichtcode) or StUF031 (entiteittype)."""


class GeenAntwoord(StufFout):
    """Every source of the chain failed; ``meldingen`` say why (also in ``details``).

    StUF058 when a source answered with a functional refusal (an upstream's Fo02, whose code and
    omschrijving go into details), else StUF049: no process could answer the vraag now.
    """

    def __init__(self, route: Route, meldingen: list[Melding]):
        self.route = route
        self.meldingen = tuple(meldingen)
        waarom = "; ".join(f"{m.bron}: {m.code} {m.omschrijving}" for m in meldingen)
        code = foutcodes.STUF058 if any(m.functioneel for m in meldingen) else foutcodes.STUF049
        super().__init__(code, details=waarom)


class Router:
    """Routes a vraag through the route table to its sources (``bronnen`` keyed by source name)."""

    def __init__(self, table: RouteTable, bronnen: Mapping[str, Source], klok: Callable[[], datetime] = nu):
        self.table = table
        self.bronnen = dict(bronnen)
        self.klok = klok

    def route(self, vraag: Vraag) -> Route:
        """The route of ``vraag``; GeenRoute (StUF025 / StUF031) when there is none."""
        route = self.table.route(vraag.berichtcode, vraag.entiteittype, vraag.afnemer)
        if route is None:
            if vraag.berichtcode not in self.table.berichtcodes():
                raise GeenRoute(foutcodes.STUF025, f"berichtcode {vraag.berichtcode} wordt niet ondersteund")
            raise GeenRoute(foutcodes.STUF031, f"entiteittype {vraag.entiteittype} wordt niet ondersteund bij {vraag.berichtcode}")
        return route

    def beantwoord(self, vraag: Vraag) -> Antwoord:
        return voer_uit(self.route(vraag), vraag, self.bronnen, self.klok)


def voer_uit(route: Route, vraag: Vraag, bronnen: Mapping[str, Source], klok: Callable[[], datetime] = nu,
             timeout: float | None = None) -> Antwoord:
    """Ask the chain of ``route``; ``timeout``: seconds the remote steps together may take (None: no limit)."""
    meldingen: list[Melding] = []
    verouderd: Antwoord | None = None
    einde = None if timeout is None else time.monotonic() + timeout
    for s in route.chain:
        try:
            if bewaart(s, bronnen):
                antwoord = _vraag_stap(s, vraag, bronnen)
            elif einde is None:
                with waiting_elsewhere():  # a remote source: mostly a wait on the network
                    antwoord = _vraag_stap(s, vraag, bronnen)
            else:
                antwoord = _binnen(einde, timeout, s, vraag, bronnen)
        except BronFout as fout:
            log.warning("bron_fout", route=route.sleutel, bron=fout.bron, code=fout.code, omschrijving=fout.omschrijving)
            meldingen.append(fout.melding())
            continue
        if bewaart(s, bronnen):
            if not antwoord.gevonden:
                continue
            if klok() - antwoord.fetched_at > route.max_age:
                log.info("bron_verouderd", route=route.sleutel, bron=s.naam, fetched_at=antwoord.fetched_at.isoformat())
                verouderd = antwoord
                continue
        log.info("bron_antwoord", route=route.sleutel, bron=antwoord.bron, gevonden=antwoord.gevonden)
        return antwoord.met_meldingen(meldingen)
    if verouderd is not None:
        oud = Melding(verouderd.bron, "verouderd", f"gegevens van {verouderd.fetched_at.isoformat()}; geen actuelere bron bereikbaar")
        return verouderd.met_meldingen(meldingen + [oud])
    if not meldingen:
        # Only store-like sources, none with a hit: an honest empty answer.
        return Antwoord(bron=route.chain[-1].naam)
    raise GeenAntwoord(route, meldingen)


def bewaart(s: Stap, bronnen: Mapping[str, Source]) -> bool:
    """Whether step ``s`` is a store-like source (keeps copies, judged by freshness); never a fan-out."""
    return not s.fanout and bool(getattr(bronnen.get(s.naam), "bewaart", False))


def _binnen(einde: float, timeout: float, s: Stap, vraag: Vraag, bronnen: Mapping[str, Source]) -> Antwoord:
    over = einde - time.monotonic()
    if over > 0:
        future = _POOL.submit(_vraag_stap, s, vraag, bronnen)
        try:
            with waiting_elsewhere():  # another request computes while this one waits on the source
                return future.result(timeout=over)
        except FutureTimeout:
            pass
    raise BronFout(s.naam, "StUF960", f"geen antwoord binnen {timeout:g} s")


def _bron(naam: str, bronnen: Mapping[str, Source]) -> Source:
    try:
        return bronnen[naam]
    except KeyError:
        raise BronFout(naam, "StUF025", f"bron {naam} is niet gestart") from None


def _vraag_stap(s: Stap, vraag: Vraag, bronnen: Mapping[str, Source]) -> Antwoord:
    if not s.fanout:
        return _bron(s.naam, bronnen).vraag(vraag)
    return fanout([_bron(n, bronnen) for n in s.bronnen], vraag, s.naam)


def fanout(bronnen: list[Source], vraag: Vraag, naam: str) -> Antwoord:
    """Ask every source at once; merge the answers that arrive within each source's ``timeout``."""
    pool = ThreadPoolExecutor(max_workers=len(bronnen), thread_name_prefix="fanout")
    start = time.monotonic()
    try:
        futures = [(b, pool.submit(b.vraag, vraag)) for b in bronnen]
        antwoorden: list[Antwoord] = []
        meldingen: list[Melding] = []
        for bron, future in futures:
            over = max(0.0, start + float(getattr(bron, "timeout", 30.0)) - time.monotonic())
            try:
                antwoorden.append(future.result(timeout=over))
            except BronFout as fout:
                meldingen.append(fout.melding())
            except TimeoutError:
                meldingen.append(Melding(bron.naam, "StUF960", f"geen antwoord binnen {getattr(bron, 'timeout', 30.0):g} s"))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if not antwoorden:
        raise BronFout(naam, "StUF049", "geen van de bronnen antwoordde: " + "; ".join(f"{m.bron} {m.code}" for m in meldingen))
    return Antwoord(
        bron=naam,
        objecten=tuple(o for a in antwoorden for o in a.objecten),
        stuf_objecten=tuple(o for a in antwoorden for o in a.stuf_objecten),
        fetched_at=min(a.fetched_at for a in antwoorden),
        meldingen=tuple(meldingen) + tuple(m for a in antwoorden for m in a.meldingen),
    )
