"""KVK Handelsregister REST JSON (Basisprofiel, Vestigingsprofiel, Zoeken v2, Naamgeving) → model.

Shapes exactly as KVK serves them (shared kvk/FACTS.md §1.2–1.4, §1.7): ``links`` arrays and
``_links`` objects are both ignored, ``volgorde`` may start at 0, ``volledigAdres`` is padded,
indicators are "Ja"/"Nee", dates ``JJJJMMDD`` strings, any field may be missing. Unknown fields
are ignored; a missing field becomes ``None``; only input that cannot identify a company raises
:class:`MappingFout`.
"""
from __future__ import annotations

from typing import Any

from knoop_esb.transform import bron
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (
    Adres,
    Handelsnaam,
    MaatschappelijkeActiviteit,
    NatuurlijkPersoon,
    NietNatuurlijkPersoon,
    SbiActiviteit,
    Vestiging,
)

_EENMANSZAAK = "eenmanszaak"


def _root(data: Any, wat: str) -> dict:
    if not isinstance(data, dict):
        raise MappingFout(f"{wat}: verwacht een JSON-object, kreeg {type(data).__name__}")
    return data


def handelsnamen(items: Any, plek: str) -> tuple[Handelsnaam, ...]:
    out = []
    for i, item in enumerate(bron.lijst(items, plek)):
        item = bron.object_(item, f"{plek}[{i}]")
        naam = bron.tekst(item.get("naam"))
        if naam:
            volgorde = bron.geheel(item.get("volgorde"), f"{plek}[{i}].volgorde")
            out.append(Handelsnaam(naam=naam, volgorde=i if volgorde is None else volgorde))
    return tuple(sorted(out, key=lambda h: h.volgorde))


def sbi_activiteiten(items: Any, plek: str) -> tuple[SbiActiviteit, ...]:
    out = []
    for i, item in enumerate(bron.lijst(items, plek)):
        item = bron.object_(item, f"{plek}[{i}]")
        code = bron.sbi_code(item.get("sbiCode"), f"{plek}[{i}].sbiCode")
        if code is None:
            continue
        hoofd = item.get("indHoofdactiviteit", item.get("isHoofdactiviteit"))
        out.append(SbiActiviteit(code, bron.tekst(item.get("sbiOmschrijving")), bool(bron.indicatie(hoofd))))
    return tuple(out)


def adres(item: Any, plek: str) -> Adres:
    item = bron.object_(item, plek)
    geo = bron.object_(item.get("geoData"), f"{plek}.geoData")
    soort = (bron.tekst(item.get("type")) or "bezoekadres").lower()
    if soort == "postadres":  # Zoeken's name for the correspondentieadres
        soort = "correspondentieadres"
    return Adres(
        type=soort,
        afgeschermd=bool(bron.indicatie(item.get("indAfgeschermd"))),
        straatnaam=bron.tekst(item.get("straatnaam")),
        huisnummer=bron.geheel(item.get("huisnummer"), f"{plek}.huisnummer") or None,
        huisletter=bron.tekst(item.get("huisletter")),
        huisnummer_toevoeging=bron.tekst(item.get("huisnummerToevoeging")),
        toevoeging_adres=bron.tekst(item.get("toevoegingAdres")),
        postcode=bron.postcode(item.get("postcode")),
        postbusnummer=bron.geheel(item.get("postbusnummer"), f"{plek}.postbusnummer") or None,
        plaats=bron.tekst(item.get("plaats")),
        land=bron.tekst(item.get("land")),
        straat_huisnummer=bron.tekst(item.get("straatHuisnummer")),
        postcode_woonplaats=bron.tekst(item.get("postcodeWoonplaats")),
        regio=bron.tekst(item.get("regio")),
        volledig_adres=bron.tekst(item.get("volledigAdres")),
        bag_adresseerbaar_object_id=bron.tekst(geo.get("addresseerbaarObjectId") or geo.get("adresseerbaarObjectId")),
        bag_nummeraanduiding_id=bron.tekst(geo.get("nummerAanduidingId")),
    )


def adressen(items: Any, plek: str) -> tuple[Adres, ...]:
    return tuple(adres(item, f"{plek}[{i}]") for i, item in enumerate(bron.lijst(items, plek)))


def _websites(items: Any, plek: str) -> tuple[str, ...]:
    return tuple(w for w in (bron.tekst(x) for x in bron.lijst(items, plek)) if w)


