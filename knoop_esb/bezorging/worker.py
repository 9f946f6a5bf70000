"""The delivery worker: claims outbox rows, sends them, records what the receiver answered.

One thread (``Bezorger.run``) owns every database write: it claims due rows (``store.outbox.claim``,
a lease per row; SKIP LOCKED on PostgreSQL so several worker processes share the work), hands them
to a thread pool that only does HTTP, and writes the outcomes back in one transaction per round.
Per afnemer endpoint at most ``parallel`` deliveries are in flight; endpoints at their limit are left
out of the next claim. The order per afnemer endpoint and object is the claim's: a row is only
handed out when every earlier row of that object is delivered or dead, so two rows of one object are
never in flight at once, whatever ``parallel`` is.

Every write about a claimed row is guarded by the lease it was claimed with (status "delivering"
and that very ``next_attempt_at``): a worker that was too slow and whose row was taken over by
another writes nothing. A worker that dies leaves its rows "delivering"; when the lease runs out
they are claimed again and resent with the same referentienummer and MessageID.
"""
from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree
from sqlalchemy import update

from knoop_esb import logs
from knoop_esb.afnemers import protocol
from knoop_esb.afnemers.registry import AfnemerInfo, Registry
from knoop_esb.bezorging import antwoord, envelop
from knoop_esb.bezorging.verzender import Verzender
from knoop_esb.store import outbox
from knoop_esb.store.base import utcnow
from knoop_esb.store.models import Outbox
from knoop_esb.stuf.fouten import StufFout

log = logs.get("knoop_esb.bezorging")
BUNDEL_SECONDEN = 0.02  # how long outcomes are gathered into one write
AFNEMER_CACHE_SECONDS = 10.0  # a store afnemer's endpoint changed with the CLI is seen within this


@dataclass(frozen=True)
class Taak:
    """One claimed outbox row, detached from its session."""

    id: int
    referentienummer: str
    afnemer_oin: str
    endpoint: str
    berichtcode: str
    entiteittype: str
    object_sleutel: str
    attempts: int
    created_at: datetime
    lease: datetime
    payload: str

    @property
    def sleutel(self) -> tuple[str, str]:
        return self.afnemer_oin, self.endpoint

    @classmethod
    def van(cls, rij: Outbox) -> "Taak":
        return cls(rij.id, rij.referentienummer, rij.afnemer_oin, rij.endpoint, rij.berichtcode, rij.entiteittype,
                   rij.object_sleutel, rij.attempts, rij.created_at, rij.next_attempt_at, rij.payload)


@dataclass(frozen=True)
class Resultaat:
    taak: Taak
    uitkomst: antwoord.Uitkomst
    message_id: str | None = None
    attribuut_paden: tuple[str, ...] = ()
    doel: str = ""
    verzonden: bool = True  # False: decided without sending (dispatch refused it)
    schrijven: bool = True  # False: leave the row as it is (its lease runs out, it is claimed again)


def wachttijd(cfg, attempts: int, rng: random.Random = random) -> timedelta:  # type: ignore[assignment]
    """Exponential back-off with jitter: wachttijd · 2^(attempts-1), at most max_wachttijd, ± jitter."""
    basis = min(cfg.max_wachttijd, cfg.wachttijd * (2 ** max(attempts - 1, 0)))
    return timedelta(seconds=basis * (1 + rng.uniform(-cfg.jitter, cfg.jitter)))


def attribuut_paden(element: etree._Element) -> tuple[str, ...]:
    """The element names under the bericht's ``object`` elements: what the protocol log records as
    delivered (the payload is already cut to the afnemer's doelbinding)."""
    paden: dict[str, None] = {}
    for obj in element:
        if isinstance(obj.tag, str) and etree.QName(obj).localname == "object":
            for child in obj:
                if isinstance(child.tag, str):
                    paden[etree.QName(child).localname] = None
    return tuple(paden)


