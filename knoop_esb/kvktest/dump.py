"""Generated KVK profile JSON lines (what ``knoop-esb load`` reads), for load tests and the load
benchmark: Basisprofielen as KVK returns them with their Vestigingsprofielen in ``vestigingen``.

Deterministic per (index, ronde): ``ronde`` changes the employees of every company, so loading a
second round gives every MAC a changed version. On average 1.3 vestigingen per company (every
tenth has four), 40 % owned by a BV (an NNP with RSIN), the others eenmanszaken.
"""
from __future__ import annotations

import json
from typing import Iterator

from knoop_esb.kvktest.dataset import PLAATSEN, SBI

_SBI = sorted(SBI)


def _adres(i: int, j: int) -> dict:
    plaats, pc = PLAATSEN[(i + j) % len(PLAATSEN)]
    return {"type": "bezoekadres", "indAfgeschermd": "Nee", "straatnaam": f"Teststraat {i % 97}",
            "huisnummer": 1 + (i + j) % 300, "huisletter": "", "postcode": f"{pc}{chr(65 + i % 26)}{chr(65 + j % 26)}",
            "plaats": plaats, "land": "Nederland",
            "volledigAdres": f"Teststraat {i % 97} {1 + (i + j) % 300} {pc} {plaats}"}


def _vestiging(i: int, j: int, kvk: str, naam: str, personen: int) -> dict:
    sbi = _SBI[(i + j) % len(_SBI)]
    return {
        "vestigingsnummer": f"{900000000000 + i * 4 + j:012d}", "kvkNummer": kvk,
        "formeleRegistratiedatum": "20200101", "materieleRegistratie": {"datumAanvang": f"{2000 + i % 25}0{1 + j % 9}01"},
        "eersteHandelsnaam": f"{naam}{' filiaal ' + str(j) if j else ''}", "indHoofdvestiging": "Ja" if j == 0 else "Nee",
        "indCommercieleVestiging": "Ja", "totaalWerkzamePersonen": personen, "voltijdWerkzamePersonen": personen,
        "deeltijdWerkzamePersonen": 0, "handelsnamen": [{"naam": naam, "volgorde": 0}],
        "sbiActiviteiten": [{"sbiCode": sbi, "sbiOmschrijving": SBI[sbi], "indHoofdactiviteit": "Ja"}],
        "adressen": [_adres(i, j)], "websites": [f"https://test{i}.example"],
    }


def bedrijf(i: int, ronde: int = 0) -> dict:
    kvk = f"{30000000 + i:08d}"
    naam = f"Testbedrijf {i}"
    personen = (i * 7 + ronde) % 400
    vestigingen = [_vestiging(i, j, kvk, naam, personen) for j in range(4 if i % 10 == 9 else 1)]
    bv = i % 5 < 2
    eigenaar = ({"rsin": f"{800000000 + i:09d}", "rechtsvorm": "Besloten Vennootschap",
                 "uitgebreideRechtsvorm": "Besloten Vennootschap met beperkte aansprakelijkheid"} if bv
                else {"rechtsvorm": "Eenmanszaak", "uitgebreideRechtsvorm": "Eenmanszaak"})
    data = {
        "kvkNummer": kvk, "indNonMailing": "Nee", "naam": naam, "formeleRegistratiedatum": "20200101",
        "materieleRegistratie": {"datumAanvang": vestigingen[0]["materieleRegistratie"]["datumAanvang"]},
        "totaalWerkzamePersonen": personen * len(vestigingen), "handelsnamen": [{"naam": naam, "volgorde": 0}],
        "sbiActiviteiten": vestigingen[0]["sbiActiviteiten"],
        "_embedded": {"hoofdvestiging": vestigingen[0], "eigenaar": eigenaar},
        "vestigingen": vestigingen,
    }
    if bv:
        data["statutaireNaam"] = f"{naam} B.V."
    return data


def regels(aantal: int, *, start: int = 0, ronde: int = 0) -> Iterator[str]:
    for i in range(start, start + aantal):
        yield json.dumps(bedrijf(i, ronde), ensure_ascii=False, separators=(",", ":"))


def schrijf(pad, aantal: int, *, start: int = 0, ronde: int = 0) -> None:
    with open(pad, "w", encoding="utf-8") as f:
        for regel in regels(aantal, start=start, ronde=ronde):
            f.write(regel + "\n")
