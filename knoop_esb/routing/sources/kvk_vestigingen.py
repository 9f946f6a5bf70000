"""Complete vestigingen lists for large companies (seed 002: "companies >1000 branches").

``/basisprofielen/{kvk}/vestigingen`` has no paging and lists at most 1000 vestigingen while
``totaalAantalVestigingen`` gives the real number. The rest is found with the free Zoeken API,
paged 100 at a time; Zoeken shows at most 1000 results per search, so when a company search hits
that cap it is split per plaats (every plaats seen so far) until all vestigingen are known.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from knoop_esb import logs

if TYPE_CHECKING:
    from knoop_esb.routing.sources.kvk_api import KvkApiClient

log = logs.get("knoop_esb.kvk")
VESTIGING_TYPES = ("hoofdvestiging", "nevenvestiging")


def complete_vestigingen(client: "KvkApiClient", lijst: dict) -> dict:
    items = list(lijst.get("vestigingen") or [])      # shape checked by the transport
    total = lijst.get("totaalAantalVestigingen") or len(items)
    if len(items) >= total:
        return lijst
    kvk_nummer = lijst.get("kvkNummer")
    known = {item.get("vestigingsnummer"): item for item in items}
    plaatsen: list[str] = []
    _search(client, known, plaatsen, kvkNummer=kvk_nummer)
    done: set[str] = set()
    while len(known) < total and any(p not in done for p in plaatsen):
        plaats = next(p for p in plaatsen if p not in done)
        done.add(plaats)
        _search(client, known, plaatsen, kvkNummer=kvk_nummer, plaats=plaats)
    if len(known) < total:
        log.warning("kvk.vestigingen_onvolledig", kvk_nummer=kvk_nummer, gevonden=len(known), totaal=total)
    return {**lijst, "vestigingen": list(known.values())}


def zoek_vestigingen(client: "KvkApiClient", kvk_nummer: str) -> list[dict]:
    """Every Zoeken result (hoofd- and nevenvestigingen) of one company, in KVK's order: every page
    (100 a page), and past Zoeken's cap of 1000 results once more per plaats seen. Zoeken's results
    keep the structured address (straat, plaats) that ``/vestigingen`` flattens to one line."""
    from knoop_esb.routing.sources.kvk_api import ZOEKEN_MAX_RESULTATEN

    known: dict[str, dict] = {}
    plaatsen: list[str] = []

    def zoek(**criteria) -> int:
        n = 0
        for result in client.zoeken_alle(kvkNummer=kvk_nummer, **criteria, type=list(VESTIGING_TYPES),
                                         resultatenPerPagina=100):
            n += 1
            plaats = _dict(_dict(result.get("adres")).get("binnenlandsAdres")).get("plaats")
            if isinstance(plaats, str) and plaats and plaats not in plaatsen:
                plaatsen.append(plaats)
            nummer = result.get("vestigingsnummer")
            if isinstance(nummer, str) and nummer:
                known.setdefault(nummer, result)
        return n

    if zoek() >= ZOEKEN_MAX_RESULTATEN:
        gedaan: set[str] = set()
        while any(p not in gedaan for p in plaatsen):
            plaats = next(p for p in plaatsen if p not in gedaan)
            gedaan.add(plaats)
            if zoek(plaats=plaats) >= ZOEKEN_MAX_RESULTATEN:
                log.warning("kvk.vestigingen_onvolledig", kvk_nummer=kvk_nummer, plaats=plaats, gevonden=len(known))
    return list(known.values())


def _search(client: "KvkApiClient", known: dict, plaatsen: list[str], **criteria) -> None:
    for result in client.zoeken_alle(**criteria, type=list(VESTIGING_TYPES), resultatenPerPagina=100):
        plaats = _dict(_dict(result.get("adres")).get("binnenlandsAdres")).get("plaats")
        if isinstance(plaats, str) and plaats and plaats not in plaatsen:
            plaatsen.append(plaats)
        nummer = result.get("vestigingsnummer")
        if isinstance(nummer, str) and nummer and nummer not in known:
            known[nummer] = vestiging_basis(result)


def vestiging_basis(result: dict) -> dict:
    """A Zoeken result in the VestigingBasis shape of ``/vestigingen`` (the fields Zoeken has)."""
    adres = _dict(result.get("adres"))
    binnen = _dict(adres.get("binnenlandsAdres"))
    buiten = _dict(adres.get("buitenlandsAdres"))
    if binnen:
        nummer = f"{binnen.get('huisnummer', '')}{binnen.get('huisletter', '')}"
        parts = [binnen.get("straatnaam"), nummer, binnen.get("postcode"), binnen.get("plaats")]
    else:
        parts = [buiten.get("straatHuisnummer"), buiten.get("postcodeWoonplaats"), buiten.get("land")]
    return {
        "vestigingsnummer": result.get("vestigingsnummer"),
        "kvkNummer": result.get("kvkNummer"),
        "eersteHandelsnaam": result.get("naam"),
        "indHoofdvestiging": "Ja" if result.get("type") == "hoofdvestiging" else "Nee",
        "volledigAdres": " ".join(str(p) for p in parts if p),
        "links": [{"rel": "vestigingsprofiel",
                   "href": client_href(result, "vestigingsprofiel")}],
    }


def client_href(result: dict, rel: str) -> str | None:
    """A link by rel: ``_links`` keyed by rel (hal+json) or ``links`` as [{rel, href}] (both occur)."""
    links = result.get("_links")
    if isinstance(links, dict) and rel in links:
        return _dict(links.get(rel)).get("href")
    for link in result.get("links") if isinstance(result.get("links"), list) else []:
        if isinstance(link, dict) and link.get("rel") == rel:
            return link.get("href")
    return None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}
