"""The periodic refresh (seed 002 §2, §4, §6): ``update_kvk`` fetches the companies the priority
planner chose from KVK, ``update_handelsdata`` refreshes vestigingen from Handelsdata; both store
what they got through ``store.bulk.save_many`` with the search fields of ``vraag.opslag`` (the
same history, the same change records and so the same kennisgevingen as any other save).

Each company (each Handelsdata request) is saved in its own transaction, so a run that stops
half-way keeps what it fetched, and the next run's plan simply starts after it (its fetched_at
has moved). Both return their summary figures as a dict for the CLI, the scheduler and scripts.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from sqlalchemy import func, select

from knoop_esb import logs
from knoop_esb.routing.sources import kvk_errors
from knoop_esb.routing.sources.base import BronFout
from knoop_esb.store.base import utcnow
from knoop_esb.store.bulk import save_many
from knoop_esb.store.models import BedrijfNieuw, Outbox
from knoop_esb.store.queue import OPEN
from knoop_esb.sync import prioriteit
from knoop_esb.transform import kvk as transform
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import to_dict
from knoop_esb.vraag.opslag import te_bewaren

log = logs.get("knoop_esb.sync")
Voortgang = Callable[[int, int], None]  # (done, total)


class VerversingFout(Exception):
    """The refresh cannot run at all (no KVK or Handelsdata configured): one line for the operator."""


class Uitkomst(dict):
    """A run's summary figures: a plain dict for the CLI and scripts, with the two methods the
    scheduler records a job's outcome by (``als_dict``, ``regel``)."""

    def __init__(self, opdracht: str, figuren: dict):
        super().__init__(figuren)
        self.opdracht = opdracht

    def als_dict(self) -> dict:
        return dict(self)

    def regel(self) -> str:
        return f"sync {self.opdracht}: " + ", ".join(f"{k} {v}" for k, v in self.items() if v not in (None, False))


class TellendeRecorder:
    """Counts this run's KVK calls (paid / free) and hands each on to the node's call log."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.betaald = 0
        self.gratis = 0

    def record(self, call) -> None:
        if call.paid:
            self.betaald += 1
        else:
            self.gratis += 1
        self.recorder.record(call)

    def paid_count_since(self, since, key_id=None) -> int:
        return self.recorder.paid_count_since(since, key_id)


def _opslaan(database, objecten, bron: str) -> Counter:
    items = [(zoek, to_dict(model)) for obj in objecten for zoek, model in te_bewaren(obj)]
    with database.session() as session:
        r = save_many(session, items, bron=bron, fetched_at=utcnow())
    return Counter(nieuw=r.nieuw, gewijzigd=r.gewijzigd, ongewijzigd=r.ongewijzigd)


def outbox_stand(database) -> int:
    """The newest outbox id: the kennisgevingen a run queued are the rows after it (the store's
    change seam writes them in the transactions of the run's saves)."""
    with database.session() as session:
        return session.scalar(select(func.max(Outbox.id))) or 0


def kennisgevingen_sinds(database, stand: int) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Outbox.id)).where(Outbox.id > stand)) or 0


def _database(config, database):
    if database is not None:
        return database
    from knoop_esb.store.db import database as process_database

    return process_database(config)