class Bezorger:
    """``Bezorger(config, database).run(stop)`` until ``stop`` is set; ``ronde()`` is one round."""

    def __init__(self, config, database=None):
        from knoop_esb.digikoppeling.tls import tls_files
        from knoop_esb.routing.table import duur
        from knoop_esb.store.db import database as node_database

        self.cfg = config.bezorging
        self.db = database or node_database(config)
        self.registry = Registry(config, self.db)
        self.tls = tls_files(config)
        self.max_leeftijd = duur(self.cfg.max_leeftijd, "bezorging.max_leeftijd")
        self.lease = timedelta(seconds=self.cfg.lease)
        self.pool = ThreadPoolExecutor(self.cfg.gelijktijdig, thread_name_prefix="bezorging")
        self.resultaten: queue.SimpleQueue[Resultaat] = queue.SimpleQueue()
        self.bezig: Counter[tuple[str, str]] = Counter()
        self.wachtend: dict[tuple[str, str], deque[Taak]] = {}
        self._afnemers: dict[str, tuple[AfnemerInfo | None, float]] = {}
        self._verzenders: dict[tuple[str, str], Verzender] = {}

    # The round -------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        log.info("bezorging_gestart", gelijktijdig=self.cfg.gelijktijdig)
        try:
            while not stop.is_set():
                try:
                    self.ronde(wacht=True)
                except Exception:  # the store unreachable, …: logged, the next round tries again
                    log.exception("bezorging_ronde_mislukt")
                    stop.wait(5)
        finally:
            self.sluit()
            log.info("bezorging_gestopt")

    def ronde(self, *, wacht: bool = False) -> int:
        """Write the outcomes that came in, claim what fits, dispatch it. Returns rows handled.
        ``wacht``: with deliveries in flight, wait (at most ``poll`` s) for outcomes; idle, sleep ``poll``."""
        klaar = self._verzamel()
        if wacht and not klaar and self.in_behandeling():
            klaar = self._wacht_op_uitkomsten()
        # One transaction a round: the outcomes, then the next claim (which may hand out the next
        # row of an object whose row was just marked delivered). Dispatch only after the commit.
        try:
            with self.db.session() as session:
                if klaar:
                    self._schrijf(session, klaar)
                taken = self._claim(session)
        finally:
            # Written or not (a failed commit leaves the rows to their leases): the slots are free.
            for r in klaar:
                if r.verzonden and r.taak.sleutel in self.bezig:
                    self._klaar(r.taak.sleutel)
        for taak in taken:
            self._dispatch(taak)
        if wacht and not taken and not klaar and not self.in_behandeling():
            time.sleep(self.cfg.poll)  # nothing due, nothing in flight
        return len(taken) + len(klaar)

    def _wacht_op_uitkomsten(self) -> list[Resultaat]:
        """The first outcome (at most ``poll`` s), then whatever follows within BUNDEL_SECONDEN, up
        to a quarter of the slots: one transaction for several rows instead of one each."""
        try:
            uit = [self.resultaten.get(timeout=self.cfg.poll)]
        except queue.Empty:
            return []
        doel = min(max(1, self.cfg.gelijktijdig // 4), sum(self.bezig.values()))
        eind = time.monotonic() + BUNDEL_SECONDEN
        while len(uit) < doel:
            rest = eind - time.monotonic()
            if rest <= 0:
                break
            try:
                uit.append(self.resultaten.get(timeout=rest))
            except queue.Empty:
                break
        return uit + self._verzamel()

    def in_behandeling(self) -> int:
        return sum(self.bezig.values()) + sum(len(d) for d in self.wachtend.values())

    def sluit(self) -> None:
        """Let the deliveries in flight finish (each is bounded by its endpoint timeout), record them."""
        self.pool.shutdown(wait=True)
        rest = self._verzamel()
        if rest:
            try:
                with self.db.session() as session:
                    self._schrijf(session, rest)
            except Exception:  # the rows keep their leases and are claimed again later
                log.exception("bezorging_laatste_uitkomsten_niet_geschreven", aantal=len(rest))
        for verzender in self._verzenders.values():
            verzender.close()

    def _verzamel(self) -> list[Resultaat]:
        uit = []
        while True:
            try:
                uit.append(self.resultaten.get_nowait())
            except queue.Empty:
                return uit

    def _claim(self, session) -> list[Taak]:
        # A claim costs about the same for 1 row as for 50: claim when no more than `gelijktijdig`
        # rows are in hand, enough to hold twice that; what cannot start yet waits locally.
        bezig = self.in_behandeling()
        if bezig > self.cfg.gelijktijdig:
            return []
        vol = [k for k, n in self.bezig.items() if n + len(self.wachtend.get(k, ())) >= self._parallel(k)]
        rijen = outbox.claim(session, limit=2 * self.cfg.gelijktijdig - bezig, lease=self.lease, uitgezonderd=vol)
        return [Taak.van(r) for r in rijen]

    # Dispatch --------------------------------------------------------------------------------

    def _dispatch(self, taak: Taak) -> None:
        if utcnow() - taak.created_at > self.max_leeftijd:
            self.resultaten.put(Resultaat(taak, antwoord.Uitkomst(
                antwoord.DOOD, f"not delivered within bezorging.max_leeftijd {self.cfg.max_leeftijd}"), verzonden=False))
            return
        verzender, reden = self._verzender(taak.sleutel)
        if verzender is None:
            self.resultaten.put(Resultaat(taak, antwoord.opnieuw(reden), verzonden=False))
            return
        if self.bezig[taak.sleutel] < verzender.endpoint.parallel:
            self._start(taak, verzender)
        else:
            self.wachtend.setdefault(taak.sleutel, deque()).append(taak)

    def _start(self, taak: Taak, verzender: Verzender) -> None:
        if utcnow() + timedelta(seconds=2 * verzender.endpoint.timeout) > taak.lease:
            # Waited here so long that its lease could run out mid-send: another worker may then
            # take the row over and deliver later rows of the object first. Not sent; the row is
            # claimed again when its lease has run out.
            log.warning("bezorging_lease_te_kort", referentienummer=taak.referentienummer, endpoint=taak.endpoint)
            self.resultaten.put(Resultaat(taak, antwoord.opnieuw("lease ran short before sending"), verzonden=False,
                                          schrijven=False))
            return
        self.bezig[taak.sleutel] += 1
        afnemer, _ = self._afnemer(taak.afnemer_oin)
        self.pool.submit(self._bezorg, taak, verzender, afnemer.doel if afnemer else "")

    def _bezorg(self, taak: Taak, verzender: Verzender, doel: str) -> None:
        """In a pool thread: HTTP only, no database."""
        try:
            try:
                bericht = envelop.lees(taak.payload)
            except StufFout as exc:
                self.resultaten.put(Resultaat(taak, antwoord.Uitkomst(antwoord.DOOD, f"payload: {exc.omschrijving}")))
                return
            begin = time.monotonic()
            uitkomst = verzender.verstuur(bericht, eerder_verzonden=taak.attempts > 1)
            (log.debug if uitkomst.soort == antwoord.BEZORGD else log.info)(
                "bezorging_poging", referentienummer=taak.referentienummer, afnemer=taak.afnemer_oin,
                     endpoint=taak.endpoint, poging=taak.attempts, uitkomst=uitkomst.soort, reden=uitkomst.reden,
                     ms=round((time.monotonic() - begin) * 1000, 1))
            self.resultaten.put(Resultaat(taak, uitkomst, bericht.message_id, attribuut_paden(bericht.element), doel))
        except Exception as exc:  # a bug must not lose the row: it is retried and the log says why
            log.exception("bezorging_interne_fout", referentienummer=taak.referentienummer)
            self.resultaten.put(Resultaat(taak, antwoord.opnieuw(f"internal error: {type(exc).__name__}: {exc}"[:500])))

    def _afnemer(self, oin: str) -> tuple[AfnemerInfo | None, float]:
        nu = time.monotonic()
        gevonden = self._afnemers.get(oin)
        if gevonden is None or nu - gevonden[1] > AFNEMER_CACHE_SECONDS:
            gevonden = (self.registry.get(oin), nu)
            self._afnemers[oin] = gevonden
        return gevonden

    def _verzender(self, sleutel: tuple[str, str]) -> tuple[Verzender | None, str]:
        oin, naam = sleutel
        afnemer, _ = self._afnemer(oin)
        if afnemer is None:
            return None, f"afnemer {oin} is not known to the node"
        if not afnemer.actief:
            return None, f"afnemer {oin} is inactive"
        endpoint = next((e for e in afnemer.endpoints if e.naam == naam), None)
        if endpoint is None:
            return None, f"afnemer {oin} has no delivery endpoint {naam!r}"
        verzender = self._verzenders.get(sleutel)
        if verzender is None or verzender.endpoint != endpoint:
            if verzender is not None:
                verzender.close()
            verzender = self._verzenders[sleutel] = Verzender(oin, endpoint, self.tls)
        return verzender, ""

    def _parallel(self, sleutel: tuple[str, str]) -> int:
        verzender = self._verzenders.get(sleutel)
        return verzender.endpoint.parallel if verzender else 1

    # Outcomes --------------------------------------------------------------------------------

    def _schrijf(self, session, resultaten: list[Resultaat]) -> None:
        nu = utcnow()
        self._leg_bezorgd_vast(session, [r for r in resultaten if r.uitkomst.soort == antwoord.BEZORGD], nu)
        for r in resultaten:
            if r.uitkomst.soort != antwoord.BEZORGD and r.schrijven:
                self._leg_mislukt_vast(session, r, nu)

    def _klaar(self, sleutel: tuple[str, str]) -> None:
        self.bezig[sleutel] -= 1
        if self.bezig[sleutel] <= 0:
            del self.bezig[sleutel]
        wachtend = self.wachtend.get(sleutel)
        if wachtend:
            taak = wachtend.popleft()
            if not wachtend:
                del self.wachtend[sleutel]
            verzender, reden = self._verzender(sleutel)
            if verzender is None:
                self.resultaten.put(Resultaat(taak, antwoord.opnieuw(reden), verzonden=False))
            else:
                self._start(taak, verzender)

    def _leg_bezorgd_vast(self, session, resultaten: list[Resultaat], nu: datetime) -> None:
        """Delivered rows: one guarded UPDATE … RETURNING per claim lease (the rows of one claim
        share it) and one INSERT of all their protocol lines."""
        per_lease: dict[datetime, dict[int, Resultaat]] = {}
        for r in resultaten:
            per_lease.setdefault(r.taak.lease, {})[r.taak.id] = r
        leveringen = []
        for lease, rijen in per_lease.items():
            geschreven = set(session.scalars(
                update(Outbox)
                .where(Outbox.id.in_(list(rijen)), Outbox.status == "delivering", Outbox.next_attempt_at == lease)
                .values(status="delivered", delivered_at=nu, last_error=None, updated_at=nu)
                .returning(Outbox.id)
                .execution_options(synchronize_session=False)
            ))
            for row_id, r in rijen.items():
                if row_id not in geschreven:
                    _lease_verloren(r)
                    continue
                t = r.taak
                leveringen.append(dict(
                    tijdstip=nu, afnemer_oin=t.afnemer_oin, doel=r.doel, berichtcode=t.berichtcode,
                    entiteittype=t.entiteittype, object_sleutels=[t.object_sleutel], attribuut_paden=r.attribuut_paden,
                    referentienummer=t.referentienummer, request_message_id=r.message_id,
                    response_message_id=r.uitkomst.response_message_id))
        protocol.vastleggen_alle(session, leveringen)

    def _leg_mislukt_vast(self, session, r: Resultaat, nu: datetime) -> None:
        taak, uitkomst = r.taak, r.uitkomst
        if uitkomst.soort == antwoord.DOOD:
            waarden = dict(status="dead", last_error=uitkomst.reden[:2000], updated_at=nu)
        elif taak.attempts >= self.cfg.max_pogingen or nu - taak.created_at > self.max_leeftijd:
            waarden = dict(status="dead", updated_at=nu,
                           last_error=f"given up after {taak.attempts} attempt(s): {uitkomst.reden}"[:2000])
        else:
            waarden = dict(status="pending", next_attempt_at=nu + wachttijd(self.cfg, taak.attempts),
                           last_error=uitkomst.reden[:2000], updated_at=nu)
        geschreven = session.execute(
            update(Outbox)
            .where(Outbox.id == taak.id, Outbox.status == "delivering", Outbox.next_attempt_at == taak.lease)
            .values(**waarden)
            .execution_options(synchronize_session=False)
        ).rowcount
        if geschreven != 1:
            _lease_verloren(r)
        elif waarden["status"] == "dead":
            log.warning("bezorging_dood", referentienummer=taak.referentienummer, afnemer=taak.afnemer_oin,
                        endpoint=taak.endpoint, pogingen=taak.attempts, reden=waarden["last_error"])


def _lease_verloren(r: Resultaat) -> None:
    log.warning("bezorging_lease_verloren", referentienummer=r.taak.referentienummer, uitkomst=r.uitkomst.soort,
                reden="another worker took the row over after its lease ran out")
