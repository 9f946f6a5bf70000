"""StUF-HR 0300 (namespace ``http://www.kvk.nl/StUF/sector/hr/0300``) → model, for the elements the
VNG mapping names (csv sheets MAC, OND, CVS, NCV, VES, RPS, BVS, EMM, SWV, NNP, NPS).

Elements are found by local name so both the hr0300 namespace and the StUF namespace of
``StUF:tijdvakRelatie`` are read without caring about prefixes; unknown elements are ignored.
Input that is not XML, or has no MAC/OND with a kvkNummer, raises :class:`MappingFout`.
"""
from __future__ import annotations

from typing import Iterable

from lxml import etree

from knoop_esb.transform import bron
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform.model import (
    Adres,
    Communicatie,
    Functionaris,
    Handelsnaam,
    MaatschappelijkeActiviteit,
    NatuurlijkPersoon,
    NietNatuurlijkPersoon,
    SbiActiviteit,
    Vestiging,
)

HR = "http://www.kvk.nl/StUF/sector/hr/0300"
_ENTITEITTYPE = "{http://www.egem.nl/StUF/StUF0301}entiteittype"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
_NPS_SOORTEN = {"natuurlijkPersoon", "NPS"}
# PRS relations that become inn.heeftAlsFunctionaris; None = take the relation's <functie>.
_FUNCTIONARIS_RELATIES = {
    "heeftAansprakelijke": None, "heeftBestuursfunctionaris": None, "heeftCurator": "Curator",
    "heeftRechterCommissaris": "Rechtercommissaris", "heeftBewindvoerder": "Bewindvoerder",
    "heeftOverigeFunctionaris": None, "heeftPubliekRechtelijkeFunctionaris": None,
    "HeeftPubliekRechtelijkeFunctionaris": None,
}
_GESLACHT = {"man": "M", "vrouw": "V", "vastgesteldonbekend": "O", "m": "M", "v": "V", "o": "O"}


def _kind(el: etree._Element | None, naam: str) -> etree._Element | None:
    if el is None:
        return None
    return next((c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == naam), None)


def _kinderen(el: etree._Element | None, naam: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == naam]


def _een(*kandidaten: etree._Element | None) -> etree._Element | None:
    """First element that exists (lxml elements without children are falsy, so no ``or``)."""
    return next((k for k in kandidaten if k is not None), None)


def _pad(el: etree._Element | None, pad: str) -> etree._Element | None:
    for deel in pad.split("/"):
        el = _kind(el, deel)
    return el


def _tekst(el: etree._Element | None, pad: str) -> str | None:
    node = _pad(el, pad)
    return bron.tekst(node.text) if node is not None else None


def _sbi(el: etree._Element, plek: str) -> list[SbiActiviteit]:
    out = []
    for naam in ("hoofdSbiActiviteit", "nevenSbiActiviteit", "sbiActiviteit"):
        for act in _kinderen(el, naam):
            code = bron.sbi_code(_tekst(act, "sbiCode"), f"{plek}/{naam}/sbiCode")
            if code is None:
                continue
            hoofd = bron.indicatie(_tekst(act, "hoofdActiviteit"))
            out.append(SbiActiviteit(code, _tekst(act, "omschrijving"), naam == "hoofdSbiActiviteit" or bool(hoofd)))
    return out


