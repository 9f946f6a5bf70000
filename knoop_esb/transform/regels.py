"""The VNG mapping's rules (Mapping_hr0300_bg0310, csv/*.csv "opmerking" column) as small pure functions.

Each rule takes the target element name, the source value and the emit context and returns the
elements to write (an empty list = no value). The mapping tables (``tabellen.py``) name rules by
their key in :data:`REGELS`, so a table row reads like the VNG row it implements.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from knoop_esb.transform import stufxml as x
from knoop_esb.transform.model import Adres, Handelsnaam, SbiActiviteit

_POSTCODE = re.compile(r"^[1-9][0-9]{3}[A-Z]{0,2}$")
_ADRES_KERN = frozenset({"aoa.identificatie", "authentiek", "wpl.woonplaatsNaam", "gor.openbareRuimteNaam",
                         "aoa.postcode", "aoa.huisnummer", "aoa.huisletter", "aoa.huisnummertoevoeging"})


def inkorten(tekst: str, lengte: int) -> str:
    return tekst[:lengte]


def handelsnaam_200(naam: str) -> str:
    """Longer than 200: cut to 197 and mark the cut with '...' in the last three positions."""
    return naam if len(naam) <= 200 else naam[:197] + "..."


def sbi_code_15(code: str) -> str:
    return code.zfill(15)


def postcode(waarde: str | None) -> str | None:
    """Cijfercombinatie + lettercombinatie concatenated; only a valid Dutch postcode is written."""
    if not waarde:
        return None
    waarde = waarde.replace(" ", "").upper()
    return waarde if _POSTCODE.match(waarde) else None


def huisnummertoevoeging(waarde: str | None) -> str | None:
    if not waarde:
        return None
    schoon = re.sub(r"[^A-Za-z0-9]", "", waarde)[:4]
    return schoon or None


def huisletter(waarde: str | None) -> str | None:
    return waarde if waarde and len(waarde) == 1 and waarde.isascii() and waarde.isalpha() else None


def huisnummer(waarde: int | None) -> int | None:
    return waarde if waarde is not None and 0 < waarde <= 99999 else None


# PRS rule: functie longer than 40 characters has a fixed short form; anything else is kept (≤ 40).
_FUNCTIE_KORT = {
    "PersoonKrachtensStatutenBevoegdBijOntstentenisOfBeletVanDeBestuurders": "Persoon bevoegd bij ontstentenis/belet",
    "PubliekrechtelijkeRechtspersoonPrivaatrechtelijkGevolmachtigde": "Privaatrechtelijk gevolmachtigde",
    "PubliekrechtelijkeLidToezichthoudendOrgaan": "Publiekrechtelijk lid toezichth. Orgaan",
}


def functionaris_type(functie: str | None) -> str | None:
    if not functie:
        return None
    return functie if len(functie) <= 40 else _FUNCTIE_KORT.get(functie, functie[:40])


def bag_id(waarde: str | None) -> str | None:
    return waarde if waarde and len(waarde) == 16 and waarde.isdigit() else None


# --- rules: (doel, waarde, ctx) -> list[element] ---------------------------------------------------


def r_tekst(lengte: int) -> Callable:
    def regel(doel: str, waarde: Any, ctx: Any) -> list:
        return [x.element(doel, inkorten(str(waarde), lengte))] if waarde else []
    return regel


def r_authentiek_als_gevuld(doel: str, waarde: Any, ctx: Any) -> list:
    """"Als <nummer> gevuld is, dan wordt authentiek gevuld met true"."""
    return [x.metagegeven(doel, "J")] if waarde else []


def r_datum(doel: str, waarde: Any, ctx: Any) -> list:
    return [x.datum(doel, waarde)] if waarde else []


def r_tijdstip(doel: str, waarde: Any, ctx: Any) -> list:
    return [x.element(doel, waarde)] if waarde else []


def r_handelsnamen(doel: str, namen: tuple[Handelsnaam, ...], ctx: Any) -> list:
    """One handelsnaam + volgorde per name; volgorde starts at 1 whatever the source's numbering."""
    out = []
    for i, naam in enumerate(sorted(namen, key=lambda h: h.volgorde), start=1):
        out.append(x.element("handelsnaam", handelsnaam_200(naam.naam)))
        out.append(x.element("volgorde", i))
    return out


