"""The data the built-in KVK test source serves: the fictitious companies of KVK's public test
environment (same KVK numbers, vestigingsnummers and legal forms, kvk/FACTS.md "Test data"), plus
cases KVK's test environment lacks: a BV with 2500 vestigingen, a foreign address, a ceased
company and a company continued under a new KVK number. Names and addresses we could not see in
KVK's own answers are invented in the same style ("Test BV …").

Everything is built deterministically in code, once per process (:func:`dataset`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

SBI = {
    "10110": "Slachterijen (geen pluimvee-)", "10120": "Pluimveeslachterijen", "10130": "Vleesverwerking",
    "4711": "Supermarkten", "47111": "Supermarkten en dergelijke winkels met een algemeen assortiment voedings- en genotmiddelen",
    "62010": "Ontwikkelen, produceren en uitgeven van software", "6420": "Financiële holdings",
    "94911": "Kerkgenootschappen", "6810": "Handel in eigen onroerend goed", "6820": "Verhuur van overig onroerend goed",
    "8899": "Overige maatschappelijke dienstverlening zonder overnachting", "6910": "Rechtskundige dienstverlening",
    "4690": "Niet-gespecialiseerde groothandel", "6512": "Schadeverzekeringen", "0111": "Teelt van granen, peulvruchten en oliehoudende zaden",
}
PLAATSEN = [("Amsterdam", "1012"), ("Rotterdam", "3011"), ("Den Haag", "2511"), ("Utrecht", "3511"),
            ("Eindhoven", "5611"), ("Groningen", "9711"), ("Tilburg", "5038"), ("Almere", "1315"),
            ("Breda", "4811"), ("Nijmegen", "6511")]


@dataclass(frozen=True)
class Adres:
    type: str                       # bezoekadres | correspondentieadres
    straatnaam: str | None = None
    huisnummer: int | None = None
    huisletter: str | None = None
    postcode: str | None = None
    postbusnummer: int | None = None
    plaats: str | None = None
    land: str = "Nederland"
    afgeschermd: bool = False
    straat_huisnummer: str | None = None   # buitenlands adres
    postcode_woonplaats: str | None = None

    @property
    def buitenland(self) -> bool:
        return self.land != "Nederland"


@dataclass(frozen=True)
class Vestiging:
    vestigingsnummer: str
    kvk_nummer: str
    eerste_handelsnaam: str
    adressen: tuple[Adres, ...]
    hoofd: bool = True
    commercieel: bool = True
    handelsnamen: tuple[str, ...] = ()
    sbi: tuple[str, ...] = ()
    voltijd: int = 1
    deeltijd: int = 0
    datum_aanvang: str = "20170108"
    datum_einde: str | None = None
    websites: tuple[str, ...] = ()

    @property
    def namen(self) -> tuple[str, ...]:
        return self.handelsnamen or (self.eerste_handelsnaam,)


@dataclass(frozen=True)
class Company:
    kvk_nummer: str
    naam: str
    rechtsvorm: str
    uitgebreide_rechtsvorm: str
    rsin: str | None
    vestigingen: tuple[Vestiging, ...]
    handelsnamen: tuple[str, ...] = ()
    sbi: tuple[str, ...] = ()
    datum_aanvang: str = "20170108"
    formele_registratiedatum: str = "20170710"
    datum_einde: str | None = None
    non_mailing: bool = False
    websites: tuple[str, ...] = ()
    fout: tuple[int, str] | None = None      # an error scenario: (HTTP status, IPD code)
    voortgezet_door: str | None = None       # KVK number that continues this company
    rechtsvorm_oud: str | None = None        # before an omzetting (SignaalRechtsvormwijziging)
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def actief(self) -> bool:
        return self.datum_einde is None

    @property
    def hoofdvestiging(self) -> Vestiging | None:
        return next((v for v in self.vestigingen if v.hoofd), None)


def rsin_for(seed: str) -> str:
    """A valid RSIN (11-proef: 9·d1+…+2·d8 − d9 ≡ 0 mod 11) derived from ``seed``."""
    base = int(seed) % 10_000_000
    while True:
        digits = f"8{base:07d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1)))
        check = total % 11
        if check < 10:
            return digits + str(check)
        base += 1


def _adres(straat: str, nummer: int, postcode: str, plaats: str, letter: str | None = None,
           type_: str = "bezoekadres", afgeschermd: bool = False) -> Adres:
    return Adres(type_, straat, nummer, letter, postcode, None, plaats, afgeschermd=afgeschermd)


def _ves(nummer: str, kvk: str, naam: str, adres: Adres, hoofd: bool = True, sbi=("4690",), **kw) -> Vestiging:
    return Vestiging(nummer, kvk, naam, (adres,), hoofd=hoofd, sbi=tuple(sbi), **kw)


def _simple(kvk, naam, rechtsvorm, uitgebreid, vestigingen, *, rsin=True, sbi=("4690",), **kw) -> Company:
    return Company(kvk, naam, rechtsvorm, uitgebreid, rsin_for(kvk) if rsin else None,
                   tuple(vestigingen), handelsnamen=(naam,), sbi=tuple(sbi), **kw)


def _one(kvk, naam, rechtsvorm, uitgebreid, nummer=None, plaats=("Utrecht", "3511AB"), commercieel=True,
         **kw) -> Company:
    nummer = nummer or f"9900{kvk}"
    adres = _adres("Teststraat", int(kvk[-2:]) + 1, plaats[1], plaats[0])
    v = _ves(nummer, kvk, naam, adres, commercieel=commercieel, sbi=kw.get("sbi", ("4690",)))
    return _simple(kvk, naam, rechtsvorm, uitgebreid, [v], **kw)


BV = ("Besloten Vennootschap", "Besloten Vennootschap met gewone structuur")
NV = ("Naamloze Vennootschap", "Naamloze Vennootschap met gewone structuur")
STICHTING = ("Stichting", "Stichting")
VOF = ("Vennootschap onder firma", "Vennootschap onder firma")
CV = ("Commanditaire Vennootschap", "Commanditaire Vennootschap met één beherende vennoot")
EMZ = ("Eenmanszaak", "Eenmanszaak")


def _kvk_test_companies() -> list[Company]:
    emz = Company(
        "69599084", "Test EMZ Dagobert", *EMZ, None,
        (_ves("000038509504", "69599084", "Test EMZ Dagobert",
              _adres("Abebe Bikilalaan", 17, "1034WL", "Amsterdam", letter="M"), sbi=("10110", "10120", "10130")),
         _ves("000038509520", "69599084", "Test EMZ Nevenvestiging Govert",
              _adres("Geneinde", 9, "6211RN", "Maastricht"), hoofd=False, sbi=("10110",))),
        handelsnamen=("Test EMZ Dagobert", "Test EMZ Nevenvestiging Govert"), sbi=("10110", "10120", "10130"),
        non_mailing=True)
    donald = [_ves("000037178598", "68750110", "Test BV Donald", _adres("Hizzaarderlaan", 3, "8713KB", "Lollum"),
                   sbi=("62010",), websites=("https://www.testbvdonald.nl",)),
              _ves("000037178601", "68750110", "Test BV Donald Nevenvestiging",
                   _adres("Hizzaarderlaan", 5, "8713KB", "Lollum"), hoofd=False, sbi=("62010",))]
    geo = [_ves("990064773193", "90006623", "Test Stichting Geo", _adres("Oosterwal", 1, "7241AR", "Lochem"),
                sbi=("8899",), commercieel=False),
           _ves("990064773207", "90006623", "Test Stichting Geo Locatie Zutphen",
                _adres("Houtmarkt", 2, "7201KL", "Zutphen"), hoofd=False, sbi=("8899",), commercieel=False)]
    vof1 = [_ves("000038509474", "69599076", "Test VOF Katrien", _adres("Kerkstraat", 10, "5211BT", "'s-Hertogenbosch")),
            _ves("000038509490", "69599076", "Test VOF Katrien Winkel", _adres("Markt", 4, "5211JW", "'s-Hertogenbosch"), hoofd=False)]
    vof2 = [_ves("990000216645", "90005414", "Test VOF Guus", _adres("Dorpsstraat", 1, "1191BM", "Ouderkerk aan de Amstel")),
            _ves("990000821206", "90005414", "Test VOF Guus Filiaal", _adres("Amstelzijde", 2, "1184TZ", "Amstelveen"), hoofd=False)]
    cv = [_ves(n, "90003942", f"Test CV Willie{'' if i == 0 else f' {i}'}", _adres("Havenweg", 10 + i, "3232LA", "Brielle"),
               hoofd=i == 0) for i, n in enumerate(["990000008288", "990000246530", "990000768218", "990000852070"])]
    return [
        emz,
        _one("68727720", "Test NV Katrien", *NV, nummer="000037143557", plaats=("Rotterdam", "3011AA"), sbi=("6420",)),
        _one("90004760", "Test NV Goofy", *NV, plaats=("Rotterdam", "3011AB"), sbi=("6420",)),
        _simple("68750110", "Test BV Donald", *BV, donald, sbi=("62010",), websites=("https://www.testbvdonald.nl",)),
        _simple("90001354", "Test BV Afgeschermd Adres", *BV,
                [_ves("990000541921", "90001354", "Test BV Afgeschermd Adres",
                      _adres("Geheimstraat", 1, "2511AA", "Den Haag", afgeschermd=True))]),
        _one("69599068", "Test Stichting Bolderbast", *STICHTING, plaats=("Lochem", "7241AR"), commercieel=False, sbi=("8899",)),
        _one("90000102", "Test Stichting Pluto", *STICHTING, commercieel=False, sbi=("8899",)),
        _simple("90006623", "Test Stichting Geo", *STICHTING, geo, sbi=("8899",)),
        _simple("69599076", "Test VOF Katrien", *VOF, vof1, rsin=False),
        _simple("90005414", "Test VOF Guus", *VOF, vof2, rsin=False),
        _one("55344526", "Test Coöperatie Mickey U.A.", "Coöperatie", "Coöperatie met uitgesloten aansprakelijkheid", sbi=("0111",)),
        _one("96354429", "Test Coöperatie Inactief U.A.", "Coöperatie", "Coöperatie met uitgesloten aansprakelijkheid",
             nummer="990001987781", datum_einde="20230101", sbi=("0111",)),
        _one("90002520", "Test Kerkgenootschap Zwarte Piet", "Kerkgenootschap", "Kerkgenootschap", commercieel=False, sbi=("94911",)),
        _one("90002490", "Test OWM Dagobert U.A.", "Onderlinge Waarborg Maatschappij",
             "Onderlinge Waarborg Maatschappij met uitgesloten aansprakelijkheid", nummer="990000246858", sbi=("6512",)),
        _one("90000749", "Test VvE Duckstad", "Vereniging van Eigenaars", "Vereniging van Eigenaars", commercieel=False,
             sbi=("6820",)),
        _one("90001745", "Test Maatschap Advocaten Duck", "Maatschap", "Maatschap", nummer="990000637800", rsin=False,
             sbi=("6910",)),
        _simple("90003942", "Test CV Willie", *CV, cv, rsin=False),
        _one("55505201", "Test Overige Privaatrechtelijke Rechtspersoon", "Overige Privaatrechtelijke Rechtspersoon",
             "Overige Privaatrechtelijke Rechtspersoon", commercieel=False),
        _one("90004973", "Test Foutmelding", *BV, fout=(503, "IPD1002")),
        _one("90002903", "Test Error Message", *BV, fout=(500, "IPD9999")),
    ]


def _many(kvk: str, naam: str, count: int, prefix: str) -> Company:
    """A BV with ``count`` vestigingen spread evenly over PLAATSEN (so a Zoeken per plaats stays
    under KVK's cap of 1000 results)."""
    vestigingen = []
    for i in range(count):
        plaats, pc = PLAATSEN[i % len(PLAATSEN)]
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        postcode = f"{pc}{letters[(i // 10) % 21]}{letters[(i // 210) % 21]}"
        vestigingen.append(_ves(f"{prefix}{i:06d}", kvk, naam if i == 0 else f"{naam} Filiaal {i}",
                                _adres("Winkelstraat", 1 + i // len(PLAATSEN), postcode, plaats),
                                hoofd=i == 0, sbi=("47111",), voltijd=5, deeltijd=10))
    return _simple(kvk, naam, *BV, vestigingen, sbi=("47111",))


def _knoop_companies() -> list[Company]:
    buitenland = Adres("correspondentieadres", land="België", straat_huisnummer="Rue de la Loi 16",
                       postcode_woonplaats="1000 Bruxelles")
    return [
        _many("90006577", "Test BV Duizend Vestigingen", 1000, "970065"),
        _many("99100002", "Knoop Test BV Grootfiliaal", 2500, "971000"),
        _simple("99100010", "Knoop Test Buitenland BV", *BV,
                [Vestiging("990099100101", "99100010", "Knoop Test Buitenland BV", (buitenland,))]),
        _simple("99100029", "Knoop Test Opgeheven BV", *BV, [Vestiging(
            "990099100029", "99100029", "Knoop Test Opgeheven BV",
            (_adres("Stationsweg", 8, "3811MK", "Amersfoort"),
             Adres("correspondentieadres", postcode="3800AA", postbusnummer=100, plaats="Amersfoort")),
            datum_einde="20240630")], datum_einde="20240630"),
        _simple("99100037", "Knoop Test Overdracht VOF", *VOF, [], rsin=False, datum_einde="20250301",
                voortgezet_door="99100045"),
        _one("99100045", "Knoop Test Overdracht Eenmanszaak", *EMZ, nummer="990099100371", rsin=False,
             datum_aanvang="20250301"),
        _one("99100053", "Knoop Test Omgezette BV", *BV, rechtsvorm_oud="Naamloze Vennootschap"),
        # seed 002's example of a SignaalVoortzettingEnOverdracht: VOF 31009215 continued by 98568493
        _simple("31009215", "Knoop Test Seed VOF", *VOF, [], rsin=False, datum_einde="20250115",
                voortgezet_door="98568493"),
        Company("98568493", "Knoop Test Seed Eenmanszaak", *EMZ, None, (
            _ves("000015317528", "98568493", "Knoop Test Seed Eenmanszaak", _adres("Molenweg", 3, "7411AB", "Deventer")),
            _ves("000031756611", "98568493", "Knoop Test Seed Eenmanszaak Winkel",
                 _adres("Brink", 12, "7411BR", "Deventer"), hoofd=False, voltijd=4)),
            handelsnamen=("Knoop Test Seed Eenmanszaak",), sbi=("4690",), datum_aanvang="20250115"),
    ]


@dataclass(frozen=True, eq=False)     # hashed by identity: searches over it are cached
class Dataset:
    companies: dict[str, Company]
    vestigingen: dict[str, Vestiging]

    def company(self, kvk_nummer: str) -> Company | None:
        return self.companies.get(kvk_nummer)


@functools.lru_cache(maxsize=1)
def dataset() -> Dataset:
    companies = _kvk_test_companies() + _knoop_companies()
    by_kvk = {c.kvk_nummer: c for c in companies}
    by_nummer = {v.vestigingsnummer: v for c in companies for v in c.vestigingen}
    return Dataset(by_kvk, by_nummer)
