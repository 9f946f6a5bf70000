"""The mapping tables: per StUF-BG entiteittype, which model field becomes which element by which rule.

Data, not code: each :class:`Rij` names its target element (``doel``), the model attribute it
reads (``bron``; ``"."`` = the whole object), the rule in ``regels.REGELS`` or ``emit``'s group
rules, and the VNG mapping rows it implements (ids ``SHEET:hr-path`` as ``dekking.vng_rijen``
computes them from the VNG csv). Element order is the bg0310 ``*-basis`` sequence (``VOLGORDE``);
each message flavour (antwoord, gerelateerde in an antwoord, kennisgeving, …) allows a subset
(``TOEGESTAAN``), exactly as the flavour's restriction type in the official schema does.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rij:
    doel: str
    bron: str
    regel: str
    vng: tuple[str, ...] = ()
    leeg: str = "waardeOnbekend"  # StUF:noValue when the element is asked for but has no value


_ADRES_BEZOEK = ("straatnaam", "huisnummer", "huisnummertoevoeging", "huisletter", "postcode", "plaats",
                 "BAGIdentificatie")
_BUITENLAND = ("straatHuisnummer", "postcodeWoonplaats", "regio", "land")


def _ids(blad: str, prefix: str, namen: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{blad}:{prefix}/{n}" for n in namen)


_SBI = ("hoofdSbiActiviteit", "nevenSbiActiviteit/sbiCode", "nevenSbiActiviteit/omschrijving",
        "nevenSbiActiviteit/hoofdActiviteit/+", "nevenSbiActiviteit/hoofdActiviteit/+#2")
_HANDELSNAAM = ("handeltOnder/gerelateerde/handelsnaam", "handeltOnder/gerelateerde/handelsnaam/+#2")

MAC = (
    Rij("kvkNummer", "kvk_nummer", "tekst_8", ("MAC:kvkNummer", "OND:kvkNummer")),
    Rij("authentiek", "kvk_nummer", "authentiek_als_gevuld", ("MAC:kvkNummer/+", "OND:kvkNummer/+")),
    Rij("datumAanvang", "datum_aanvang", "datum",
        ("MAC:datumAanvang", "OND:datumAanvang", "MAC:manifesteertZichAls/gerelateerde/datumAanvang")),
    Rij("datumVoortzetting", "datum_voortzetting", "datum"),
    Rij("datumEinde", "datum_einde", "datum",
        ("MAC:datumEinde", "OND:datumEinde", "MAC:manifesteertZichAls/gerelateerde/datumEinde"), leeg="geenWaarde"),
    Rij("handelsnaam", ".", "mac_handelsnamen",
        tuple(f"OND:{p}" for p in _HANDELSNAAM)
        + tuple(f"MAC:manifesteertZichAls/gerelateerde/{p}" for p in _HANDELSNAAM)),
    Rij("activiteit", "sbi_activiteiten", "activiteiten_met_volgorde",
        tuple(f"MAC:{p}" for p in _SBI) + tuple(f"OND:{p}" for p in _SBI)
        + tuple(f"MAC:manifesteertZichAls/gerelateerde/{p}" for p in _SBI)),
    Rij("StUF:tijdstipRegistratie", ".", "tijdstip_registratie",
        ("MAC:registratieTijdstip", "OND:registratieTijdstip", "MAC:manifesteertZichAls/gerelateerde/registratieTijdstip",
         "OND:handeltOnder/gerelateerde/registratieTijdstip",
         "MAC:manifesteertZichAls/gerelateerde/handeltOnder/gerelateerde/registratieTijdstip")),
)

NNP = (
    Rij("inn.nnpId", "rsin", "tekst_9", ("NNP:rsin",)),
    Rij("authentiek", "rsin", "authentiek_als_gevuld", ("NNP:rsin/+",)),
    Rij("statutaireNaam", "statutaire_naam", "statutaire_naam_500", ("NNP:naam",)),
    Rij("inn.rechtsvorm", ".", "rechtsvorm",
        ("RPS:rechtsvorm|PubliekrechtelijkeRechtsvorm|overigePrivaatrechtelijkeRechtsvorm", "EMM:rechtsvorm",
         "SWV:rechtsvorm", "BVS:buitenlandseVennootschap/omschrijvingRechtsvorm",
         "BVS:buitenlandseVennootschap/rechtsvormcategorie")),
    Rij("inn.statutaireZetel", "statutaire_zetel", "inkorten_40", ("RPS:statutaireZetel", "BVS:buitenlandseVennootschap/zetel")),
    Rij("datumAanvang", "datum_aanvang", "datum", ("PRS:datumAanvang",)),
    Rij("datumEinde", "datum_einde", "datum", ("PRS:datumEinde",), leeg="geenWaarde"),
    Rij("sub.correspondentieAdres", ".", "correspondentieadres",
        ("RPS:postLocatie/binnenlandsAdres/+",) + _ids("RPS", "postLocatie/binnenlandsAdres", _ADRES_BEZOEK + ("postbusnummer",))
        + ("BVS:postLocatie",)),
    Rij("bezoekadres", ".", "bezoekadres",
        ("RPS:bezoekLocatie/binnenlandsAdres/+",) + _ids("RPS", "bezoekLocatie/binnenlandsAdres", _ADRES_BEZOEK)
        + _ids("RPS", "bezoekLocatie/buitenlandsAdres", _BUITENLAND) + _ids("RPS", "postLocatie/buitenlandsAdres", _BUITENLAND)
        + ("BVS:bezoekLocatie",)),
    Rij("sub.telefoonnummer", "communicatie", "telefoonnummer", ("RPS:communicatieGegevens/nummer",)),
    Rij("sub.faxnummer", "communicatie", "faxnummer"),
    Rij("sub.emailadres", "communicatie", "emailadres", ("RPS:communicatieGegevens/emailAdres",)),
    Rij("sub.url", "websites", "eerste_url", ("RPS:communicatieGegevens/domeinnaam",)),
    Rij("StUF:tijdstipRegistratie", ".", "tijdstip_registratie", ("PRS:registratieTijdstip",)),
    Rij("StUF:extraElementen", "bijzondere_rechtstoestand", "extra_bijzondere_rechtstoestand",
        tuple(f"PRS:bijzondereRechtstoestand/{s}" for s in ("schuldsanering", "surseanceVanBetaling", "faillissement"))),
)

VES = (
    Rij("vestigingsNummer", "vestigingsnummer", "tekst_12", ("VES:vestigingsnummer",)),
    Rij("authentiek", "vestigingsnummer", "authentiek_als_gevuld"),
    Rij("handelsnaam", ".", "ves_handelsnamen",
        tuple(f"CVS:{p}" for p in _HANDELSNAAM) + ("NCV:naam", "NCV:naamVerkort")),
    Rij("datumAanvang", "datum_aanvang", "datum", ("VES:datumAanvang",)),
    Rij("datumEinde", "datum_einde", "datum", ("VES:datumEinde",), leeg="geenWaarde"),
    Rij("activiteit", "sbi_activiteiten", "activiteiten",
        tuple(f"{b}:activiteiten/{p}" for b in ("CVS", "NCV") for p in (
            "hoofdSbiActiviteit", "sbiActiviteit/sbiCode", "sbiActiviteit/omschrijving", "sbiActiviteit/hoofdActiviteit/+"))),
    Rij("typeringVestiging", "hoofdvestiging", "typering_vestiging"),
    Rij("verblijfsadres", ".", "verblijfsadres",
        ("VES:bezoekLocatie/binnenlandsAdres/+",) + _ids("VES", "bezoekLocatie/binnenlandsAdres", _ADRES_BEZOEK)
        + _ids("VES", "bezoekLocatie/buitenlandsAdres", _BUITENLAND) + _ids("VES", "postLocatie/buitenlandsAdres", _BUITENLAND)),
    Rij("sub.correspondentieAdres", ".", "correspondentieadres",
        ("VES:postLocatie/binnenlandsAdres/+",) + _ids("VES", "postLocatie/binnenlandsAdres", _ADRES_BEZOEK + ("postbusnummer",))
        + ("VES:bezoekLocatie/binnenlandsAdres/postbusnummer#2", "VES:bezoekLocatie/binnenlandsAdres/postcode#2",
           "VES:bezoekLocatie/binnenlandsAdres/plaats#2", "VES:bezoekLocatie/binnenlandsAdres/BAGIdentificatie/+")),
    Rij("sub.telefoonnummer", "communicatie", "telefoonnummer", ("VES:communicatieGegevens/nummer",)),
    Rij("sub.faxnummer", "communicatie", "faxnummer"),
    Rij("sub.emailadres", "communicatie", "emailadres", ("VES:communicatieGegevens/emailAdres",)),
    Rij("sub.url", "websites", "eerste_url", ("VES:communicatieGegevens/domeinnaam",)),
    Rij("StUF:tijdstipRegistratie", ".", "tijdstip_registratie",
        ("VES:registratieTijdstip", "CVS:handeltOnder/gerelateerde/registratieTijdstip")),
)

NPS = (
    Rij("inp.bsn", "bsn", "tekst_9"),
    Rij("authentiek", "bsn", "authentiek_nee"),
    Rij("geslachtsnaam", "geslachtsnaam", "tekst"),
    Rij("voorvoegselGeslachtsnaam", "voorvoegsel_geslachtsnaam", "tekst"),
    Rij("voornamen", "voornamen", "tekst"),
    Rij("geslachtsaanduiding", "geslachtsaanduiding", "tekst"),
)

TABELLEN = {"MAC": MAC, "NNP": NNP, "VES": VES, "NPS": NPS}

# Relations and the VNG rows they implement (their tijdvakRelatie / tijdstipRegistratie included).
RELATIES = {
    ("MAC", "heeftAlsEigenaar"): ("MAC:heeftAlsEigenaar", "MAC:heeftAlsEigenaar/StUF:tijdvakRelatie",
                                  "OND:wordtUitgeoefendDoor/gerelateerde/heeftAlsEigenaar",
                                  "OND:wordtUitgeoefendDoor/gerelateerde/heeftAlsEigenaar/StUF:tijdvakRelatie"),
    ("MAC", "oefentActiviteitUitIn"): ("MAC:wordtUitgeoefendIn", "MAC:wordtUitgeoefendIn/StUF:tijdvakRelatie",
                                       "MAC:wordtGeleidVanuit", "MAC:wordtGeleidVanuit/StUF:tijdvakRelatie",
                                       "OND:wordtUitgeoefendIn", "OND:wordtUitgeoefendIn/StUF:tijdvakRelatie"),
    ("VES", "oefentActiviteitenUitVoor"): tuple(f"{b}:wordtUitgeoefendDoor{s}" for b in ("CVS", "NCV") for s in (
        "", "/gerelateerde", "/StUF:tijdvakRelatie")),
    ("NNP", "rps.isEigenaarVan"): ("PRS:isEigenaarVan/StUF:tijdvakRelatie",),
    ("NNP", "inn.heeftAlsFunctionaris"): tuple(
        "PRS:heeftAansprakelijke|heeftBestuursfunctionaris|heeftCurator|heeftRechterCommissaris|heeftBewindvoerder|"
        "heeftOverigeFunctionaris|HeeftPubliekRechtelijkeFunctionaris" + s for s in ("", "/gerelateerde")),
}

# Element order of the bg0310 *-basis types (groups named by their first element).
VOLGORDE = {
    "MAC": ("kvkNummer", "authentiek", "datumAanvang", "datumVoortzetting", "datumEinde", "handelsnaam",
            "activiteit", "inOnderzoek", "StUF:tijdvakGeldigheid", "StUF:tijdstipRegistratie", "StUF:extraElementen",
            "heeftAlsEigenaar", "oefentActiviteitUitIn"),
    "NNP": ("inn.nnpId", "authentiek", "ann.identificatie", "sub.typering", "statutaireNaam", "inn.rechtsvorm",
            "inn.statutaireZetel", "datumAanvang", "inn.datumVoortzetting", "datumEinde", "sub.correspondentieAdres",
            "bezoekadres", "sub.telefoonnummer", "sub.faxnummer", "sub.emailadres", "sub.url",
            "sub.rekeningnummerBankGiro", "inOnderzoek", "StUF:tijdvakGeldigheid", "StUF:tijdstipRegistratie",
            "StUF:extraElementen", "inn.heeftAlsFunctionaris", "rps.isEigenaarVan"),
    "VES": ("vestigingsNummer", "authentiek", "handelsnaam", "datumAanvang", "datumEinde", "activiteit",
            "typeringVestiging", "verblijfsadres", "sub.correspondentieAdres", "sub.telefoonnummer", "sub.faxnummer",
            "sub.emailadres", "sub.url", "sub.rekeningnummerBankGiro", "inOnderzoek", "StUF:tijdvakGeldigheid",
            "StUF:tijdstipRegistratie", "StUF:extraElementen", "oefentActiviteitenUitVoor", "heeftAlsHoofdLocatie",
            "heeftAlsNevenLocatie"),
    "NPS": ("inp.bsn", "authentiek", "geslachtsnaam", "voorvoegselGeslachtsnaam", "voornamen", "geslachtsaanduiding"),
}
# Elements inside the groups above that the group's key stands for.
IN_GROEP = {"handelsnaamVerkort": "handelsnaam", "volgorde": "handelsnaam", "sub.verblijfBuitenland": None}


def _zonder(entiteit: str, *weg: str) -> frozenset[str]:
    return frozenset(VOLGORDE[entiteit]) - set(weg) | {"handelsnaamVerkort", "volgorde", "sub.verblijfBuitenland"} - set(weg)


# Flavour → allowed element names (bg0310 restriction types of vraagAntwoord and mutatie).
TOEGESTAAN = {
    ("MAC", "antwoord"): _zonder("MAC"),
    ("MAC", "gerelateerdeAntwoord"): _zonder("MAC", "oefentActiviteitUitIn"),
    ("MAC", "gerelateerdeRPSAntwoord"): _zonder("MAC", "heeftAlsEigenaar"),
    ("MAC", "kennisgeving"): _zonder("MAC"),
    ("MAC", "gerelateerdeKennisgeving"): _zonder("MAC", "datumVoortzetting", "volgorde", "inOnderzoek",
                                                 "StUF:tijdstipRegistratie", "oefentActiviteitUitIn"),
    ("MAC", "kerngegevensKennisgeving"): frozenset({"kvkNummer", "authentiek", "handelsnaam"}),
    ("NNP", "antwoord"): _zonder("NNP"),
    ("NNP", "gerelateerdeAntwoord"): _zonder("NNP", "inn.heeftAlsFunctionaris", "rps.isEigenaarVan"),
    ("NNP", "kennisgeving"): _zonder("NNP", "rps.isEigenaarVan"),
    ("NNP", "gerelateerdeKennisgeving"): _zonder("NNP", "sub.typering", "inn.statutaireZetel", "inn.datumVoortzetting",
                                                 "sub.url", "inOnderzoek", "StUF:tijdstipRegistratie",
                                                 "inn.heeftAlsFunctionaris", "rps.isEigenaarVan"),
    ("NNP", "kerngegevensKennisgeving"): frozenset({"inn.nnpId", "authentiek", "statutaireNaam", "inn.rechtsvorm",
                                                   "bezoekadres", "sub.verblijfBuitenland"}),
    ("VES", "antwoord"): _zonder("VES"),
    ("VES", "gerelateerdeAntwoord"): _zonder("VES", "oefentActiviteitenUitVoor", "heeftAlsNevenLocatie"),
    ("VES", "kennisgeving"): _zonder("VES"),
    ("VES", "gerelateerdeKennisgeving"): _zonder("VES", "volgorde", "typeringVestiging", "sub.url", "inOnderzoek",
                                                 "StUF:tijdstipRegistratie", "oefentActiviteitenUitVoor",
                                                 "heeftAlsNevenLocatie"),
    ("NPS", "gerelateerdeAntwoord"): frozenset(VOLGORDE["NPS"]),
    ("NPS", "kerngegevensKennisgeving"): frozenset(VOLGORDE["NPS"]),
}
# Flavours whose adres groups are the *-kerngegevens variant.
KERN_ADRES = {("NNP", "gerelateerdeAntwoord"), ("NNP", "gerelateerdeKennisgeving"), ("NNP", "kerngegevensKennisgeving"),
              ("VES", "gerelateerdeKennisgeving")}

GEIMPLEMENTEERD = frozenset(
    i for tabel in TABELLEN.values() for rij in tabel for i in rij.vng
) | frozenset(i for ids in RELATIES.values() for i in ids)

_GEEN_LOCATIEHISTORIE = ("StUF-HR and the KVK APIs carry no history per locatie/communicatie group; "
                         "the object's own StUF:tijdvakGeldigheid/tijdstipRegistratie is written instead")
_EXTRA = "extraElement from deponeringen/aansprakelijkheid: neither KVK REST nor our StUF-HR subset supplies it"

_GEEN_RELATIEREGISTRATIE = ("the sources give no registration time per relation; the gerelateerde's own "
                            "StUF:tijdstipRegistratie is written instead")
_GEEN_EXTRA = "not defined as an extraElement in bg0310 (Analyse NHR–RSGB §4: only bijzondereRechtstoestand, onderBewind)"

NIET_GEMAPT: dict[str, str] = {
    **{i: _GEEN_RELATIEREGISTRATIE for i in (
        "MAC:heeftAlsEigenaar/StUF:tijdstipRegistratie",
        "OND:wordtUitgeoefendDoor/gerelateerde/heeftAlsEigenaar/StUF:tijdstipRegistratie",
        "MAC:wordtUitgeoefendIn/StUF:tijdstipRegistratie", "MAC:wordtGeleidVanuit/StUF:tijdstipRegistratie",
        "OND:wordtUitgeoefendIn/StUF:tijdstipRegistratie", "CVS:wordtUitgeoefendDoor/StUF:tijdstipRegistratie",
        "NCV:wordtUitgeoefendDoor/StUF:tijdstipRegistratie", "PRS:isEigenaarVan/StUF:tijdstipRegistratie")},
    **{f"PRS:{g}/tijdvakGeldigheid/{t}": _GEEN_EXTRA for g in ("bijzondereRechtstoestand", "beperkingInRechtshandeling")
       for t in ("beginGeldigheid", "eindGeldigheid")},
    "PRS:beperkingInRechtshandeling/soort": "onderBewind is an extraElement of NPS only; NNP has none",
    **{f"{b}:{g}/StUF:{e}": _GEEN_LOCATIEHISTORIE for b in ("RPS", "VES") for g in
       ("postLocatie", "bezoekLocatie", "communicatieGegevens") for e in ("tijdvakGeldigheid", "tijdstipRegistratie")},
    **{f"{b}:activiteiten/StUF:{e}": _GEEN_LOCATIEHISTORIE for b in ("CVS", "NCV")
       for e in ("tijdvakGeldigheid", "tijdstipRegistratie")},
    **{f"BVS:buitenlandseVennootschap/StUF:{e}": _GEEN_LOCATIEHISTORIE for e in ("tijdvakGeldigheid", "tijdstipRegistratie")},
    "VES:bezoekLocatie/toevoegingAdres": "bg0310 VerblijfsadresGrpNNPVES-* has no inp.locatiebeschrijving",
    "MAC:manifesteertZichAls/gerelateerde/handeltOnder/gerelateerde/handelsnaam/+": "handelsnaamVerkort: 'wordt niet opgenomen' (VNG rule)",
    "OND:handeltOnder/gerelateerde/handelsnaam/+": "handelsnaamVerkort: 'wordt niet opgenomen' (VNG rule)",
    "CVS:handeltOnder/gerelateerde/handelsnaam/+": "handelsnaamVerkort: 'wordt niet opgenomen' (VNG rule)",
    "CVS:activiteiten/sbiActiviteit/hoofdActiviteit/+#2": "VES activiteit is ActiviteitGrpZonderVolgorde in bg0310",
    "NCV:activiteiten/sbiActiviteit/hoofdActiviteit/+#2": "VES activiteit is ActiviteitGrpZonderVolgorde in bg0310",
    **{i: _EXTRA for i in (
        "NNP:heeftGedeponeerd/gerelateeerde/jaarstukJaarrekening/datumVaststelling",
        "NNP:heeftGedeponeerd/gerelateeerde/jaarstukJaarrekening/vaststelling",
        "NNP:heeftGedeponeerd/gerelateeerde/jaarstukJaarrekening/plaatsJaarverslag",
        *(f"NNP:{rel}/gerelateerde/{soort}/{veld}"
          for rel in ("isAansprakelijkVoor", "isDochterVan")
          for soort in ("buitenlandseVennootschap", "eenmanszaakMetMeerdereEigenaren", "rechtspersoon",
                        "rechtspersoonInOprichting", "samenwerkingsverband")
          for veld in ("rsin", "naam")),
        *(f"NNP:{rel}/tijdvakRelatie/{t}" for rel in ("isAansprakelijkVoor", "isDochterVan")
          for t in ("beginRelatie", "eindRelatie")),
    )},
}
