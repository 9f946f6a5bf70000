"""Zoeken API v2 of the test source: KVK's parameters, validation codes, exact-word name match,
paging (`pagina` ≤ 1000, `resultatenPerPagina` 1..100, at most 1000 results) and IPD5200 as a 404
when nothing matches."""
from __future__ import annotations

import functools
import re
from urllib.parse import urlencode

from knoop_esb.kvktest.dataset import Company, Dataset, Vestiging
from knoop_esb.kvktest.render import ja

MAX_RESULTATEN = 1000
TYPES = ("hoofdvestiging", "nevenvestiging", "rechtspersoon")
CRITERIA = ("kvkNummer", "rsin", "vestigingsnummer", "naam", "straatnaam", "plaats", "postcode",
            "huisnummer", "postbusnummer")
PATTERNS = {"kvkNummer": (r"[0-9]{8}", "IPD0004", "Het KvK nummer {0} is niet valide."),
            "rsin": (r"[0-9]{9}", "IPD0010", "Het RSI-nummer {0} is niet valide."),
            "vestigingsnummer": (r"[0-9]{12}", "IPD0006", "Het vestigingsnummer {0} is niet valide."),
            "postcode": (r"[0-9]{4}[a-zA-Z]{2}", "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: {0}"),
            "huisnummer": (r"[0-9]{1,5}", "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: {0}"),
            "huisletter": (r"[a-zA-Z]", "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: {0}"),
            "postbusnummer": (r"[0-9]{1,5}", "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: {0}")}


class ZoekFout(Exception):
    def __init__(self, status: int, code: str, omschrijving: str):
        super().__init__(omschrijving)
        self.status, self.code, self.omschrijving = status, code, omschrijving


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def validate(query: dict[str, list[str]]) -> tuple[dict, list[str], int, int, bool]:
    criteria = {name: _one(query, name) for name in CRITERIA + ("huisletter",) if _one(query, name)}
    for name, value in criteria.items():
        if name in PATTERNS:
            pattern, code, text = PATTERNS[name]
            if not re.fullmatch(pattern, value):
                raise ZoekFout(400, code, text.format(value if code != "IPD1999" else name))
    types = query.get("type") or []
    if any(t not in TYPES for t in types):
        raise ZoekFout(400, "IPD5203", "Het opgegeven type is niet valide.")
    if not criteria:
        raise ZoekFout(400, "IPD1998", "Algemene invoer parameter fout.")
    if ("huisnummer" in criteria or "postbusnummer" in criteria) and "postcode" not in criteria:
        raise ZoekFout(400, "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: postcode")
    try:
        pagina = int(_one(query, "pagina") or 1)
        per_pagina = int(_one(query, "resultatenPerPagina") or 10)
    except ValueError:
        raise ZoekFout(400, "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: pagina") from None
    if not 1 <= pagina <= 1000 or not 1 <= per_pagina <= 100:
        raise ZoekFout(400, "IPD1999", "De volgende opgegeven parameter(s) is(zijn) ongeldig: pagina, resultatenPerPagina")
    inactief = (_one(query, "inclusiefInactieveRegistraties") or "false").lower() == "true"
    return criteria, types, pagina, per_pagina, inactief


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _matches_adres(v: Vestiging, criteria: dict) -> bool:
    for a in v.adressen:
        if a.buitenland or a.afgeschermd:
            continue
        checks = {"straatnaam": a.straatnaam, "plaats": a.plaats, "postcode": a.postcode,
                  "huisnummer": str(a.huisnummer), "huisletter": a.huisletter,
                  "postbusnummer": str(a.postbusnummer)}
        if all((checks[k] or "").lower() == criteria[k].lower() for k in checks if k in criteria):
            return True
    return not any(k in criteria for k in ("straatnaam", "plaats", "postcode", "huisnummer", "postbusnummer"))


def _items(c: Company):
    """(type, vestiging or None) in KVK's order: the rechtspersoon first, then vestigingen."""
    if c.rsin:
        yield "rechtspersoon", None
    for v in c.vestigingen:
        yield ("hoofdvestiging" if v.hoofd else "nevenvestiging"), v


