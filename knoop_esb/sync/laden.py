"""``knoop-esb load FILE``: the initial load of a gegevensmagazijn from KVK profile JSON lines.

One line = one company: a Basisprofiel as KVK returns it (``_embedded.hoofdvestiging`` and
``eigenaar``) with its vestigingen in ``vestigingen`` (a list of Vestigingsprofielen, or KVK's
VestigingList; Handelsdata's ``bedrijf`` shape) or in ``_embedded.vestigingen``.

Why batches with a checkpoint: loading the country (≈ 2.5 M companies) takes minutes to hours and
may be killed. Each batch is saved with ``store.bulk.save_many`` and, in the same transaction,
the byte offset after its last line (``laad_voortgang``, keyed by a hash of the file's first
64 KiB), so a new run resumes right after the last committed batch: nothing stored twice, no line
skipped. A line that is no usable JSON company is counted and named, and the load goes on.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
from dataclasses import dataclass, field
from typing import Callable, Iterator

from knoop_esb import logs
from knoop_esb.store.base import utcnow
from knoop_esb.store.bulk import save_many
from knoop_esb.store.models import LaadVoortgang
from knoop_esb.sync.verversing import kennisgevingen_sinds, outbox_stand
from knoop_esb.transform import kvk as transform
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import to_dict
from knoop_esb.vraag.opslag import te_bewaren

log = logs.get("knoop_esb.sync")
KOP = 64 * 1024
FOUT_REGELS = 50  # line numbers kept in the checkpoint (the count is complete)
PARALLEL_VANAF = 4 * 2**20  # bytes left to load from which a reader process pays for its start


@dataclass
class LaadResultaat:
    pad: str
    regels: int = 0            # lines read in total (also by earlier, interrupted runs)
    bedrijven: int = 0
    nieuw: int = 0
    gewijzigd: int = 0
    ongewijzigd: int = 0
    fouten: int = 0
    fout_regels: list[int] = field(default_factory=list)
    hervat_op: int = 0          # line the run started after (0: from the start)
    al_geladen: bool = False
    kennisgevingen: int = 0     # outbox rows queued during this run

    def samenvatting(self) -> dict:
        return {"bestand": self.pad, "regels": self.regels, "bedrijven": self.bedrijven, "nieuw": self.nieuw,
                "gewijzigd": self.gewijzigd, "ongewijzigd": self.ongewijzigd, "fouten": self.fouten,
                "fout_regels": self.fout_regels, "hervat_na_regel": self.hervat_op, "al_geladen": self.al_geladen,
                "kennisgevingen": self.kennisgevingen}


class LaadFout(Exception):
    """The file cannot be loaded at all (missing, unreadable): one line for the operator."""


def vingerafdruk(pad: str) -> str:
    """The file's identity for the checkpoint: the hash of its first 64 KiB (a file that grew at the
    end is the same file; another file is another load)."""
    with open(pad, "rb") as f:
        return hashlib.sha256(f.read(KOP)).hexdigest()


def bedrijf(regel: bytes):
    """One line → the model's (zoekvelden, data) pairs to store; MappingFout/ValueError when unusable."""
    data = json.loads(regel)
    if not isinstance(data, dict):
        raise MappingFout(f"verwacht een JSON-object, kreeg {type(data).__name__}")
    embedded = data.get("_embedded") if isinstance(data.get("_embedded"), dict) else {}
    mac = transform.basisprofiel(data, data.get("vestigingen", embedded.get("vestigingen")))
    return [(zoek, to_dict(model)) for zoek, model in te_bewaren(mac)]


def laad(database, pad: str, *, batch: int = 1000, opnieuw: bool = False,
         voortgang: Callable[[int], None] | None = None,
         bij_fout: Callable[[int, str], None] | None = None) -> LaadResultaat:
    """Load ``pad`` into the store. ``voortgang(offset)`` with the byte offset reached (at the start and after each batch);
    ``bij_fout(regel, reden)`` for every unusable line; ``opnieuw`` ignores an earlier checkpoint."""
    try:
        sleutel = vingerafdruk(pad)
        grootte = os.path.getsize(pad)
    except OSError as exc:
        raise LaadFout(f"cannot read {pad}: {exc.strerror or exc}") from None
    with database.session() as session:
        punt = session.get(LaadVoortgang, sleutel)
        if punt is None or opnieuw:
            if punt is not None:
                session.delete(punt)
                session.flush()
            punt = LaadVoortgang(bestand=sleutel, pad=os.path.abspath(pad), offset=0, regel=0, bedrijven=0, nieuw=0,
                                 gewijzigd=0, ongewijzigd=0, fouten=0, fout_regels="", klaar=False,
                                 bijgewerkt=utcnow())
            session.add(punt)
        resultaat = _uit(punt)
        start, klaar = punt.offset, punt.klaar
    resultaat.hervat_op = resultaat.regels
    resultaat.al_geladen = klaar and start >= grootte
    if voortgang:
        voortgang(start)
    stand = outbox_stand(database)
    batches = _lezer_proces(pad, start, resultaat.regels, batch) if grootte - start > PARALLEL_VANAF \
        else _batches(pad, start, resultaat.regels, batch)
    try:
        for items, regels, bedrijven, fouten, einde in batches:
            for nummer, reden in fouten:
                log.warning("laden_fout", regel=nummer, reden=reden)
                if bij_fout:
                    bij_fout(nummer, reden)
            _bewaar(database, sleutel, items, regels, bedrijven, [n for n, _ in fouten], einde, resultaat)
            if voortgang:
                voortgang(einde)
    finally:
        batches.close()
    resultaat.kennisgevingen = kennisgevingen_sinds(database, stand)
    return _afsluiten(database, sleutel, resultaat)