def update_kvk(config, *, force: bool = False, voortgang: Voortgang | None = None, database=None,
               kvk_client=None, nu=None) -> dict:
    """Refresh this run's Priority 1 and 2 companies from KVK (Basisprofiel + vestigingen, as a
    vraag's KVK answer). ``force``: paid calls are forced (``force_paid``: past ``allow_paid`` and
    the monthly limit), as the seed's hourly ``update_kvk.php force``."""
    database = _database(config, database)
    nu = nu or utcnow()
    with database.session() as session:
        plan = prioriteit.plan(session, config.prioriteit, nu)
    stand = outbox_stand(database)
    eigen_client = kvk_client is None and bool(plan.kvk_nummers)  # nothing due: no client, no call
    if eigen_client:
        from knoop_esb.routing.sources.kvk_api import KvkApiClient

        try:
            kvk_client = KvkApiClient.for_node(config)
        except kvk_errors.KvkError as exc:
            raise VerversingFout(f"KVK is not configured: {exc}") from None
    if kvk_client is None:
        return _kvk_uitkomst(plan, Counter(), TellendeRecorder(None), None, database, stand)
    teller = TellendeRecorder(kvk_client.transport.recorder)
    kvk_client.transport.recorder = teller
    paid = {"force_paid": True} if force else {}
    tellers: Counter = Counter()
    gestopt = None
    try:
        for i, kvk_nummer in enumerate(plan.kvk_nummers, start=1):
            gestopt = _ververs(database, kvk_client, kvk_nummer, paid, tellers)
            if voortgang:
                voortgang(i, len(plan.kvk_nummers))
            if gestopt:
                break
    finally:
        kvk_client.transport.recorder = teller.recorder
        if eigen_client:
            kvk_client.close()
    return _kvk_uitkomst(plan, tellers, teller, gestopt, database, stand)


def _kvk_uitkomst(plan, tellers: Counter, teller: TellendeRecorder, gestopt, database, stand: int) -> Uitkomst:
    samenvatting = {"p1": len(plan.p1), "p2": len(plan.p2), "opgehaald": tellers["opgehaald"],
                    "nieuw": tellers["nieuw"], "gewijzigd": tellers["gewijzigd"],
                    "ongewijzigd": tellers["ongewijzigd"], "niet_gevonden": tellers["niet_gevonden"],
                    "fouten": tellers["fouten"], "kennisgevingen": kennisgevingen_sinds(database, stand),
                    "kvk_betaald": teller.betaald, "kvk_gratis": teller.gratis, "gestopt": gestopt}
    log.info("update_kvk", **samenvatting)
    return Uitkomst("update-kvk", samenvatting)


def _ververs(database, kvk_client, kvk_nummer: str, paid: dict, tellers: Counter) -> str | None:
    """Fetch and save one company; the reason to stop the run, or None."""
    try:
        mac = transform.basisprofiel(kvk_client.basisprofiel(kvk_nummer, **paid),
                                     kvk_client.vestigingen(kvk_nummer, **paid))
    except kvk_errors.KvkNietGevonden:
        tellers["niet_gevonden"] += 1
        log.warning("verversing_niet_gevonden", kvk_nummer=kvk_nummer)
        return None
    except (kvk_errors.KvkBetaaldGeweigerd, kvk_errors.KvkTijdelijkNietBeschikbaar,
            kvk_errors.KvkAuthFout, kvk_errors.KvkVerbindingsfout) as exc:
        # Every next call would fail the same way: stop, the next run continues here.
        reden = f"{exc.code or type(exc).__name__}: {exc.omschrijving}"
        log.warning("verversing_gestopt", kvk_nummer=kvk_nummer, reden=reden)
        return reden
    except (kvk_errors.KvkError, MappingFout) as exc:
        tellers["fouten"] += 1
        log.error("verversing_fout", kvk_nummer=kvk_nummer, fout=str(exc))
        return None
    tellers["opgehaald"] += 1
    tellers.update(_opslaan(database, [mac], "kvk"))
    return None


def handelsdata_wachtend(session) -> int:
    """Open ``bedrijf_nieuw`` entries for Handelsdata: they go first (seed §4, credits are scarce)."""
    return session.scalar(select(func.count(BedrijfNieuw.id))
                          .where(BedrijfNieuw.bron == "handelsdata", BedrijfNieuw.status.in_(OPEN))) or 0