def search(data: Dataset, criteria: dict, types: list[str], inactief: bool) -> list[tuple[Company, str, Vestiging | None]]:
    found = []
    wanted_words = _words(criteria["naam"]) if "naam" in criteria else set()
    for c in data.companies.values():
        if c.fout or ("kvkNummer" in criteria and c.kvk_nummer != criteria["kvkNummer"]):
            continue
        if "rsin" in criteria and c.rsin != criteria["rsin"]:
            continue
        if not c.actief and not inactief:
            continue
        for soort, v in _items(c):
            if types and soort not in types:
                continue
            if "vestigingsnummer" in criteria and (v is None or v.vestigingsnummer != criteria["vestigingsnummer"]):
                continue
            names = [c.naam] if v is None else list(v.namen)
            if wanted_words and not any(wanted_words <= _words(n) for n in names):
                continue
            if v is None and any(k in criteria for k in ("straatnaam", "plaats", "postcode")):
                v_hoofd = c.hoofdvestiging
                if v_hoofd is None or not _matches_adres(v_hoofd, criteria):
                    continue
            elif v is not None and not _matches_adres(v, criteria):
                continue
            found.append((c, soort, v))
    return found


def result_item(c: Company, soort: str, v: Vestiging | None, base: str, criteria: dict, inactief: bool) -> dict:
    item: dict = {"kvkNummer": c.kvk_nummer}
    if c.rsin:
        item["rsin"] = c.rsin
    if v is not None:
        item["vestigingsnummer"] = v.vestigingsnummer
    item["naam"] = c.naam if v is None else v.eerste_handelsnaam
    target = v or c.hoofdvestiging
    if target is not None and target.adressen:
        item["adres"] = _adres(target.adressen[0], criteria)
    item["type"] = soort
    if inactief:
        item["actief"] = ja(c.actief)
    item["_links"] = {"basisprofiel": {"href": f"{base}/api/v1/basisprofielen/{c.kvk_nummer}"}}
    if v is not None:
        item["_links"]["vestigingsprofiel"] = {"href": f"{base}/api/v1/vestigingsprofielen/{v.vestigingsnummer}"}
    return item


def _adres(a, criteria: dict) -> dict:
    if a.buitenland:
        return {"buitenlandsAdres": {"type": "postadres", "straatHuisnummer": a.straat_huisnummer,
                                     "postcodeWoonplaats": a.postcode_woonplaats, "land": a.land}}
    binnen: dict = {"type": "bezoekadres" if a.type == "bezoekadres" else "postadres"}
    if not a.afgeschermd:
        binnen["straatnaam"] = a.straatnaam
        # KVK shows postcode and huisnummer only when they were searched on.
        if "postcode" in criteria:
            binnen.update(postcode=a.postcode, huisnummer=a.huisnummer)
            if a.huisletter:
                binnen["huisletter"] = a.huisletter
    binnen["plaats"] = a.plaats
    return {"binnenlandsAdres": binnen}


@functools.lru_cache(maxsize=128)
def _cached_search(data: Dataset, criteria: tuple, types: tuple, inactief: bool) -> tuple:
    # Paging through a large company asks the same search once per page.
    return tuple(search(data, dict(criteria), list(types), inactief)[:MAX_RESULTATEN])


def answer(data: Dataset, query: dict[str, list[str]], base: str) -> dict:
    criteria, types, pagina, per_pagina, inactief = validate(query)
    found = _cached_search(data, tuple(sorted(criteria.items())), tuple(types), inactief)
    start = (pagina - 1) * per_pagina
    page = found[start:start + per_pagina]
    if not page:
        raise ZoekFout(404, "IPD5200", "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.")
    body = {"pagina": pagina, "resultatenPerPagina": per_pagina, "totaal": len(found),
            "resultaten": [result_item(c, s, v, base, criteria, inactief) for c, s, v in page]}
    links = {"self": {"href": _page_href(base, query, pagina, per_pagina)}}
    if pagina > 1:
        body["vorige"] = links.setdefault("vorige", {"href": _page_href(base, query, pagina - 1, per_pagina)})["href"]
    if start + per_pagina < len(found):
        body["volgende"] = links.setdefault("volgende", {"href": _page_href(base, query, pagina + 1, per_pagina)})["href"]
    body["_links"] = links
    return body


def _page_href(base: str, query: dict[str, list[str]], pagina: int, per_pagina: int) -> str:
    pairs = [(k, v) for k, values in query.items() if k not in ("pagina", "resultatenPerPagina") for v in values]
    pairs += [("pagina", pagina), ("resultatenPerPagina", per_pagina)]
    return f"{base}/api/v2/zoeken?{urlencode(pairs)}"