def r_activiteiten(met_volgorde: bool) -> Callable:
    def regel(doel: str, activiteiten: tuple[SbiActiviteit, ...], ctx: Any) -> list:
        """Hoofd- then nevenactiviteiten; only the first 'Ja' becomes J; volgorde 1, 2, ..."""
        ordered = sorted(activiteiten, key=lambda a: not a.hoofdactiviteit)
        out, hoofd_gezien = [], False
        for i, act in enumerate(ordered, start=1):
            hoofd = act.hoofdactiviteit and not hoofd_gezien
            hoofd_gezien = hoofd_gezien or hoofd
            children = [x.element("code", sbi_code_15(act.sbi_code))]
            if act.omschrijving:
                children.append(x.element("omschrijving", inkorten(act.omschrijving, 200)))
            children.append(x.element("indicatieHoofdactiviteit", "J" if hoofd else "N"))
            if met_volgorde:
                children.append(x.element("volgorde", i))
            out.append(x.element("activiteit", children=children))
        return out
    return regel


def _binnenlands_velden(adres: Adres, prefix_postcode: str) -> list[tuple[str, Any]]:
    straat = adres.straatnaam
    return [
        ("aoa.identificatie", bag_id(adres.bag_nummeraanduiding_id)),
        ("authentiek", "N"),  # "altijd false": the NHR cannot vouch for the BAG names
        ("wpl.woonplaatsNaam", inkorten(adres.plaats, 80) if adres.plaats else None),
        ("gor.openbareRuimteNaam", inkorten(straat, 80) if straat else None),
        ("gor.straatnaam", straat if straat and len(straat) <= 24 else None),
        (prefix_postcode, postcode(adres.postcode)),
        ("aoa.huisnummer", huisnummer(adres.huisnummer)),
        ("aoa.huisletter", huisletter(adres.huisletter)),
        ("aoa.huisnummertoevoeging", huisnummertoevoeging(adres.huisnummer_toevoeging)),
    ]


def _velden_naar_elementen(velden: list[tuple[str, Any]], kern: bool) -> list:
    out = []
    for naam, waarde in velden:
        if waarde is None or (kern and naam not in _ADRES_KERN):
            continue
        out.append(x.metagegeven(naam, waarde) if naam == "authentiek" else x.element(naam, waarde))
    return out


def verblijfsadres(doel: str, adres: Adres, kern: bool) -> x.Knoop | None:
    """bezoekLocatie/binnenlandsAdres (no postbus) → verblijfsadres or NNP bezoekadres."""
    if adres is None or adres.afgeschermd or adres.buitenlands or adres.postbusnummer:
        return None
    children = _velden_naar_elementen(_binnenlands_velden(adres, "aoa.postcode"), kern)
    if not [c for c in children if c.naam != "authentiek"]:
        return None
    return x.element(doel, children=children)


def verblijf_buitenland(adres: Adres | None) -> x.Knoop | None:
    if adres is None or adres.afgeschermd or not adres.buitenlands:
        return None
    children = []
    if adres.land:
        children.append(x.element("lnd.landnaam", inkorten(adres.land, 40)))
    for i, deel in enumerate((adres.straat_huisnummer, adres.postcode_woonplaats, adres.regio), start=1):
        if deel:
            children.append(x.element(f"sub.adresBuitenland{i}", inkorten(deel, 35)))
    return x.element("sub.verblijfBuitenland", children=children) if children else None


