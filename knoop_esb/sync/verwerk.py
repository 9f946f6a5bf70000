"""``knoop-esb sync process``: claim ``bedrijf_nieuw`` entries in batches and hand each to its
processor (``processors``), with the seed's failure rules:

- IPD1002 / IPD1003 / 503 / 429 / timeouts (after the client's own retries): the entry waits with
  a back-off that doubles per attempt; after ``sync.stop_na_tijdelijke_fouten`` in a row the run
  stops (KVK is down), the entries it still held go back untried;
- a paid call the policy refuses (``allow_paid`` off, the monthly limit reached) stops the run and
  leaves the entries queued; ``--force-paid`` makes the calls anyway;
- any other failure is retried up to ``sync.max_pogingen``, then the entry is ``failed`` and its
  signals ``fout``;
- a Handelsdata entry that fails goes to the KVK processors (seed §4).

A run killed at any point loses nothing: a claimed entry is a lease; it is taken again when the
lease runs out, and its store writes were either committed with ``done`` or not at all.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from knoop_esb import logs
from knoop_esb.routing.sources import kvk_errors as errors
from knoop_esb.sync import STOPPEN
from knoop_esb.store import queue, signalen
from knoop_esb.sync.processors import Entry, HandelsdataMislukt, Opties, Processors, Resultaat
from knoop_esb.sync.samenvatting import Samenvatting
from knoop_esb.transform.fout import MappingFout
from knoop_esb.store.versie import HistorieFout

log = logs.get("knoop_esb.sync")


class Stop(Exception):
    """The run cannot go on (KVK down, paid calls refused, the API key refused)."""


def stappen(opties: Opties) -> list[tuple[bool | None, str]]:
    """(met_vestigingsnummer, processor) in the order a run takes them."""
    if opties.bron == "handelsdata":
        return [(None, "handelsdata")]
    kvk = [(False, "basisprofiel"), (True, "vestigingsprofiel")]
    return [s for s in kvk if opties.alleen in (None, s[1])]


def process(config, database, processors: Processors, opties: Opties, *,
            voortgang: Callable[[int], None] = lambda n: None) -> Samenvatting:
    s = config.sync
    telling = Samenvatting(f"process {opties.bron}").begin(database)
    gedaan = 0
    tijdelijk_op_rij = 0
    try:
        for met_ves, soort in stappen(opties):
            while opties.limit is None or gedaan < opties.limit:
                n = opties.batch_size if opties.limit is None else min(opties.batch_size, opties.limit - gedaan)
                with database.session() as session:
                    batch = [Entry.van(r) for r in queue.claim(session, bron=opties.bron, met_vestigingsnummer=met_ves,
                                                               limit=n, lease=opties.lease)]
                if not batch:
                    break
                for i, entry in enumerate(batch):
                    if STOPPEN.is_set():
                        _terug(database, batch[i:])
                        raise Stop("the node is stopping")
                    try:
                        _een(processors, soort, entry, opties, telling)
                        tijdelijk_op_rij = 0
                    except (errors.KvkBetaaldGeweigerd, errors.KvkAuthFout) as exc:
                        _terug(database, batch[i:])
                        raise Stop(exc.omschrijving) from None
                    except errors.KvkError as exc:
                        telling.fouten += 1
                        _mislukt(database, entry, str(exc), s)
                        if exc.tijdelijk:
                            tijdelijk_op_rij += 1
                            if tijdelijk_op_rij >= s.stop_na_tijdelijke_fouten:
                                _terug(database, batch[i + 1:])
                                raise Stop(f"{tijdelijk_op_rij} temporary KVK failures in a row: {exc}") from None
                    except (MappingFout, HistorieFout) as exc:
                        telling.fouten += 1
                        _mislukt(database, entry, f"{type(exc).__name__}: {exc}", s)
                    gedaan += 1
                    voortgang(1)
    except Stop as stop:
        telling.gestopt = str(stop)
        log.warning("sync.process_gestopt", bron=opties.bron, reden=str(stop))
    return telling.einde(database)


def _een(processors: Processors, soort: str, entry: Entry, opties: Opties, telling: Samenvatting) -> None:
    if soort == "handelsdata":
        try:
            r = processors.handelsdata_entry(entry, opties)
        except HandelsdataMislukt as exc:
            processors.naar_kvk(entry, str(exc))
            telling.verwerkt += 1
            return
    elif soort == "basisprofiel":
        r = processors.bedrijf(entry, opties)
    else:
        r = processors.vestiging(entry, opties)
    _tel(telling, r)


def _tel(telling: Samenvatting, r: Resultaat) -> None:
    telling.verwerkt += 1
    telling.inserts += r.telling.inserts
    telling.updates += r.telling.updates
    telling.beeindigd += r.telling.beeindigd
    telling.ongewijzigd += r.telling.ongewijzigd
    telling.in_wachtrij += r.in_wachtrij


def _mislukt(database, entry: Entry, melding: str, s) -> None:
    with database.session() as session:
        status = queue.failed(session, entry.id, melding, retry_after=timedelta(seconds=s.opnieuw_na_seconden),
                              max_attempts=s.max_pogingen)
        if status == "failed" and entry.vestigingsnummer is None:
            for signaal in signalen.open_voor(session, entry.kvk_nummer):
                signalen.mark(session, signaal.signaal_id, "fout")
    log.warning("sync.entry_mislukt", kvk_nummer=entry.kvk_nummer, vestigingsnummer=entry.vestigingsnummer,
                status=status, fout=melding)


def _terug(database, entries: list[Entry]) -> None:
    with database.session() as session:
        queue.release(session, [e.id for e in entries])