def vestigingsprofiel(data: Any, plek: str = "vestigingsprofiel") -> Vestiging:
    """A Vestigingsprofiel, an ``_embedded.hoofdvestiging`` or a ``/vestigingen`` list item."""
    data = _root(data, plek)
    materieel = bron.object_(data.get("materieleRegistratie"), f"{plek}.materieleRegistratie")
    basis = "adressen" not in data and ("volledigAdres" in data or "indAdresAfgeschermd" in data)
    adr = adressen(data.get("adressen"), f"{plek}.adressen")
    if basis and bron.tekst(data.get("volledigAdres")):
        adr = (Adres(type="bezoekadres", afgeschermd=bool(bron.indicatie(data.get("indAdresAfgeschermd"))),
                     volledig_adres=bron.tekst(data.get("volledigAdres"))),)
    return Vestiging(
        vestigingsnummer=bron.nummer(data.get("vestigingsnummer"), 12, f"{plek}.vestigingsnummer"),
        kvk_nummer=bron.nummer(data.get("kvkNummer"), 8, f"{plek}.kvkNummer", verplicht=False),
        commercieel=bron.indicatie(data.get("indCommercieleVestiging")),
        hoofdvestiging=bron.indicatie(data.get("indHoofdvestiging")),
        eerste_handelsnaam=bron.tekst(data.get("eersteHandelsnaam")),
        handelsnamen=handelsnamen(data.get("handelsnamen"), f"{plek}.handelsnamen"),
        sbi_activiteiten=sbi_activiteiten(data.get("sbiActiviteiten"), f"{plek}.sbiActiviteiten"),
        adressen=adr,
        websites=_websites(data.get("websites"), f"{plek}.websites"),
        voltijd_werkzame_personen=bron.geheel(data.get("voltijdWerkzamePersonen"), f"{plek}.voltijdWerkzamePersonen"),
        deeltijd_werkzame_personen=bron.geheel(data.get("deeltijdWerkzamePersonen"), f"{plek}.deeltijdWerkzamePersonen"),
        totaal_werkzame_personen=bron.geheel(data.get("totaalWerkzamePersonen"), f"{plek}.totaalWerkzamePersonen"),
        datum_aanvang=bron.datum(materieel.get("datumAanvang"), f"{plek}.materieleRegistratie.datumAanvang"),
        datum_einde=bron.datum(materieel.get("datumEinde"), f"{plek}.materieleRegistratie.datumEinde"),
        formele_registratiedatum=bron.datum(data.get("formeleRegistratiedatum"), f"{plek}.formeleRegistratiedatum"),
        alleen_basis=basis,
    )


def eigenaar(data: Any, statutaire_naam: str | None = None, rsin: str | None = None,
             plek: str = "eigenaar") -> NietNatuurlijkPersoon | NatuurlijkPersoon | None:
    """KVK's Eigenaar. An eenmanszaak without RSIN is owned by a natuurlijk persoon KVK does not name."""
    data = bron.object_(data, plek)
    rsin = bron.nummer(data.get("rsin"), 9, f"{plek}.rsin", verplicht=False) or rsin
    rechtsvorm = bron.tekst(data.get("rechtsvorm"))
    adr = adressen(data.get("adressen"), f"{plek}.adressen")
    if not data and not statutaire_naam and not rsin:
        return None
    if rsin is None and (rechtsvorm or "").lower() == _EENMANSZAAK:
        return NatuurlijkPersoon(rechtsvorm=rechtsvorm, adressen=adr)
    return NietNatuurlijkPersoon(
        rsin=rsin,
        statutaire_naam=statutaire_naam,
        rechtsvorm=rechtsvorm,
        uitgebreide_rechtsvorm=bron.tekst(data.get("uitgebreideRechtsvorm")),
        datum_uitschrijving=bron.datum(data.get("datumUitschrijving"), f"{plek}.datumUitschrijving"),
        adressen=adr,
        websites=_websites(data.get("websites"), f"{plek}.websites"),
    )


def vestigingen(data: Any, plek: str = "vestigingen") -> tuple[Vestiging, ...]:
    """``/basisprofielen/{kvk}/vestigingen`` (a VestigingList) or a plain list of vestigingen."""
    items = data.get("vestigingen") if isinstance(data, dict) else data
    return tuple(vestigingsprofiel(v, f"{plek}[{i}]") for i, v in enumerate(bron.lijst(items, plek)))


