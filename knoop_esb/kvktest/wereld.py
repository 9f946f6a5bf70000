"""The test source's changing world: the companies the Mutatieservice's signals name, whose state
follows the signals over time (so a node that polls and processes sees its store change).

Signal ``n`` is of type ``order[n % 6]`` in cycle ``k = n // 6``. Each cycle registers one new
company A(k) (SignaalNieuweInschrijving) and the other five signals of the cycle change earlier
ones, from the moment of their signal on:

- SignaalGewijzigdeInschrijving (cycle k) names A(k−1): more werkzame personen, another SBI code;
- SignaalGewijzigdeVestiging (cycle k) names A(k−1)'s first vestiging: its address changes (the
  node stores the signal and does not follow it: seed 002, addresses come from the refresh);
- SignaalRechtsvormwijziging names the latest even A(j), j ≤ k−1: an NV that becomes a BV;
- SignaalBeeindiging names the latest even A(j), j ≤ k−2: it ends (datum einde);
- SignaalVoortzettingEnOverdracht names the latest odd A(j), j ≤ k−2 (a VOF): it ends and its
  vestigingen continue under a new eenmanszaak B(j).

Every state is a pure function of the clock, so any number of test-source processes agree.
KVK-nummers: A(k) = 7xxxxxxx, B(j) = 8xxxxxxx; vestigingsnummers 07 + k (8 digits) + index.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from knoop_esb.kvktest.dataset import BV, EMZ, NV, PLAATSEN, VOF, Company, Dataset, Vestiging, _adres, rsin_for

NI, GI, GV, BE, RV, VO = ("SignaalNieuweInschrijving", "SignaalGewijzigdeInschrijving", "SignaalGewijzigdeVestiging",
                          "SignaalBeeindiging_2025_01", "SignaalRechtsvormwijziging_2025_01",
                          "SignaalVoortzettingEnOverdracht_2025_01")
MODULO = 10 ** 7


def kvk_a(k: int) -> str:
    return f"7{k % MODULO:07d}"


def kvk_b(j: int) -> str:
    return f"8{j % MODULO:07d}"


class Wereld:
    def __init__(self, data: Dataset, order: list[str], epoch: datetime, interval: float, clock):
        self.data = data
        self.pos = {soort: order.index(soort) for soort in order}
        self.epoch, self.interval, self.clock = epoch, interval, clock

    # -- time ---------------------------------------------------------------------------------------
    def moment(self, cyclus: int, soort: str) -> datetime:
        return self.epoch + timedelta(seconds=(6 * cyclus + self.pos[soort]) * self.interval)

    def _gebeurd(self, cyclus: int, soort: str, nu: datetime) -> bool:
        return self.moment(cyclus, soort) <= nu

    def cyclus_nu(self, nu: datetime) -> int:
        return int((nu - self.epoch).total_seconds() // self.interval) // 6

    # -- which company a signal names -------------------------------------------------------------
    def genoemd(self, n: int) -> tuple[str, Company, str | None] | None:
        """(type, company as at the signal, vestigingsnummer) of signal ``n``; None in the first
        cycles, before there are companies to change."""
        k, soort = n // 6, self._soort(n)
        if k < 4:
            return None
        moment = self.epoch + timedelta(seconds=n * self.interval)
        if soort == NI:
            return soort, self.a(k, moment), None
        if soort in (GI, GV):
            c = self.a(k - 1, moment)
            return soort, c, c.vestigingen[0].vestigingsnummer if soort == GV else None
        if soort == RV:
            return soort, self.a(_even(k - 1), moment), None
        if soort == BE:
            return soort, self.a(_even(k - 2), moment), None
        return soort, self.a(_oneven(k - 2), moment), None

    def _soort(self, n: int) -> str:
        return next(s for s, p in self.pos.items() if p == n % 6)

    # -- the companies ----------------------------------------------------------------------------
    def company(self, kvk_nummer: str, nu: datetime | None = None) -> Company | None:
        nu = nu or self.clock()
        static = self.data.company(kvk_nummer)
        if static is not None or not (len(kvk_nummer) == 8 and kvk_nummer[0] in "78" and kvk_nummer.isdigit()):
            return static
        k = self._index(int(kvk_nummer[1:]), nu)
        if k is None:
            return None
        if kvk_nummer[0] == "7":
            return self.a(k, nu) if self._gebeurd(k, NI, nu) else None
        return self.b(k, nu) if k % 2 == 1 and self._gebeurd(k + 2, VO, nu) else None

    def vestiging(self, nummer: str, nu: datetime | None = None) -> tuple[Vestiging, Company] | None:
        nu = nu or self.clock()
        v = self.data.vestigingen.get(nummer)
        if v is not None:
            return v, self.data.company(v.kvk_nummer)
        if not (len(nummer) == 12 and nummer.startswith("07") and nummer.isdigit()):
            return None
        k = self._index(int(nummer[2:10]) % MODULO, nu)
        if k is None or not self._gebeurd(k, NI, nu):
            return None
        c = self.b(k, nu) if k % 2 == 1 and self._gebeurd(k + 2, VO, nu) else self.a(k, nu)
        return next(((v, c) for v in c.vestigingen if v.vestigingsnummer == nummer), None)

    def _index(self, rest: int, nu: datetime) -> int | None:
        """The cycle whose number ends in ``rest`` (numbers wrap every 10^7 cycles): the latest one so far."""
        k = self.cyclus_nu(nu)
        k -= (k - rest) % MODULO
        return k if k >= 0 else None

    def a(self, k: int, nu: datetime) -> Company:
        even = k % 2 == 0
        kvk = kvk_a(k)
        rv = even and self._gebeurd(k + 1, RV, nu)
        rechtsvorm = (BV if rv else NV) if even else VOF
        gi = self._gebeurd(k + 1, GI, nu)
        gv = self._gebeurd(k + 1, GV, nu)
        einde_moment = self.moment(k + 2, BE if even else VO)
        einde = einde_moment.strftime("%Y%m%d") if einde_moment <= nu else None
        aanvang = self.moment(k, NI).strftime("%Y%m%d")
        naam = f"Knoop Wereld {'NV' if even and not rv else 'BV' if even else 'VOF'} {k}"
        vestigingen = tuple(self._ves(k, i, kvk, naam, gi=gi, gv=gv and i == 0, einde=einde, aanvang=aanvang)
                            for i in range(1 + k % 3))
        sbi = vestigingen[0].sbi
        if einde and not even:
            vestigingen = ()     # continued: the vestigingen now belong to B(k)
        return Company(kvk, naam, *rechtsvorm, rsin_for(kvk) if even else None, vestigingen,
                       handelsnamen=(naam,), sbi=sbi, datum_aanvang=aanvang,
                       formele_registratiedatum=aanvang, datum_einde=einde,
                       voortgezet_door=kvk_b(k) if not even and einde else None,
                       rechtsvorm_oud=NV[0] if rv else None)

    def b(self, j: int, nu: datetime) -> Company:
        kvk = kvk_b(j)
        naam = f"Knoop Wereld Eenmanszaak {j}"
        aanvang = self.moment(j + 2, VO).strftime("%Y%m%d")
        vorige = self.a(j, self.moment(j + 2, VO) - timedelta(seconds=1))
        vestigingen = tuple(dataclasses.replace(v, kvk_nummer=kvk, datum_einde=None) for v in vorige.vestigingen)
        return Company(kvk, naam, *EMZ, None, vestigingen, handelsnamen=(naam,), sbi=vestigingen[0].sbi,
                       datum_aanvang=aanvang, formele_registratiedatum=aanvang)

    def _ves(self, k: int, i: int, kvk: str, naam: str, *, gi: bool, gv: bool, einde: str | None, aanvang: str):
        plaats, pc = PLAATSEN[(k + i) % len(PLAATSEN)]
        adres = _adres("Wereldstraat", 1 + k % 90 + (100 if gv else 0), f"{pc}AB", plaats)
        return Vestiging(f"07{k % MODULO:08d}{i:02d}", kvk, naam if i == 0 else f"{naam} Filiaal {i}", (adres,),
                         hoofd=i == 0, sbi=("62010",) if gi else ("4690",), voltijd=2 + k % 7 + (3 if gi else 0),
                         datum_aanvang=aanvang, datum_einde=einde)


def _even(j: int) -> int:
    return j - (j % 2)


def _oneven(j: int) -> int:
    return j if j % 2 else j - 1
