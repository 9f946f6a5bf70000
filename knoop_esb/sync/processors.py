"""The three ``bedrijf_nieuw`` processors of seed 002 §3, one entry at a time: fetch (no
transaction open while KVK answers), then store and close the entry in one transaction.

- ``bedrijf``: ``bron='kvk'``, no vestigingsnummer — Basisprofiel and its vestigingen list, and
  what the company's waiting signals say (Beëindiging: ended, VoortzettingEnOverdracht: the
  successor and the vestigingen that move to it); then, the seed's smart detection, a
  vestigingsprofiel entry for every vestiging the store does not hold yet.
- ``vestiging``: ``bron='kvk'`` with a vestigingsnummer — the Vestigingsprofiel.
- ``handelsdata``: ``bron='handelsdata'`` — Handelsdata's copy; when that fails the entry goes
  to the KVK processors (seed §4 fallback).

Every store change goes through ``sync.opslaan`` (the store's save / end / save_many).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from knoop_esb import logs
from knoop_esb.routing.sources import handelsdata_source
from knoop_esb.routing.sources.kvk_errors import KvkNietGevonden
from knoop_esb.store import queue, signalen
from knoop_esb.store.base import utcnow
from knoop_esb.sync import signaalsoorten as ss
from knoop_esb.sync.opslaan import Telling, beeindig, bekend, bewaar, datum, lopende_vestigingen
from knoop_esb.transform import kvk as transform

log = logs.get("knoop_esb.sync")


@dataclass(frozen=True)
class Opties:
    bron: str = "kvk"
    limit: int | None = None
    batch_size: int = 50
    allow_update: bool = False          # refresh objects the store already holds
    process_missing_kvk: bool = False   # a vestiging whose company the store lacks: queue the company
    alleen: str | None = None           # "basisprofiel" | "vestigingsprofiel": one KVK processor only
    allow_paid: bool | None = None      # None = kvk.allow_paid
    force_paid: bool = False
    lease: timedelta = timedelta(minutes=10)

    @property
    def paid(self) -> dict:
        return {"allow_paid": self.allow_paid, "force_paid": self.force_paid}


@dataclass(frozen=True)
class Entry:
    """What a processor needs of a claimed ``bedrijf_nieuw`` row (read before the session closes)."""

    id: int
    bron: str
    kvk_nummer: str
    vestigingsnummer: str | None
    reden: str
    signaal_id: str | None

    @classmethod
    def van(cls, row) -> "Entry":
        return cls(row.id, row.bron, row.kvk_nummer, row.vestigingsnummer, row.reden, row.signaal_id)


class HandelsdataMislukt(Exception):
    """Handelsdata could not give this entry; it goes to the KVK processors."""


@dataclass
class Resultaat:
    telling: Telling = field(default_factory=Telling)
    in_wachtrij: int = 0
    overgeslagen: bool = False


class Processors:
    def __init__(self, database, kvk_client, *, handelsdata_client=None, abonnement_id=None):
        self.database = database
        self.kvk = kvk_client
        self.handelsdata = handelsdata_client
        self._abonnement_id = abonnement_id

    # -- bron kvk, no vestigingsnummer -----------------------------------------------------------
    def bedrijf(self, entry: Entry, opties: Opties) -> Resultaat:
        kvk = entry.kvk_nummer
        with self.database.session() as session:
            wachtend = [(s.signaal_id, ss.soort(s.signaal_type), s.detail or s.raw.get("signaal")) for s in
                        signalen.open_voor(session, kvk)]
            al_bekend = bekend(session, "MAC", kvk)
        soorten = {soort for _, soort, _ in wachtend} | {ss.soort(entry.reden)}
        if al_bekend and not (soorten & ss.WIJZIGINGEN) and not opties.allow_update:
            return self._afsluiten(entry, wachtend, Resultaat(overgeslagen=True))
        details = {sid: detail if detail is not None else self._detail(sid)
                   for sid, soort, detail in wachtend if soort in ss.MET_DETAILS}
        mac = self._mac(kvk, opties, verplicht=not soorten & {ss.BEEINDIGING, ss.VOORTZETTING_EN_OVERDRACHT})
        overdrachten = [d["voortzettingEnOverdracht"] for sid, soort, _ in wachtend
                        if soort == ss.VOORTZETTING_EN_OVERDRACHT and isinstance(
                            (d := details.get(sid) or {}).get("voortzettingEnOverdracht"), dict)]
        einde = _einde(mac, soorten, [details[s] for s in details])
        opvolgers, verhuisd = [], []
        for vo in overdrachten:
            nieuw_kvk = vo.get("kvkNummer")
            if isinstance(nieuw_kvk, str) and nieuw_kvk != kvk:
                opvolger = self._mac(nieuw_kvk, opties, verplicht=False)
                opvolgers += [opvolger] if opvolger is not None else []
            nummers = ((vo.get("betrokkenVestigingen") or {}).get("vestigingsnummers") or [])
            verhuisd += [self._vestigingsprofiel(n, opties) for n in nummers if isinstance(n, str)]
        verhuisd = [v for v in verhuisd if v is not None]
        resultaat = Resultaat()
        with self.database.session() as session:
            nu = utcnow()
            resultaat.telling += bewaar(session, [m for m in [mac, *opvolgers] if m is not None] + verhuisd,
                                        bron="kvk", fetched_at=nu)
            if einde is not None:
                resultaat.telling += beeindig(session, "MAC", kvk, einde)
                blijven = {v.vestigingsnummer for v in verhuisd}
                for nummer in lopende_vestigingen(session, kvk):
                    if nummer not in blijven:
                        resultaat.telling += beeindig(session, "VES", nummer, einde)
            for m in [mac, *opvolgers] if einde is None else opvolgers:
                if m is not None:
                    resultaat.in_wachtrij += _vestigingen_in_wachtrij(session, m, bron="kvk")
            self._sluit(session, entry, wachtend)
        return resultaat

    def _mac(self, kvk_nummer: str, opties: Opties, *, verplicht: bool):
        try:
            basis = self.kvk.basisprofiel(kvk_nummer, **opties.paid)
            lijst = self.kvk.vestigingen(kvk_nummer, **opties.paid)
        except KvkNietGevonden:
            if verplicht:
                raise
            return None
        return transform.basisprofiel(basis, lijst)

    def _vestigingsprofiel(self, nummer: str, opties: Opties):
        try:
            return transform.vestigingsprofiel(self.kvk.vestigingsprofiel(nummer, **opties.paid))
        except KvkNietGevonden:
            return None

    def _detail(self, signaal_id: str) -> dict:
        try:
            detail = self.kvk.signaal(self.abonnement_id, signaal_id).get("signaal") or {}
        except KvkNietGevonden:
            detail = {}
        with self.database.session() as session:
            signalen.set_detail(session, signaal_id, detail)
        return detail

    @property
    def abonnement_id(self) -> str:
        if self._abonnement_id is None:
            from knoop_esb.sync.poll import abonnement

            self._abonnement_id = abonnement(self.kvk, "")
        return self._abonnement_id

    # -- bron kvk with a vestigingsnummer --------------------------------------------------------
    def vestiging(self, entry: Entry, opties: Opties) -> Resultaat:
        with self.database.session() as session:
            al_bekend = bekend(session, "VES", entry.vestigingsnummer)
        if al_bekend and not opties.allow_update and ss.soort(entry.reden) not in ss.WIJZIGINGEN:
            return self._afsluiten(entry, [], Resultaat(overgeslagen=True))
        ves = transform.vestigingsprofiel(self.kvk.vestigingsprofiel(entry.vestigingsnummer, **opties.paid))
        resultaat = Resultaat()
        with self.database.session() as session:
            resultaat.telling += bewaar(session, [ves], bron="kvk", fetched_at=utcnow())
            eigenaar = ves.kvk_nummer or entry.kvk_nummer
            if opties.process_missing_kvk and not bekend(session, "MAC", eigenaar):
                resultaat.in_wachtrij += queue.enqueue(session, eigenaar, bron="kvk", reden="ontbrekende MAC")
            self._sluit(session, entry, [])
        return resultaat

    # -- bron handelsdata --------------------------------------------------------------------------
    def handelsdata_entry(self, entry: Entry, opties: Opties) -> Resultaat:
        from knoop_esb.routing.sources.base import BronFout
        from knoop_esb.transform.fout import MappingFout

        if self.handelsdata is None:
            raise HandelsdataMislukt("[handelsdata] is not configured")
        with self.database.session() as session:
            wachtend = [(s.signaal_id, ss.soort(s.signaal_type), None) for s in signalen.open_voor(session, entry.kvk_nummer)]
            al_bekend = bekend(session, "VES" if entry.vestigingsnummer else "MAC",
                               entry.vestigingsnummer or entry.kvk_nummer)
        if al_bekend and not opties.allow_update:
            return self._afsluiten(entry, [] if entry.vestigingsnummer else wachtend, Resultaat(overgeslagen=True))
        try:
            if entry.vestigingsnummer:
                data = self.handelsdata.vestiging(entry.vestigingsnummer)
                obj = handelsdata_source.vestiging(data) if data is not None else None
            else:
                data = self.handelsdata.bedrijf(entry.kvk_nummer)
                obj = transform.basisprofiel(data, data.get("vestigingen")) if data is not None else None
        except (BronFout, MappingFout) as exc:
            raise HandelsdataMislukt(str(exc)) from None
        if obj is None:
            raise HandelsdataMislukt("unknown at Handelsdata")
        resultaat = Resultaat()
        with self.database.session() as session:
            resultaat.telling += bewaar(session, [obj], bron="handelsdata", fetched_at=utcnow())
            if not entry.vestigingsnummer:
                resultaat.in_wachtrij += _vestigingen_in_wachtrij(session, obj, bron="handelsdata")
            self._sluit(session, entry, [] if entry.vestigingsnummer else wachtend)
        return resultaat

    def naar_kvk(self, entry: Entry, reden: str) -> None:
        """Seed §4: a failed Handelsdata entry is handled by the KVK endpoints instead."""
        with self.database.session() as session:
            queue.done(session, entry.id)
            queue.enqueue(session, entry.kvk_nummer, bron="kvk", vestigingsnummer=entry.vestigingsnummer,
                          reden=entry.reden, signaal_id=entry.signaal_id)
        log.info("sync.handelsdata_naar_kvk", kvk_nummer=entry.kvk_nummer, vestigingsnummer=entry.vestigingsnummer,
                 reden=reden)

    # -- closing an entry --------------------------------------------------------------------------
    def _afsluiten(self, entry: Entry, wachtend, resultaat: Resultaat) -> Resultaat:
        with self.database.session() as session:
            self._sluit(session, entry, wachtend)
        return resultaat

    @staticmethod
    def _sluit(session, entry: Entry, wachtend) -> None:
        for signaal_id, _, _ in wachtend:
            signalen.mark(session, signaal_id, "verwerkt")
        queue.done(session, entry.id)


def _einde(mac, soorten: set, details: list[dict]):
    """The datum einde of a company: KVK's own (materieleRegistratie), else the startdatum of a
    Beëindiging or VoortzettingEnOverdracht signal (the profile may lag behind the signal)."""
    if mac is not None and datum(mac.datum_einde):
        return datum(mac.datum_einde)
    if not soorten & {ss.BEEINDIGING, ss.VOORTZETTING_EN_OVERDRACHT}:
        return None
    for detail in details:
        if ss.soort(detail.get("signaalType")) in (ss.BEEINDIGING, ss.VOORTZETTING_EN_OVERDRACHT):
            einde = datum(detail.get("startdatum")) or datum((detail.get("registratieTijdstip") or "")[:10])
            if einde:
                return einde
    return utcnow().date()


def _vestigingen_in_wachtrij(session, mac, *, bron: str) -> int:
    """Smart detection: the short vestiging entries of a profile the store does not hold get a
    vestigingsprofiel entry of their own."""
    added = 0
    for ves in mac.alle_vestigingen():
        if ves.alleen_basis and not datum(ves.datum_einde) and not bekend(session, "VES", ves.vestigingsnummer):
            added += queue.enqueue(session, mac.kvk_nummer, bron=bron, vestigingsnummer=ves.vestigingsnummer,
                                   reden="vestigingsprofiel")
    return added