def basisprofiel(data: Any, vestigingen: Any = None,
                 vestigingsprofielen: tuple = ()) -> MaatschappelijkeActiviteit:
    """A Basisprofiel with its ``_embedded`` hoofdvestiging and eigenaar.

    ``vestigingen`` is the separate ``/vestigingen`` answer (VestigingList or list);
    ``vestigingsprofielen`` are full Vestigingsprofiel answers that replace their short entries.
    """
    data = _root(data, "basisprofiel")
    kvk_nummer = bron.nummer(data.get("kvkNummer"), 8, "basisprofiel.kvkNummer")
    embedded = bron.object_(data.get("_embedded"), "basisprofiel._embedded")
    materieel = bron.object_(data.get("materieleRegistratie"), "basisprofiel.materieleRegistratie")
    namen = handelsnamen(data.get("handelsnamen"), "basisprofiel.handelsnamen")
    hoofd = None
    if embedded.get("hoofdvestiging"):
        hoofd = vestigingsprofiel(embedded["hoofdvestiging"], "basisprofiel._embedded.hoofdvestiging")
        # Basisprofiel's handelsnamen are the hoofdvestiging's (KVK FAQ); the embedded copy omits them.
        hoofd = _aanvullen(hoofd, kvk_nummer, namen, True)
    hoofd_rsin = None
    if isinstance(embedded.get("hoofdvestiging"), dict):
        hoofd_rsin = bron.nummer(embedded["hoofdvestiging"].get("rsin"), 9, "hoofdvestiging.rsin", verplicht=False)
    rsin = bron.nummer(data.get("rsin"), 9, "basisprofiel.rsin", verplicht=False) or hoofd_rsin
    lijst_ = _met_profielen(
        tuple(_aanvullen(v, kvk_nummer) for v in kvk_vestigingen(vestigingen)), vestigingsprofielen, kvk_nummer
    )
    return MaatschappelijkeActiviteit(
        kvk_nummer=kvk_nummer,
        naam=bron.tekst(data.get("naam")),
        non_mailing=bron.indicatie(data.get("indNonMailing")),
        onderneming=True if hoofd is not None and hoofd.commercieel else None,
        datum_aanvang=bron.datum(materieel.get("datumAanvang"), "basisprofiel.materieleRegistratie.datumAanvang"),
        datum_einde=bron.datum(materieel.get("datumEinde"), "basisprofiel.materieleRegistratie.datumEinde"),
        formele_registratiedatum=bron.datum(data.get("formeleRegistratiedatum"), "basisprofiel.formeleRegistratiedatum"),
        handelsnamen=namen,
        sbi_activiteiten=sbi_activiteiten(data.get("sbiActiviteiten"), "basisprofiel.sbiActiviteiten"),
        totaal_werkzame_personen=bron.geheel(data.get("totaalWerkzamePersonen"), "basisprofiel.totaalWerkzamePersonen"),
        eigenaar=eigenaar(embedded.get("eigenaar"), bron.tekst(data.get("statutaireNaam")), rsin,
                          "basisprofiel._embedded.eigenaar"),
        hoofdvestiging=hoofd,
        vestigingen=lijst_,
        aantal_vestigingen=(bron.geheel(vestigingen.get("totaalAantalVestigingen"), "vestigingen.totaalAantalVestigingen")
                            if isinstance(vestigingen, dict) else None),
    )


def kvk_vestigingen(data: Any) -> tuple[Vestiging, ...]:
    return () if data is None else vestigingen(data)


def _aanvullen(ves: Vestiging, kvk_nummer: str, namen: tuple = (), hoofd: bool | None = None) -> Vestiging:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if ves.kvk_nummer is None:
        changes["kvk_nummer"] = kvk_nummer
    if namen and not ves.handelsnamen:
        changes["handelsnamen"] = namen
    if hoofd is not None and ves.hoofdvestiging is None:
        changes["hoofdvestiging"] = hoofd
    return replace(ves, **changes) if changes else ves


def _met_profielen(lijst_: tuple[Vestiging, ...], profielen: tuple, kvk_nummer: str) -> tuple[Vestiging, ...]:
    volledig = {v.vestigingsnummer: _aanvullen(v, kvk_nummer)
                for v in (vestigingsprofiel(p, f"vestigingsprofielen[{i}]") for i, p in enumerate(profielen))}
    out = [volledig.pop(v.vestigingsnummer, v) for v in lijst_]
    return tuple(out) + tuple(volledig.values())