def correspondentieadres(adres: Adres | None) -> x.Knoop | None:
    """postLocatie (or a bezoekLocatie with postbus) → sub.correspondentieAdres."""
    if adres is None or adres.afgeschermd or adres.buitenlands:
        return None
    pc = postcode(adres.postcode)
    head = []
    if adres.plaats:
        head.append(x.element("wpl.woonplaatsNaam", inkorten(adres.plaats, 80)))
    if pc:
        head.append(x.element("postcode", pc))
    if adres.postbusnummer and 0 < adres.postbusnummer <= 99999:
        return x.element("sub.correspondentieAdres", children=head + [
            x.element("sub.postadresType", "P"), x.element("sub.postadresNummer", adres.postbusnummer)])
    velden = [v for v in _binnenlands_velden(adres, "postcode") if v[0] not in ("postcode", "wpl.woonplaatsNaam")]
    # CorrespondentieAdresGrp puts wpl.identificatie/opr.identificatie between authentiek and the names.
    body = _velden_naar_elementen(velden, kern=False)
    if not head and len(body) <= 1:
        return None
    return x.element("sub.correspondentieAdres", children=head + body)


def r_eerste_url(doel: str, websites: tuple[str, ...], ctx: Any) -> list:
    """Only the first domeinnaam, and only when it is at most 200 characters."""
    return [x.element(doel, websites[0])] if websites and len(websites[0]) <= 200 else []


def r_indicatie(doel: str, waarde: Any, ctx: Any) -> list:
    return [] if waarde is None else [x.element(doel, "J" if waarde else "N")]


def r_rechtsvorm(doel: str, nnp: Any, ctx: Any) -> list:
    """RPS rule: publiek-/overige privaatrechtelijke rechtsvorm when given, cut to 40 (BVS rule)."""
    waarde = nnp.rechtsvorm
    if waarde and waarde.replace(" ", "").lower() == "publiekrechtelijkerechtspersoon":
        waarde = nnp.publiekrechtelijke_rechtsvorm or "PubliekrechtelijkeRechtspersoon"
    elif waarde and waarde.replace(" ", "").lower() == "overigeprivaatrechtelijkerechtspersoon":
        waarde = nnp.overige_privaatrechtelijke_rechtsvorm or "OverigePrivaatrechtelijkeRechtspersoon"
    return [x.element(doel, inkorten(waarde, 40))] if waarde else []


def r_typering_vestiging(doel: str, hoofd: bool | None, ctx: Any) -> list:
    if hoofd is None:
        return []
    return [x.element(doel, "Hoofdvestiging" if hoofd else "Nevenvestiging")]


def r_communicatie(veld: str) -> Callable:
    def regel(doel: str, communicatie: Any, ctx: Any) -> list:
        waarde = getattr(communicatie, veld, None) if communicatie else None
        limiet = 254 if veld == "emailadres" else 20
        return [x.element(doel, waarde)] if waarde and len(waarde) <= limiet else []
    return regel


def r_extra_bijzondere_rechtstoestand(doel: str, waarde: str | None, ctx: Any) -> list:
    """The extraElement bijzondereRechtstoestand (Analyse NHR–RSGB §4: "F", "B", "S")."""
    if not waarde:
        return []
    return [x.element(doel, children=[x.element("StUF:extraElement", waarde,
                                                attrs=(("naam", "bijzondereRechtstoestand"),))])]


REGELS: dict[str, Callable] = {
    "tekst": r_tekst(10_000),
    "tekst_8": r_tekst(8),
    "tekst_12": r_tekst(12),
    "tekst_9": r_tekst(9),
    "statutaire_naam_500": r_tekst(500),
    "inkorten_40": r_tekst(40),
    "authentiek_als_gevuld": r_authentiek_als_gevuld,
    "datum": r_datum,
    "tijdstip": r_tijdstip,
    "handelsnamen_volgorde": r_handelsnamen,
    "activiteiten_met_volgorde": r_activiteiten(True),
    "activiteiten": r_activiteiten(False),
    "eerste_url": r_eerste_url,
    "rechtsvorm": r_rechtsvorm,
    "typering_vestiging": r_typering_vestiging,
    "extra_bijzondere_rechtstoestand": r_extra_bijzondere_rechtstoestand,
    "telefoonnummer": r_communicatie("telefoonnummer"),
    "faxnummer": r_communicatie("faxnummer"),
    "emailadres": r_communicatie("emailadres"),
}