def _locatie(el: etree._Element | None, soort: str, plek: str) -> Adres | None:
    if el is None:
        return None
    binnen = _een(_kind(el, "binnenlandsAdres"), _kind(el, "binnenlandsAdresVanaf"))
    buiten = _kind(el, "buitenlandsAdres")
    afgeschermd = bool(bron.indicatie(_tekst(el, "afgeschermd")))
    if buiten is not None:
        return Adres(type=soort, afgeschermd=afgeschermd, straat_huisnummer=_tekst(buiten, "straatHuisnummer"),
                     postcode_woonplaats=_tekst(buiten, "postcodeWoonplaats"), regio=_tekst(buiten, "regio"),
                     land=_tekst(buiten, "land") or "buitenland", volledig_adres=_tekst(el, "volledigAdres"))
    if binnen is None:
        return None
    postcode = _pad(binnen, "postcode")
    pc = (_tekst(postcode, "cijfercombinatie") or "") + (_tekst(postcode, "lettercombinatie") or "") \
        if postcode is not None and len(postcode) else _tekst(binnen, "postcode")
    return Adres(
        type=soort, afgeschermd=afgeschermd,
        straatnaam=_tekst(binnen, "straatnaam"),
        huisnummer=bron.geheel(_tekst(binnen, "huisnummer"), f"{plek}/huisnummer"),
        huisletter=_tekst(binnen, "huisletter"),
        huisnummer_toevoeging=_tekst(binnen, "huisnummertoevoeging"),
        toevoeging_adres=_tekst(el, "toevoegingAdres"),
        postcode=bron.postcode(pc), postbusnummer=bron.geheel(_tekst(binnen, "postbusnummer"), f"{plek}/postbusnummer"),
        plaats=_tekst(binnen, "plaats"), land="Nederland",
        bag_nummeraanduiding_id=_tekst(binnen, "BAGIdentificatie"), volledig_adres=_tekst(el, "volledigAdres"),
    )


def _adressen(el: etree._Element, plek: str, persoon: bool = False) -> tuple[Adres, ...]:
    suffix = "Persoon" if persoon else ""
    bezoek = _locatie(_een(_kind(el, "bezoekLocatie"), _kind(el, "bezoekLocatie" + suffix),
                           _kind(el, "woonlocatie") if persoon else None), "bezoekadres", f"{plek}/bezoekLocatie")
    post = _locatie(_een(_kind(el, "postLocatie"), _kind(el, "postLocatie" + suffix)), "correspondentieadres",
                    f"{plek}/postLocatie")
    return tuple(a for a in (bezoek, post) if a is not None)


def _communicatie(el: etree._Element) -> tuple[Communicatie | None, tuple[str, ...]]:
    com = _een(_kind(el, "communicatieGegevens"), _kind(el, "communicatiegegevens"))
    if com is None:
        return None, ()

    def nummer(soort: str) -> str | None:
        for n in _kinderen(com, "nummer"):
            if (_tekst(n, "soort") or "").lower().startswith(soort):
                return (_tekst(n, "toegangscode") or "") + (_tekst(n, "nummer") or "") or None
        return None

    mail = next(iter(_teksten(_kinderen(com, "emailAdres"))), None)
    return Communicatie(nummer("telefoon"), nummer("fax"), mail), tuple(_teksten(_kinderen(com, "domeinnaam")))


def _teksten(els: Iterable[etree._Element]) -> list[str]:
    return [t for t in (bron.tekst(e.text) for e in els) if t]


def _handelsnamen(el: etree._Element) -> tuple[Handelsnaam, ...]:
    namen = [_tekst(h, "gerelateerde/handelsnaam") for h in _kinderen(el, "handeltOnder")]
    return tuple(Handelsnaam(n, i) for i, n in enumerate(n for n in namen if n))


def vestiging(el: etree._Element, kvk_nummer: str | None, plek: str = "VES", hoofd: bool | None = None) -> Vestiging:
    com, sites = _communicatie(el)
    activiteiten = _kind(el, "activiteiten")
    ncv = _tekst(el, "naam")
    return Vestiging(
        vestigingsnummer=bron.nummer(_tekst(el, "vestigingsnummer"), 12, f"{plek}/vestigingsnummer"),
        kvk_nummer=kvk_nummer,
        commercieel=ncv is None,
        hoofdvestiging=hoofd,
        naam=ncv, naam_verkort=_tekst(el, "naamVerkort"),
        handelsnamen=_handelsnamen(el),
        sbi_activiteiten=tuple(_sbi(activiteiten, f"{plek}/activiteiten")) if activiteiten is not None else (),
        adressen=_adressen(el, plek), websites=sites, communicatie=com,
        voltijd_werkzame_personen=bron.geheel(_tekst(el, "fulltimeWerkzamePersonen"), f"{plek}/fulltimeWerkzamePersonen"),
        deeltijd_werkzame_personen=bron.geheel(_tekst(el, "parttimeWerkzamePersonen"), f"{plek}/parttimeWerkzamePersonen"),
        totaal_werkzame_personen=bron.geheel(_tekst(el, "totaalWerkzamePersonen"), f"{plek}/totaalWerkzamePersonen"),
        datum_aanvang=bron.datum(_tekst(el, "datumAanvang"), f"{plek}/datumAanvang"),
        datum_einde=bron.datum(_tekst(el, "datumEinde"), f"{plek}/datumEinde"),
        registratietijdstip=bron.tijdstip(_tekst(el, "registratieTijdstip"), f"{plek}/registratieTijdstip"),
    )


