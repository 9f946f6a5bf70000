from dataclasses import dataclass, field

from knoop_esb.config.loader import doc, section


@dataclass(frozen=True)
class Afnemer:
    """One subscriber, identified by the OIN in its PKIoverheid certificate."""

    oin: str
    naam: str = ""
    profiel: str = "2W-be"
    applicatie: str = ""
    kennisgeving_url: str = ""
    # Only for profiel = "intern" (server-auth TLS + HTTP Basic); never set for Digikoppeling profiles.
    gebruikersnaam: str = ""
    wachtwoord_hash: str = ""


@section("afnemers")
@dataclass(frozen=True)
class AfnemersConfig:
    """Known afnemers (subscribers). The store holds more, managed with `knoop-esb afnemers`."""

    afnemer: list[Afnemer] = doc("Array of tables [[afnemers.afnemer]] with oin, naam, profiel, applicatie, kennisgeving_url (and gebruikersnaam, wachtwoord_hash for profiel \"intern\" only).", default_factory=list)