def update_handelsdata(config, *, force: bool = False, batch_size: int | None = None, from_db: bool = False,
                       voortgang: Voortgang | None = None, indien_geconfigureerd: bool = False, database=None,
                       client=None, nu=None) -> dict:
    """Refresh vestigingen from Handelsdata's exportSelectie (1 credit per number asked).

    ``from_db``: the store's vestigingen not refreshed for ``handelsdata_cyclus_dagen``, oldest
    first (the yearly cycle); otherwise the vestigingen of this run's Priority 1 and 2 companies.
    Blocked while ``bedrijf_nieuw`` holds open Handelsdata entries, unless ``force``. Without a
    ``[handelsdata]`` subscription: VerversingFout, or with ``indien_geconfigureerd`` (the schedule
    of a node that has none) a run that does nothing and says so."""
    leeg = {"geblokkeerd": False, "wachtend": 0, "gevraagd": 0, "opgehaald": 0, "nieuw": 0, "gewijzigd": 0,
            "ongewijzigd": 0, "fouten": 0, "kennisgevingen": 0, "credits": 0, "gestopt": None}
    if client is None and indien_geconfigureerd and not config.handelsdata.geconfigureerd:
        return Uitkomst("update-handelsdata", {**leeg, "gestopt": "no [handelsdata] subscription configured"})
    database = _database(config, database)
    cfg = config.prioriteit
    nu = nu or utcnow()
    batch_size = batch_size or cfg.handelsdata_batch
    with database.session() as session:
        wachtend = handelsdata_wachtend(session)
        if wachtend and not force:
            log.info("update_handelsdata_geblokkeerd", wachtend=wachtend)
            return Uitkomst("update-handelsdata", {**leeg, "geblokkeerd": True, "wachtend": wachtend})
        if from_db:
            soort, nummers = "vestigingsnummers", prioriteit.vestigingen(session, cfg, nu, batch_size)
        else:
            soort, nummers = "kvk_nummers", prioriteit.plan(session, cfg, nu).kvk_nummers[:batch_size]
    stand = outbox_stand(database)
    eigen_client = client is None
    if eigen_client:
        client = _handelsdata_client(config, database)
    tellers: Counter = Counter()
    gestopt = None
    stap = cfg.handelsdata_per_verzoek
    try:
        for start in range(0, len(nummers), stap):
            deel = nummers[start:start + stap]
            try:
                resultaten = client.export_selectie(**{soort: deel})
            except BronFout as exc:  # no token can pay or answer now: the next run retries
                gestopt = f"{exc.code}: {exc.omschrijving}"
                log.warning("update_handelsdata_gestopt", reden=gestopt)
                break
            tellers["gevraagd"] += len(deel)
            tellers["credits"] += len(deel)
            tellers.update(_handelsdata_opslaan(database, resultaten, tellers))
            if voortgang:
                voortgang(min(start + stap, len(nummers)), len(nummers))
    finally:
        if eigen_client:
            client.close()
    samenvatting = {"geblokkeerd": False, "wachtend": wachtend, "gevraagd": tellers["gevraagd"],
                    "opgehaald": tellers["opgehaald"], "nieuw": tellers["nieuw"], "gewijzigd": tellers["gewijzigd"],
                    "ongewijzigd": tellers["ongewijzigd"], "fouten": tellers["fouten"],
                    "kennisgevingen": kennisgevingen_sinds(database, stand), "credits": tellers["credits"],
                    "gestopt": gestopt}
    log.info("update_handelsdata", bron="db" if from_db else "prioriteit", **samenvatting)
    return Uitkomst("update-handelsdata", samenvatting)


def _handelsdata_opslaan(database, resultaten: list, tellers: Counter) -> Counter:
    from knoop_esb.routing.sources.handelsdata_source import vestiging

    objecten = []
    for i, data in enumerate(resultaten):
        try:
            objecten.append(vestiging(data))
        except (MappingFout, AttributeError, TypeError) as exc:
            tellers["fouten"] += 1
            log.error("update_handelsdata_onbruikbaar", index=i, fout=str(exc))
    tellers["opgehaald"] += len(objecten)
    return _opslaan(database, objecten, "handelsdata") if objecten else Counter()


def _handelsdata_client(config, database):
    from knoop_esb.routing.sources.credits import StoreBoek
    from knoop_esb.routing.sources.handelsdata import HandelsdataClient, HandelsdataFout

    try:
        return HandelsdataClient(config.handelsdata, StoreBoek(database))
    except HandelsdataFout as exc:
        raise VerversingFout(f"Handelsdata is not configured: {exc.omschrijving}") from None