def persoon(el: etree._Element, plek: str = "heeftAlsEigenaar/gerelateerde") -> NietNatuurlijkPersoon | NatuurlijkPersoon:
    """The PRS choice: a natuurlijkPersoon, or an RPS/BVS/EMM/SWV (all NNP in bg0310)."""
    keuze = next((c for c in el if isinstance(c.tag, str)), None)
    soort = etree.QName(keuze).localname if keuze is not None and len(keuze) else None
    inhoud = keuze if soort else el
    if soort in _NPS_SOORTEN or (soort is None and _kind(el, "bsn") is not None):
        geslacht = (_tekst(inhoud, "geslachtsaanduiding") or "").replace(" ", "").lower()
        return NatuurlijkPersoon(
            bsn=bron.nummer(_tekst(inhoud, "bsn"), 9, f"{plek}/bsn", verplicht=False),
            geslachtsnaam=_tekst(inhoud, "geslachtsnaam"), voorvoegsel_geslachtsnaam=_tekst(inhoud, "voorvoegselGeslachtsnaam"),
            voornamen=_tekst(inhoud, "voornamen"), geslachtsaanduiding=_GESLACHT.get(geslacht),
            rechtsvorm=_tekst(inhoud, "rechtsvorm"), adressen=_adressen(inhoud, plek, persoon=True))
    bvs = _kind(inhoud, "buitenlandseVennootschap")
    rechtsvorm = _tekst(inhoud, "rechtsvorm")
    zetel = _tekst(inhoud, "statutaireZetel")
    if bvs is not None:
        rechtsvorm = _tekst(bvs, "omschrijvingRechtsvorm") or _tekst(bvs, "rechtsvormcategorie") or rechtsvorm
        zetel = _tekst(bvs, "zetel") or zetel
    com, sites = _communicatie(inhoud)
    adressen = _adressen(inhoud, plek) or _adressen(inhoud, plek, persoon=True)
    functionarissen = tuple(_functionarissen(inhoud, plek))
    return NietNatuurlijkPersoon(
        functionarissen=functionarissen,
        bijzondere_rechtstoestand=_bijzondere_rechtstoestand(inhoud),
        rsin=bron.nummer(_tekst(inhoud, "rsin"), 9, f"{plek}/rsin", verplicht=False),
        statutaire_naam=_tekst(inhoud, "naam"), rechtsvorm=rechtsvorm,
        publiekrechtelijke_rechtsvorm=_tekst(inhoud, "publiekrechtelijkeRechtsvorm"),
        overige_privaatrechtelijke_rechtsvorm=_tekst(inhoud, "overigePrivaatrechtelijkeRechtsvorm"),
        statutaire_zetel=zetel,
        datum_aanvang=bron.datum(_tekst(inhoud, "datumAanvang"), f"{plek}/datumAanvang"),
        datum_einde=bron.datum(_tekst(inhoud, "datumEinde"), f"{plek}/datumEinde"),
        datum_uitschrijving=bron.datum(_tekst(inhoud, "datumUitschrijving"), f"{plek}/datumUitschrijving"),
        adressen=adressen, websites=sites, communicatie=com,
        registratietijdstip=bron.tijdstip(_tekst(inhoud, "registratieTijdstip"), f"{plek}/registratieTijdstip"),
    )


def _bijzondere_rechtstoestand(el: etree._Element) -> str | None:
    """PRS bijzondereRechtstoestand → the bg0310 extraElement: S schuldsanering, B surseance, F faillissement."""
    groep = _kind(el, "bijzondereRechtstoestand")
    for naam, code in (("schuldsanering", "S"), ("surseanceVanBetaling", "B"), ("faillissement", "F")):
        if _kind(groep, naam) is not None:
            return code
    return None


