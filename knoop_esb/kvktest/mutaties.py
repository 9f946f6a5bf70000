"""The test source's Mutatieservice: a deterministic stream of signals over time.

Signal ``n`` happens at ``epoch + n · interval`` (KVK's test environment: 10 signals per 5
minutes, so 30 s) and exists once the clock has passed it. Its type cycles through all six
``signaalType`` values in a seeded order and it names a company of the dataset that fits the type
(the ceased company for a Beëindiging, the transferred one for a VoortzettingEnOverdracht …), so a
poller can follow every signal up with Basisprofiel/Vestigingsprofiel. The signal id encodes
``n``, so details need no storage.
"""
from __future__ import annotations

import hashlib
import math
import random
import re
from datetime import datetime, timedelta, timezone

from knoop_esb.kvktest.dataset import Company, Dataset
from knoop_esb.kvktest.wereld import Wereld

SIGNAALTYPES = ("SignaalNieuweInschrijving", "SignaalGewijzigdeInschrijving", "SignaalGewijzigdeVestiging",
                "SignaalBeeindiging_2025_01", "SignaalRechtsvormwijziging_2025_01",
                "SignaalVoortzettingEnOverdracht_2025_01")
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
ID_PATTERN = re.compile(r"^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$")


class MutatieFout(Exception):
    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def _uuid(seed: str, label: str) -> str:
    h = hashlib.sha256(f"{seed}:{label}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_moment(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MutatieFout(400, "Bad Request", f"{name} is geen geldige datum-tijd: {text}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Mutatieservice:
    def __init__(self, data: Dataset, *, seed: str = "knoop", interval: float = 30.0, clock=None):
        self.data = data
        self.seed = seed
        self.interval = interval
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.abonnement_id = _uuid(seed, "abonnement")
        self._prefix = hashlib.sha256(seed.encode()).hexdigest()[:8]
        order = list(SIGNAALTYPES)
        random.Random(seed).shuffle(order)
        self._order = order
        pool = [c for c in data.companies.values() if not c.fout]
        self._met_vestigingen = [c for c in pool if c.vestigingen and c.actief and len(c.vestigingen) < 50]
        self._beeindigd = [c for c in pool if not c.actief and not c.voortgezet_door]
        self._overgedragen = [c for c in pool if c.voortgezet_door]
        self._omgezet = [c for c in pool if c.rechtsvorm_oud]
        self.wereld = Wereld(data, order, EPOCH, interval, self.clock)

    # -- list ---------------------------------------------------------------------------------
    def abonnementen(self) -> dict:
        return {"klantId": _uuid(self.seed, "klant"),
                "abonnementen": [{"id": self.abonnement_id, "contract": {"id": "Mutatieservice testcontract"},
                                  "startDatum": _ts(EPOCH), "actief": True}]}

    def _index_range(self, vanaf: datetime, tot: datetime) -> range:
        now = min(tot, self.clock())
        first = max(0, math.ceil((vanaf - EPOCH).total_seconds() / self.interval))
        last = math.floor((now - EPOCH).total_seconds() / self.interval)   # inclusive, if <= now
        if (EPOCH + timedelta(seconds=last * self.interval)) >= tot:
            last -= 1
        return range(first, max(first, last + 1))

    def signalen(self, abonnement_id: str, query: dict[str, list[str]]) -> dict:
        self._check_abonnement(abonnement_id)
        if not query.get("vanaf"):
            raise MutatieFout(400, "Bad Request", "vanaf is verplicht")
        vanaf = parse_moment(query["vanaf"][0], "vanaf")
        tot = parse_moment(query["tot"][0], "tot") if query.get("tot") else self.clock()
        try:
            pagina = int((query.get("pagina") or ["1"])[0])
            aantal = int((query.get("aantal") or ["100"])[0])
        except ValueError:
            raise MutatieFout(400, "Bad Request", "pagina en aantal moeten getallen zijn") from None
        if pagina < 1 or not 10 <= aantal <= 500:
            raise MutatieFout(400, "Bad Request", "pagina moet >= 1 en aantal tussen 10 en 500 zijn")
        indices = self._index_range(vanaf, tot)
        start = (pagina - 1) * aantal
        page = indices[start:start + aantal]
        return {"pagina": pagina, "aantal": aantal, "totaal": len(indices),
                "totaalPaginas": math.ceil(len(indices) / aantal),
                "signalen": [self.info(n) for n in page]}

    # -- one signal ---------------------------------------------------------------------------
    def signaal_id(self, n: int) -> str:
        return f"{self._prefix}-0000-4000-8000-{n:012x}"

    def _index(self, signaal_id: str) -> int | None:
        m = ID_PATTERN.match(signaal_id)
        if not m or m.group(1) != self._prefix:
            return None
        n = int(m.group(2), 16)
        return n if EPOCH + timedelta(seconds=n * self.interval) <= self.clock() else None

    def _pick(self, n: int) -> tuple[str, Company, str | None]:
        genoemd = self.wereld.genoemd(n)
        if genoemd is not None:
            return genoemd
        # The first cycles after the epoch, before the world has companies to change.
        soort = self._order[n % len(self._order)]
        rng = random.Random(f"{self.seed}:{n}")
        if soort == "SignaalBeeindiging_2025_01":
            c = rng.choice(self._beeindigd)
        elif soort == "SignaalVoortzettingEnOverdracht_2025_01":
            c = rng.choice(self._overgedragen)
        elif soort == "SignaalRechtsvormwijziging_2025_01":
            c = rng.choice(self._omgezet)
        else:
            c = rng.choice(self._met_vestigingen)
        vestiging = rng.choice(c.vestigingen).vestigingsnummer if soort == "SignaalGewijzigdeVestiging" else None
        return soort, c, vestiging

    def info(self, n: int) -> dict:
        soort, c, vestiging = self._pick(n)
        item = {"id": self.signaal_id(n), "timestamp": _ts(EPOCH + timedelta(seconds=n * self.interval)),
                "kvknummer": c.kvk_nummer, "signaalType": soort}
        if vestiging:
            item["vestigingsnummer"] = vestiging
        return item

    def detail(self, abonnement_id: str, signaal_id: str) -> dict:
        self._check_abonnement(abonnement_id)
        n = self._index(signaal_id)
        if n is None:
            raise MutatieFout(404, "Not Found", f"signaal {signaal_id} bestaat niet")
        soort, c, vestiging = self._pick(n)
        moment = EPOCH + timedelta(seconds=n * self.interval)
        signaal = {"berichtId": signaal_id, "signaalType": soort,
                   "registratieId": f"-{self._prefix[:7]}:{n:x}:-{n % 9999:04d}",
                   "registratieTijdstip": _ts(moment), "heeftBetrekkingOp": betrekking(c)}
        signaal.update(_specifiek(soort, c, vestiging, moment, self.wereld))
        return {"signaal": signaal}

    def _check_abonnement(self, abonnement_id: str) -> None:
        if abonnement_id != self.abonnement_id:
            raise MutatieFout(404, "Not Found", f"abonnement {abonnement_id} bestaat niet")


def betrekking(c: Company) -> dict:
    eigenaar = ({"rechtspersoon": {"rsin": c.rsin, "persoonRechtsvorm": c.rechtsvorm}} if c.rsin
                else {"natuurlijkPersoon": {"persoonRechtsvorm": c.rechtsvorm}})
    return {"kvkNummer": c.kvk_nummer, "nonMailing": c.non_mailing,
            "totaalWerkzamePersonen": sum(v.voltijd + v.deeltijd for v in c.vestigingen),
            "heeftAlsEigenaar": eigenaar,
            "wordtUitgeoefendIn": [_vestiging(v) for v in c.vestigingen[:50]]}


def _vestiging(v) -> dict:
    body = {"vestigingsnummer": v.vestigingsnummer, "isHoofdvestiging": v.hoofd,
            "totaalWerkzamePersonen": v.voltijd + v.deeltijd,
            "activiteiten": [{"sbiCode": code, "isHoofdactiviteit": i == 0} for i, code in enumerate(v.sbi)]}
    a = v.adressen[0]
    if not a.buitenland and a.postcode:
        body["bezoekadres"] = {"afgeschermd": a.afgeschermd,
                               "postcode": {"cijfercombinatie": a.postcode[:4], "lettercombinatie": a.postcode[4:]}}
    return body


def _specifiek(soort: str, c: Company, vestiging: str | None, moment: datetime, wereld: Wereld) -> dict:
    datum = moment.strftime("%Y%m%d")
    if soort == "SignaalNieuweInschrijving":
        return {"heeftNieuweGegevens": {"kvkNummer": c.kvk_nummer, "startdatum": c.datum_aanvang,
                                        "aanleiding": {"code": "OR", "omschrijving": "Oprichten"}}}
    if soort == "SignaalGewijzigdeInschrijving":
        return {"heeftGewijzigdeGegevens": {
            "maOnderneming": {"algemeen": True},
            "vestigingen": {"gewijzigdevestigingen": [
                {"vestigingsnummer": c.vestigingen[0].vestigingsnummer, "algemeen": False, "naamgeving": True,
                 "activiteiten": False, "adresgegevens": False, "gevolmachtigden": False}]}}}
    if soort == "SignaalGewijzigdeVestiging":
        v, _ = wereld.vestiging(vestiging, moment)
        return {"heeftGewijzigdeVestiging": {"vestigingsnummer": vestiging, "isHoofdvestiging": v.hoofd,
                                             "isCommercieel": v.commercieel,
                                             "gewijzigdeGegevens": {"naamgeving": False, "activiteiten": True,
                                                                    "adresgegevens": True, "gevolmachtigden": False}}}
    if soort == "SignaalBeeindiging_2025_01":
        return {"startdatum": c.datum_einde or datum, "aanleiding": {"code": "OO", "omschrijving": "Opheffen onderneming"}}
    if soort == "SignaalRechtsvormwijziging_2025_01":
        return {"persoonRechtsvormOud": c.rechtsvorm_oud}
    opvolger = wereld.company(c.voortgezet_door, moment)
    return {"startdatum": c.datum_einde or datum, "voortzettingEnOverdracht": {
        "betrokkenVestigingen": {"vestigingsnummers": [v.vestigingsnummer for v in opvolger.vestigingen]},
        "rolBijVoortzettingOverdracht": {"code": "VG", "omschrijving": "Voortgezet door"},
        "kvkNummer": opvolger.kvk_nummer, "persoonRechtsvorm": opvolger.rechtsvorm}}
