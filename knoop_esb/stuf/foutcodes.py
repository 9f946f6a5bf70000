"""The foutcodes and meldingcodes of StUF 03.01, as data.

Source: stuf0301.txt Tabel 4.1 (StUF001…StUF061, StUF960), Tabel 5.8 (StUF062…StUF070),
the vraag/antwoord tables (StUF076…StUF119), Tabel 6.8 (StUF124…StUF133) and their summary Tabel 8.1;
meldingen StUF0001…StUF0005 from §5 and §6. ``soort`` lists the foutberichten the code may appear in
(1 = Fo01, 2 = Fo02, 3 = Fo03). A layer raising a fout names the constant, never a bare string, so
plek and omschrijving always match the standard.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Foutcode:
    code: str
    plek: str  # "client" or "server" (StUF:Foutplek)
    omschrijving: str
    soort: tuple[int, ...]


@dataclass(frozen=True)
class Meldingcode:
    """A ``<melding>`` in an antwoord or bevestiging: not an error, a remark on how it was answered."""

    code: str
    tekst: str

    def melding(self, toelichting: str = "") -> str:
        """The melding text as the standard writes it, e.g. ``StUF0001: huisnummerToevoeging``."""
        return f"{self.code}: {toelichting}" if toelichting else f"{self.code}: {self.tekst}"


def _f(code: str, plek: str, omschrijving: str, *soort: int) -> Foutcode:
    return Foutcode(code, plek, omschrijving, soort)


STUF001 = _f("StUF001", "server", "Versie StUF niet ondersteund", 2, 3)
STUF004 = _f("StUF004", "server", "Sectormodel niet ondersteund", 2, 3)
STUF007 = _f("StUF007", "server", "Versie sectormodel niet ondersteund", 2, 3)
STUF010 = _f("StUF010", "client", "Combinatie van ontvangende organisatie, applicatie en administratie onbekend", 2, 3)
STUF013 = _f("StUF013", "client", "Combinatie van zendende organisatie, applicatie en administratie onbekend", 2, 3)
STUF016 = _f("StUF016", "client", "Combinatie zender en referentienummer niet uniek", 2, 3)
STUF019 = _f("StUF019", "client", "TijdstipBericht niet groter dan voorgaand TijdstipBericht van zender", 2, 3)
STUF022 = _f("StUF022", "client", "Berichtcode onbekend", 2, 3)
STUF025 = _f("StUF025", "server", "Berichtcode niet ondersteund", 2, 3)
STUF028 = _f("StUF028", "client", "Entiteittype onbekend binnen sectormodel", 2, 3)
STUF031 = _f("StUF031", "server", "Entiteittype niet ondersteund", 2, 3)
STUF034 = _f("StUF034", "client", "Functie onbekend binnen sectormodel", 2, 3)
STUF037 = _f("StUF037", "server", "Functie niet ondersteund", 2, 3)
STUF040 = _f("StUF040", "server", "Combinatie van berichtcode, entiteittype en functie niet ondersteund", 2, 3)
STUF043 = _f("StUF043", "client", "Crossreferentienummer niet bekend", 2, 3)
STUF046 = _f("StUF046", "server", "Opslaan bericht niet mogelijk", 3)
STUF049 = _f("StUF049", "server", "Proces voor afhandelen synchroon bericht niet beschikbaar", 2)
STUF052 = _f(
    "StUF052", "client",
    "Het zendende systeem is niet geautoriseerd voor de gevraagde combinatie van berichtcode, entiteittype en functie",
    1, 2,
)
STUF055 = _f("StUF055", "client", "Berichtbody is niet conform schema in sectormodel", 1, 2)
STUF058 = _f("StUF058", "server", "Proces voor afhandelen bericht geeft fout", 1, 2)
STUF061 = _f("StUF061", "server", "Starten berichtverzending niet mogelijk binnen 5 minuten", 2)
STUF062 = _f("StUF062", "client", "<StUF:tijdvakGeldigheid> niet gevuld zoals de standaard voorschrijft", 1, 2)
STUF063 = _f("StUF063", "server", "Een te wijzigen waarde heeft in de registratie een beginGeldigheid groter dan tbo", 1, 2)
STUF064 = _f("StUF064", "server", "Object niet gevonden", 1, 2)
STUF065 = _f("StUF065", "server", "tr ≤ de grootste tijdstipRegistratie voor het object in de registratie", 1, 2)
STUF066 = _f("StUF066", "client", "Een te corrigeren entiteit bevat geen te corrigeren element", 1, 2)
STUF067 = _f("StUF067", "server", "Dubbelen voor object gevonden", 1, 2)
STUF068 = _f("StUF068", "client", "Toekomstmutatie in Lk01/Lk02-bericht", 1, 2)
STUF069 = _f(
    "StUF069", "client",
    "Niet alle elementen in historische correctie komen in de registratie voor met waarde en het tijdvakGeldigheid in 'oud'",
    1, 2,
)
STUF070 = _f("StUF070", "client", "Synchronisatiebericht historisch niet consistent", 1, 2)
STUF076 = _f("StUF076", "client", "<vanaf> en <totEnMet> bevatten niet dezelfde elementen", 1, 2)
STUF079 = _f("StUF079", "client", "Een element komt voor in zowel <gelijk> als <vanaf> en <totEnMet>", 1, 2)
STUF082 = _f("StUF082", "client", "Het attribute StUF:exact is gebruikt op een element binnen <vanaf> of <totEnMet>", 1, 2)
STUF085 = _f("StUF085", "client", "Onvolledige datum binnen <vanaf> of <totEnMet>", 1, 2)
STUF088 = _f("StUF088", "client", "Meer dan één sleutel gespecificeerd als selectiecriterium", 1, 2)
STUF091 = _f("StUF091", "client", "Een sleutel en andere elementen gespecificeerd als selectiecriterium", 1, 2)
STUF094 = _f("StUF094", "server", "Ontvangend systeem registreert sleutel in het verzendende systeem niet", 1, 2)
STUF097 = _f("StUF097", "client", "Zowel het attribute scope als een inhoud gespecificeerd voor het element <scope>", 1, 2)
STUF103 = _f("StUF103", "client", "indicatorVervolgvraag is true, maar het element <start> ontbreekt", 1, 2)
STUF106 = _f("StUF106", "client", "Het element <start> bevat niet alle elementen gespecificeerd in <vanaf> en <totEnMet>", 1, 2)
STUF118 = _f("StUF118", "client", "peiltijdstipMaterieel ontbreekt", 1, 2)
STUF119 = _f("StUF119", "client", "peiltijdstipFormeel ontbreekt", 1, 2)
STUF124 = _f("StUF124", "server", "Antwoordend systeem ondersteunt afhandelen asynchrone vragen niet", 1)
STUF127 = _f("StUF127", "server", "Gebruiker binnen zendend systeem onbekend in antwoordend systeem en nodig voor autorisatie", 1, 2)
STUF130 = _f("StUF130", "server", "Beantwoording asynchrone vraag vergt teveel systeemresources", 1)
STUF133 = _f("StUF133", "server", "Antwoordend systeem ondersteunt gevraagde sortering niet", 1, 2)
STUF960 = _f(
    "StUF960", "server",
    "Het antwoordende systeem is niet in staat het verzoek af te handelen binnen de connection time out", 2,
)

STUF0001 = Meldingcode("StUF0001", "selectiecriteria genegeerd")
STUF0002 = Meldingcode("StUF0002", "Meer objecten gevraagd dan teruggegeven")
STUF0003 = Meldingcode("StUF0003", "selectiecriteria buiten sortering genegeerd bij bepalen aantal voorkomens")
STUF0004 = Meldingcode("StUF0004", "Actuele gegevens nu inconsistent met historische")
STUF0005 = Meldingcode("StUF0005", "bepalen aantalVoorkomens vergt te veel resources")

FOUTCODES: dict[str, Foutcode] = {v.code: v for v in list(globals().values()) if isinstance(v, Foutcode)}
MELDINGCODES: dict[str, Meldingcode] = {v.code: v for v in list(globals().values()) if isinstance(v, Meldingcode)}


def foutcode(code: str) -> Foutcode | None:
    """The table entry for ``code`` (``"StUF055"``), or None for a sector-defined or unknown code."""
    return FOUTCODES.get(code)