def zoeken(data: Any) -> tuple[MaatschappelijkeActiviteit, ...]:
    """Zoeken v2 ``resultaten``: one short MaatschappelijkeActiviteit per kvkNummer, in KVK's order."""
    data = _root(data, "zoeken")
    per_kvk: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(bron.lijst(data.get("resultaten"), "zoeken.resultaten")):
        plek = f"zoeken.resultaten[{i}]"
        item = bron.object_(item, plek)
        kvk_nummer = bron.nummer(item.get("kvkNummer"), 8, f"{plek}.kvkNummer")
        entry = per_kvk.setdefault(kvk_nummer, {"naam": None, "vestigingen": [], "rsin": None})
        soort = bron.tekst(item.get("type")) or ""
        naam = bron.tekst(item.get("naam"))
        if soort == "rechtspersoon" or not item.get("vestigingsnummer"):
            entry["naam"] = entry["naam"] or naam
            entry["rsin"] = bron.nummer(item.get("rsin"), 9, f"{plek}.rsin", verplicht=False)
            continue
        entry["vestigingen"].append(_zoek_vestiging(item, kvk_nummer, soort, naam, plek))
        if soort == "hoofdvestiging":
            entry["naam"] = entry["naam"] or naam
    return tuple(
        MaatschappelijkeActiviteit(
            kvk_nummer=k,
            naam=e["naam"],
            eigenaar=NietNatuurlijkPersoon(rsin=e["rsin"], alleen_basis=True) if e["rsin"] else None,
            vestigingen=tuple(e["vestigingen"]),
            alleen_basis=True,
        )
        for k, e in per_kvk.items()
    )


def _zoek_vestiging(item: dict, kvk_nummer: str, soort: str, naam: str | None, plek: str) -> Vestiging:
    adres_ = bron.object_(item.get("adres"), f"{plek}.adres")
    adr = []
    if adres_.get("binnenlandsAdres"):
        adr.append(adres(adres_["binnenlandsAdres"], f"{plek}.adres.binnenlandsAdres"))
    if adres_.get("buitenlandsAdres"):
        adr.append(adres(adres_["buitenlandsAdres"], f"{plek}.adres.buitenlandsAdres"))
    return Vestiging(
        vestigingsnummer=bron.nummer(item.get("vestigingsnummer"), 12, f"{plek}.vestigingsnummer"),
        kvk_nummer=kvk_nummer,
        hoofdvestiging={"hoofdvestiging": True, "nevenvestiging": False}.get(soort),
        eerste_handelsnaam=naam,
        handelsnamen=(Handelsnaam(naam, 0),) if naam else (),
        adressen=tuple(adr),
        alleen_basis=True,
    )


def naamgeving(data: Any) -> MaatschappelijkeActiviteit:
    """Naamgeving: the names of a registration and of each of its vestigingen."""
    data = _root(data, "naamgeving")
    kvk_nummer = bron.nummer(data.get("kvkNummer"), 8, "naamgeving.kvkNummer")
    rsin = bron.nummer(data.get("rsin"), 9, "naamgeving.rsin", verplicht=False)
    statutaire_naam = bron.tekst(data.get("statutaireNaam"))
    ves = []
    for i, item in enumerate(bron.lijst(data.get("vestigingen"), "naamgeving.vestigingen")):
        plek = f"naamgeving.vestigingen[{i}]"
        item = bron.object_(item, plek)
        namen = handelsnamen(item.get("handelsnamen"), f"{plek}.handelsnamen")
        commercieel = bool(namen or item.get("eersteHandelsnaam"))
        ves.append(Vestiging(
            vestigingsnummer=bron.nummer(item.get("vestigingsnummer"), 12, f"{plek}.vestigingsnummer"),
            kvk_nummer=kvk_nummer,
            commercieel=commercieel,
            eerste_handelsnaam=bron.tekst(item.get("eersteHandelsnaam")),
            naam=None if commercieel else bron.tekst(item.get("naam")),
            handelsnamen=namen,
            alleen_basis=True,
        ))
    return MaatschappelijkeActiviteit(
        kvk_nummer=kvk_nummer,
        naam=bron.tekst(data.get("naam")),
        datum_aanvang=bron.datum(data.get("startdatum"), "naamgeving.startdatum"),
        datum_einde=bron.datum(data.get("einddatum"), "naamgeving.einddatum"),
        eigenaar=NietNatuurlijkPersoon(rsin=rsin, statutaire_naam=statutaire_naam) if (rsin or statutaire_naam) else None,
        vestigingen=tuple(ves),
    )
