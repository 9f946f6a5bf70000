"""The KVK call log in the store's ``kvk_request`` table, so counters and costs survive restarts
and are shared by every process of the node (the monthly paid-call limit counts them all)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from knoop_esb import logs
from knoop_esb.routing.sources.kvk_policy import ENDPOINTS
from knoop_esb.routing.sources.kvk_recorder import KvkCall
from knoop_esb.store import kvk_requests

log = logs.get("knoop_esb.kvk")


class StoreRecorder:
    def __init__(self, database, *, price_per_call: float = 0.0):
        self.database = database
        # kvk_request keeps whole cents per call; costs are priced from the paid counts instead
        # (kvk_requests.monthly_cost(price_per_call=…), the usage report).
        self.kosten_cent = round(price_per_call * 100)

    def record(self, call: KvkCall) -> None:
        try:
            with self.database.session() as session:
                kvk_requests.record(session, call.endpoint, token_id=call.key_id, betaald=call.paid,
                                    http_status=call.status, ipd_code=call.ipd_code,
                                    duration_ms=int(round(call.duur_ms)),
                                    kosten_cent=self.kosten_cent if call.paid else 0, at=call.tijdstip)
        except SQLAlchemyError as exc:
            # The KVK answer is already here and paid for; losing it over the log would be worse.
            log.error("kvk.vastleggen_mislukt", endpoint=call.endpoint, fout=str(exc).splitlines()[0])

    def paid_count_since(self, since: datetime, key_id: str | None = None) -> int:
        with self.database.session() as session:
            return kvk_requests.paid_count_since(session, since, token_id=key_id, endpoints=ENDPOINTS)

    def calls_since(self, since: datetime) -> list[KvkCall]:
        """The recorded KVK calls from ``since`` on (the report counts in the store: kvk_requests.usage)."""
        with self.database.session() as session:
            return [KvkCall(r.at, r.endpoint, r.token_id, r.betaald, r.http_status, r.ipd_code,
                            float(r.duration_ms)) for r in kvk_requests.calls_since(session, since, endpoints=ENDPOINTS)]