def _batches(pad: str, start: int, regel: int, batch: int) -> Iterator[tuple]:
    with open(pad, "rb") as f:
        f.seek(start)
        while True:
            items, regels, bedrijven, fouten, einde = _lees_batch(f, regel, batch)
            if not regels:
                return
            regel += regels
            yield items, regels, bedrijven, fouten, einde


def _lezer_proces(pad: str, start: int, regel: int, batch: int) -> Iterator[tuple]:
    """The batches, parsed and transformed by a second process while this one writes the previous
    batch (on two cores about half the time of a load is parsing and transforming). A fresh
    interpreter (spawn), so it never shares the parent's database connections."""
    ctx = multiprocessing.get_context("spawn")
    wachtrij = ctx.Queue(maxsize=2)
    lezer = ctx.Process(target=_lees_naar, args=(pad, start, regel, batch, wachtrij, os.getpid()), daemon=True)
    lezer.start()
    try:
        while True:
            try:
                bericht = wachtrij.get(timeout=1.0)
            except queue.Empty:
                if not lezer.is_alive():
                    raise LaadFout(f"the reader of {pad} stopped (exit code {lezer.exitcode})") from None
                continue
            if bericht is None:
                return
            if isinstance(bericht, str):
                raise LaadFout(f"cannot read {pad}: {bericht}")
            yield bericht
    finally:
        if lezer.is_alive():
            lezer.terminate()
        lezer.join(timeout=5)
        wachtrij.close()


def _lees_naar(pad: str, start: int, regel: int, batch: int, wachtrij, ouder: int) -> None:
    """The reader process: every batch into ``wachtrij``, then None; stops when its parent is gone
    (a killed load must not leave a reader behind)."""
    def zet(bericht) -> None:
        while True:
            try:
                wachtrij.put(bericht, timeout=1.0)
                return
            except queue.Full:
                if os.getppid() != ouder:
                    # No one reads the queue any more: a normal exit would wait forever for its
                    # feeder thread (and keep the killed load's stdout open); leave at once.
                    os._exit(0)
    try:
        for b in _batches(pad, start, regel, batch):
            zet(b)
    except OSError as exc:
        zet(exc.strerror or str(exc))
        return
    zet(None)


def _uit(punt: LaadVoortgang) -> LaadResultaat:
    return LaadResultaat(pad=punt.pad, regels=punt.regel, bedrijven=punt.bedrijven, nieuw=punt.nieuw,
                         gewijzigd=punt.gewijzigd, ongewijzigd=punt.ongewijzigd, fouten=punt.fouten,
                         fout_regels=[int(x) for x in punt.fout_regels.split(",") if x])


def _lees_batch(f, regel: int, batch: int) -> tuple[list, int, int, list[tuple[int, str]], int]:
    """Up to ``batch`` companies from the file's position: (items, lines read, companies, bad lines
    as (number, reason), offset after the last line read). A last line without newline still counts."""
    items: list = []
    fouten: list[tuple[int, str]] = []
    gelezen = bedrijven = 0
    while bedrijven < batch:
        ruw = f.readline()
        if not ruw:
            break
        gelezen += 1
        nummer = regel + gelezen
        if not ruw.strip():
            continue
        try:
            items.extend(bedrijf(ruw))
            bedrijven += 1
        except (ValueError, MappingFout, TypeError, AttributeError) as exc:
            fouten.append((nummer, str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__))
    return items, gelezen, bedrijven, fouten, f.tell()


def _bewaar(database, sleutel: str, items: list, regels: int, bedrijven: int, fouten: list[int], einde: int,
            resultaat: LaadResultaat) -> None:
    """The batch and the checkpoint after it, in one transaction."""
    with database.session() as session:
        r = save_many(session, items, bron="kvk") if items else None
        punt = session.get(LaadVoortgang, sleutel)
        punt.offset = einde
        punt.regel += regels
        punt.bedrijven += bedrijven
        if r is not None:
            punt.nieuw += r.nieuw
            punt.gewijzigd += r.gewijzigd
            punt.ongewijzigd += r.ongewijzigd
        punt.fouten += len(fouten)
        bekend = [x for x in punt.fout_regels.split(",") if x]
        punt.fout_regels = ",".join(bekend + [str(n) for n in fouten][:max(0, FOUT_REGELS - len(bekend))])
        punt.bijgewerkt = utcnow()
        nieuw = _uit(punt)
    for naam in ("regels", "bedrijven", "nieuw", "gewijzigd", "ongewijzigd", "fouten", "fout_regels"):
        setattr(resultaat, naam, getattr(nieuw, naam))


def _afsluiten(database, sleutel: str, resultaat: LaadResultaat) -> LaadResultaat:
    with database.session() as session:
        punt = session.get(LaadVoortgang, sleutel)
        punt.klaar = True
        punt.bijgewerkt = utcnow()
    log.info("laden_klaar", **{k: v for k, v in resultaat.samenvatting().items() if k != "fout_regels"})
    return resultaat
