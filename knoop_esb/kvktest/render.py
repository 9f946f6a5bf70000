"""The dataset in KVK's JSON shapes (kvk/FACTS.md §1.2–1.4): Basisprofiel, Eigenaar, Vestiging,
VestigingList, Naamgeving, Zoeken result items. Pure functions; ``base`` is the URL prefix the
links point at (the test source's own address)."""
from __future__ import annotations

import hashlib

from knoop_esb.kvktest.dataset import SBI, Adres, Company, Vestiging

VESTIGINGEN_MAX = 1000   # /vestigingen lists at most this many; totaalAantalVestigingen the rest


def ja(value: bool) -> str:
    return "Ja" if value else "Nee"


def links(base: str, **rels: str) -> list[dict]:
    return [{"rel": rel, "href": base + path} for rel, path in rels.items()]


def geo(adres: Adres) -> dict:
    """Stable made-up BAG ids and coordinates for a Dutch address."""
    digest = int(hashlib.sha256(f"{adres.postcode}{adres.huisnummer}".encode()).hexdigest()[:12], 16)
    lat, lon = 51.0 + (digest % 20000) / 10000, 4.0 + (digest // 20000 % 30000) / 10000
    return {"addresseerbaarObjectId": f"0{digest % 10**15:015d}", "nummerAanduidingId": f"0{digest // 7 % 10**15:015d}",
            "gpsLatitude": lat, "gpsLongitude": lon, "rijksdriehoekX": round(155000 + (lon - 5.387) * 68000, 3),
            "rijksdriehoekY": round(463000 + (lat - 52.156) * 111000, 3), "rijksdriehoekZ": 0.0}


def volledig_adres(adres: Adres) -> str:
    if adres.buitenland:
        return f"{adres.straat_huisnummer} {adres.postcode_woonplaats} {adres.land}"
    if adres.afgeschermd:
        return ""
    if adres.postbusnummer is not None:
        return f"Postbus {adres.postbusnummer} {adres.postcode} {adres.plaats}"
    nummer = f"{adres.huisnummer}{(' ' + adres.huisletter) if adres.huisletter else ''}"
    return f"{adres.straatnaam} {nummer} {adres.postcode} {adres.plaats}"


def adres(a: Adres, geo_data: bool) -> dict:
    body: dict = {"type": a.type, "indAfgeschermd": ja(a.afgeschermd), "volledigAdres": volledig_adres(a)}
    if a.buitenland:
        body.update(straatHuisnummer=a.straat_huisnummer, postcodeWoonplaats=a.postcode_woonplaats, land=a.land)
        return body
    if a.afgeschermd:     # a shielded address shows only that it is shielded
        return body
    if a.postbusnummer is not None:
        body.update(postcode=a.postcode, postbusnummer=a.postbusnummer, plaats=a.plaats, land=a.land)
    else:
        body.update(straatnaam=a.straatnaam, huisnummer=a.huisnummer, huisletter=a.huisletter or "",
                    postcode=a.postcode, plaats=a.plaats, land=a.land)
    if geo_data:
        body["geoData"] = geo(a)
    return body


def sbi(codes) -> list[dict]:
    """The first code is the hoofdactiviteit, as the dataset lists them."""
    return [{"sbiCode": c, "sbiOmschrijving": SBI.get(c, "Onbekend"), "indHoofdactiviteit": ja(i == 0)}
            for i, c in enumerate(codes)]


def registratie(aanvang: str, einde: str | None) -> dict:
    return {"datumAanvang": aanvang, **({"datumEinde": einde} if einde else {})}


def vestiging(v: Vestiging, c: Company, base: str, *, geo_data: bool, embedded: bool = False) -> dict:
    """Vestigingsprofiel (and /hoofdvestiging); ``embedded`` drops what _embedded leaves out."""
    body: dict = {"vestigingsnummer": v.vestigingsnummer, "kvkNummer": c.kvk_nummer}
    if c.rsin and not embedded:
        body["rsin"] = c.rsin
    body.update(indNonMailing=ja(c.non_mailing), formeleRegistratiedatum=c.formele_registratiedatum,
                materieleRegistratie=registratie(v.datum_aanvang, v.datum_einde or c.datum_einde))
    if c.rsin:
        body["statutaireNaam"] = c.naam
    body.update(eersteHandelsnaam=v.eerste_handelsnaam, indHoofdvestiging=ja(v.hoofd),
                indCommercieleVestiging=ja(v.commercieel), voltijdWerkzamePersonen=v.voltijd,
                totaalWerkzamePersonen=v.voltijd + v.deeltijd, deeltijdWerkzamePersonen=v.deeltijd)
    if not embedded:
        body["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(v.namen)]
    body.update(adressen=[adres(a, geo_data) for a in v.adressen], websites=list(v.websites),
                sbiActiviteiten=sbi(v.sbi))
    body["links"] = links(base, self=f"/api/v1/vestigingsprofielen/{v.vestigingsnummer}",
                          basisprofiel=f"/api/v1/basisprofielen/{c.kvk_nummer}",
                          vestigingen=f"/api/v1/basisprofielen/{c.kvk_nummer}/vestigingen")
    return body


def eigenaar(c: Company, base: str, *, geo_data: bool, embedded: bool = False) -> dict:
    body: dict = {}
    if c.rsin:
        body["rsin"] = c.rsin
    body.update(rechtsvorm=c.rechtsvorm, uitgebreideRechtsvorm=c.uitgebreide_rechtsvorm)
    if c.datum_einde:
        body["datumUitschrijving"] = c.datum_einde
    if not embedded:
        hoofd = c.hoofdvestiging
        body["adressen"] = [adres(a, geo_data) for a in (hoofd.adressen if hoofd and c.rsin else ())]
        body["websites"] = list(c.websites)
    body["links"] = links(base, self=f"/api/v1/basisprofielen/{c.kvk_nummer}/eigenaar",
                          basisprofiel=f"/api/v1/basisprofielen/{c.kvk_nummer}")
    return body


def basisprofiel(c: Company, base: str, *, geo_data: bool) -> dict:
    body: dict = {"kvkNummer": c.kvk_nummer, "indNonMailing": ja(c.non_mailing), "naam": c.naam,
                  "formeleRegistratiedatum": c.formele_registratiedatum,
                  "materieleRegistratie": registratie(c.datum_aanvang, c.datum_einde),
                  "totaalWerkzamePersonen": sum(v.voltijd + v.deeltijd for v in c.vestigingen)}
    if c.rsin:
        body["statutaireNaam"] = c.naam
    body["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(c.handelsnamen or (c.naam,))]
    body["sbiActiviteiten"] = sbi(c.sbi)
    body["links"] = links(base, self=f"/api/v1/basisprofielen/{c.kvk_nummer}",
                          vestigingen=f"/api/v1/basisprofielen/{c.kvk_nummer}/vestigingen")
    embedded = {}
    if c.hoofdvestiging is not None:
        embedded["hoofdvestiging"] = vestiging(c.hoofdvestiging, c, base, geo_data=geo_data, embedded=True)
    embedded["eigenaar"] = eigenaar(c, base, geo_data=geo_data, embedded=True)
    body["_embedded"] = embedded
    return body


def vestiging_lijst(c: Company, base: str) -> dict:
    commercieel = sum(1 for v in c.vestigingen if v.commercieel)
    items = [{"vestigingsnummer": v.vestigingsnummer, "kvkNummer": c.kvk_nummer,
              "eersteHandelsnaam": v.eerste_handelsnaam, "indHoofdvestiging": ja(v.hoofd),
              "indAdresAfgeschermd": ja(any(a.afgeschermd for a in v.adressen)),
              "indCommercieleVestiging": ja(v.commercieel), "volledigAdres": volledig_adres(v.adressen[0]),
              "links": links(base, vestigingsprofiel=f"/api/v1/vestigingsprofielen/{v.vestigingsnummer}")}
             for v in c.vestigingen[:VESTIGINGEN_MAX]]
    return {"kvkNummer": c.kvk_nummer, "aantalCommercieleVestigingen": commercieel,
            "aantalNietCommercieleVestigingen": len(c.vestigingen) - commercieel,
            "totaalAantalVestigingen": len(c.vestigingen), "vestigingen": items,
            "links": links(base, self=f"/api/v1/basisprofielen/{c.kvk_nummer}/vestigingen",
                           basisprofiel=f"/api/v1/basisprofielen/{c.kvk_nummer}")}


def naamgeving(c: Company, base: str) -> dict:
    body: dict = {"kvkNummer": c.kvk_nummer}
    if c.rsin:
        body.update(rsin=c.rsin, statutaireNaam=c.naam)
    body.update(naam=c.naam, startdatum=c.datum_aanvang)
    if c.datum_einde:
        body["einddatum"] = c.datum_einde
    items = []
    for v in c.vestigingen[:VESTIGINGEN_MAX]:
        link = {"vestigingsprofiel": {"href": f"{base}/api/v1/vestigingsprofielen/{v.vestigingsnummer}"}}
        if v.commercieel:
            items.append({"vestigingsnummer": v.vestigingsnummer, "eersteHandelsnaam": v.eerste_handelsnaam,
                          "handelsnamen": [{"naam": n, "volgorde": i} for i, n in enumerate(v.namen)], "_links": link})
        else:
            items.append({"vestigingsnummer": v.vestigingsnummer, "naam": v.eerste_handelsnaam, "_links": link})
    body["vestigingen"] = items
    body["_links"] = {"self": {"href": f"{base}/api/v1/naamgevingen/kvknummer/{c.kvk_nummer}"},
                      "basisprofiel": {"href": f"{base}/api/v1/basisprofielen/{c.kvk_nummer}"}}
    return body
