"""What a sync run did, counted once and shown twice: the one summary line a long command ends
with and the JSON object of ``--json``.

KVK calls, Handelsdata credits and kennisgevingen are counted from the store (rows of
``kvk_request`` and ``outbox`` added since the run started), so they include what the store's own
save path queued and every retry, exactly as billed.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select

from knoop_esb.store.models import KvkRequest, Outbox


@dataclass
class Samenvatting:
    opdracht: str
    signalen: int = 0            # signals KVK listed
    nieuwe_signalen: int = 0     # of those, stored for the first time
    in_wachtrij: int = 0         # bedrijf_nieuw entries added
    verwerkt: int = 0            # entries done
    inserts: int = 0             # objects stored for the first time
    updates: int = 0             # objects that got a new version
    beeindigd: int = 0           # objects ended (datum einde)
    ongewijzigd: int = 0
    kennisgevingen: int = 0      # outbox rows added during the run
    kvk_betaald: int = 0
    kvk_gratis: int = 0
    handelsdata_credits: int = 0
    fouten: int = 0
    gestopt: str | None = None   # why the run stopped early (KVK down, paid calls refused)
    seconden: float = 0.0
    _start: dict = field(default_factory=dict, repr=False)

    def begin(self, database) -> "Samenvatting":
        with database.session() as session:
            self._start = {"kvk": session.scalar(select(func.max(KvkRequest.id))) or 0,
                           "outbox": session.scalar(select(func.max(Outbox.id))) or 0,
                           "t": time.monotonic()}
        return self

    def einde(self, database) -> "Samenvatting":
        with database.session() as session:
            rows = [(endpoint == "handelsdata", betaald, n) for endpoint, betaald, n in session.execute(
                select(KvkRequest.endpoint, KvkRequest.betaald, func.count())
                .where(KvkRequest.id > self._start["kvk"])
                .group_by(KvkRequest.endpoint, KvkRequest.betaald))]
            self.kennisgevingen = session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.id > self._start["outbox"])) or 0
        self.handelsdata_credits = sum(n for hd, _, n in rows if hd)
        self.kvk_betaald = sum(n for hd, betaald, n in rows if not hd and betaald)
        self.kvk_gratis = sum(n for hd, betaald, n in rows if not hd and not betaald)
        self.seconden = round(time.monotonic() - self._start["t"], 2)
        return self

    def als_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}

    def regel(self) -> str:
        delen = [f"{self.signalen} signals ({self.nieuwe_signalen} new)" if self.opdracht == "poll" else None,
                 f"{self.in_wachtrij} queued" if self.in_wachtrij else None,
                 f"{self.verwerkt} entries done" if self.opdracht != "poll" else None,
                 f"{self.inserts} inserts", f"{self.updates} updates",
                 f"{self.beeindigd} ended" if self.beeindigd else None,
                 f"{self.kennisgevingen} kennisgevingen queued",
                 f"KVK calls {self.kvk_betaald} paid/{self.kvk_gratis} free",
                 f"Handelsdata {self.handelsdata_credits} credits", f"{self.fouten} errors"]
        regel = f"sync {self.opdracht}: " + ", ".join(d for d in delen if d) + f" in {self.seconden:.1f} s"
        return regel + (f" (stopped: {self.gestopt})" if self.gestopt else "")