def _functionarissen(nnp: etree._Element, plek: str) -> Iterable[Functionaris]:
    for relatie, vast in _FUNCTIONARIS_RELATIES.items():
        for i, rel in enumerate(_kinderen(nnp, relatie)):
            gerelateerde = _kind(rel, "gerelateerde")
            if gerelateerde is None:
                continue
            yield Functionaris(
                persoon=persoon(gerelateerde, f"{plek}/{relatie}[{i}]/gerelateerde"),
                functie=vast or _tekst(rel, "functie"),
                datum_aanvang=bron.datum(_tekst(rel, "tijdvakRelatie/beginRelatie"), f"{plek}/{relatie}[{i}]/beginRelatie"),
                datum_einde=bron.datum(_tekst(rel, "tijdvakRelatie/eindRelatie"), f"{plek}/{relatie}[{i}]/eindRelatie"),
            )


def _vind_mac(root: etree._Element) -> etree._Element:
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(_ENTITEITTYPE) in ("MAC", "OND"):
            return el
    if _kind(root, "kvkNummer") is not None:
        return root
    raise MappingFout("geen MAC of OND met kvkNummer in het StUF-HR bericht")


def maatschappelijke_activiteit(xml: bytes | str | etree._Element) -> MaatschappelijkeActiviteit:
    """A StUF-HR MAC (or OND) object, from a whole message or the object element itself."""
    if isinstance(xml, (bytes, str)):
        try:
            root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise MappingFout(f"geen geldige XML: {exc}") from None
    else:
        root = xml
    mac = _vind_mac(root)
    ond = _pad(mac, "manifesteertZichAls/gerelateerde")
    bronnen = ond if ond is not None else mac  # MAC's own dates/SBI only without manifesteertZichAls
    kvk_nummer = bron.nummer(_tekst(mac, "kvkNummer") or _tekst(ond, "kvkNummer"), 8, "MAC/kvkNummer")
    vestigingen = [vestiging(_kind(r, "gerelateerde"), kvk_nummer, f"{n}[{i}]")
                   for n, scope in (("wordtUitgeoefendIn", mac), ("wordtUitgeoefendIn", ond))
                   for i, r in enumerate(_kinderen(scope, n)) if _kind(r, "gerelateerde") is not None]
    hoofd_el = _pad(mac, "wordtGeleidVanuit/gerelateerde")
    hoofd = vestiging(hoofd_el, kvk_nummer, "wordtGeleidVanuit", hoofd=True) if hoofd_el is not None else None
    eig_el = _pad(mac, "heeftAlsEigenaar/gerelateerde")
    if eig_el is None and ond is not None:
        eig_el = _pad(ond, "wordtUitgeoefendDoor/gerelateerde/heeftAlsEigenaar/gerelateerde")
    return MaatschappelijkeActiviteit(
        kvk_nummer=kvk_nummer,
        naam=_tekst(mac, "naam"),
        non_mailing=bron.indicatie(_tekst(mac, "nonMailing")),
        onderneming=ond is not None or None,
        datum_aanvang=bron.datum(_tekst(bronnen, "datumAanvang"), "MAC/datumAanvang"),
        datum_einde=bron.datum(_tekst(bronnen, "datumEinde"), "MAC/datumEinde"),
        registratietijdstip=_grootste(mac, "MAC"),
        handelsnamen=_handelsnamen(ond) if ond is not None else (),
        sbi_activiteiten=tuple(_sbi(bronnen, "MAC")),
        totaal_werkzame_personen=bron.geheel(_tekst(ond, "totaalWerkzamePersonen"), "OND/totaalWerkzamePersonen"),
        eigenaar=persoon(eig_el) if eig_el is not None else None,
        hoofdvestiging=hoofd,
        vestigingen=tuple(v for v in vestigingen if hoofd is None or v.vestigingsnummer != hoofd.vestigingsnummer),
    )


def _grootste(mac: etree._Element, plek: str) -> str | None:
    """"Als er meerdere voorkomens zijn van StUF:tijdstipRegistratie binnen MAC, dan de grootste"."""
    waarden = [bron.tijdstip(e.text, f"{plek}/registratieTijdstip") for e in mac.iter()
               if isinstance(e.tag, str) and etree.QName(e).localname in ("registratieTijdstip", "tijdstipRegistratie")]
    waarden = [w for w in waarden if w]
    return max(waarden, key=lambda w: w.ljust(17, "0")) if waarden else None
