from dataclasses import dataclass, field

from knoop_esb.config.loader import ConfigError, doc, section
from knoop_esb.config.secrets import SECRET


@dataclass(frozen=True)
class Autorisatie:
    """One doelbinding rule: this afnemer may send ``berichtcode`` about ``entiteittype``, selecting
    on ``selectie`` keys, and receives only ``attributen`` and ``relaties``. ``"*"`` means all;
    an empty list means none. Paths are StUF-BG element names below the object, joined by "/"
    (``handelsnaam``, ``verblijfsadres/aoa.postcode``, ``verblijfsadres`` = the whole group)."""

    berichtcode: str = "*"
    entiteittype: str = "*"
    selectie: list[str] = field(default_factory=lambda: ["*"])
    attributen: list[str] = field(default_factory=lambda: ["*"])
    relaties: list[str] = field(default_factory=lambda: ["*"])
    doel: str = ""


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
    wachtwoord_hash: str = field(default="", metadata=SECRET)
    # Doelbinding, default deny: named profiles (``["handelsregister"]`` = every Handelsregister
    # bericht with every attribute) plus inline rules [[afnemers.afnemer.autorisatie]].
    autorisatieprofielen: list[str] = field(default_factory=list)
    autorisatie: list[Autorisatie] = field(default_factory=list)
    doel: str = ""


@section("afnemers")
@dataclass(frozen=True)
class AfnemersConfig:
    """Known afnemers (subscribers). The store holds more, managed with `knoop-esb afnemers`."""

    afnemer: list[Afnemer] = doc("Array of tables [[afnemers.afnemer]] with oin, naam, profiel, applicatie, kennisgeving_url (gebruikersnaam, wachtwoord_hash for profiel \"intern\" only; doelbinding: autorisatieprofielen = [\"handelsregister\"] and/or [[afnemers.afnemer.autorisatie]] rules, doel). Without any autorisatie an afnemer may ask nothing.", default_factory=list)

    def validate(self, config) -> None:
        from knoop_esb.afnemers.profielen import PROFIELEN
        from knoop_esb.digikoppeling import intern, profiles

        for i, afnemer in enumerate(self.afnemer):
            sleutel = f"afnemers.afnemer[{i}]"
            # Checked here, not at the first request: an unknown profile would otherwise load and
            # then fail every message of this afnemer with StUF058.
            if afnemer.profiel == intern.PROFIEL:
                if not (afnemer.gebruikersnaam and intern.is_hash(afnemer.wachtwoord_hash)):
                    raise ConfigError(f"{sleutel}.wachtwoord_hash", f"intern afnemer {afnemer.oin} needs gebruikersnaam and "
                                      "wachtwoord_hash (make one with `knoop-esb pki hash-password`)")
            else:
                try:
                    profiles.profiel(afnemer.profiel)
                except ValueError:
                    raise ConfigError(f"{sleutel}.profiel", f"unknown profile {afnemer.profiel!r}; known: "
                                      f"{', '.join((*profiles.PROFIELEN, intern.PROFIEL))}") from None
                if afnemer.gebruikersnaam or afnemer.wachtwoord_hash:
                    raise ConfigError(f"{sleutel}.gebruikersnaam", f"afnemer {afnemer.oin} has profiel {afnemer.profiel}: "
                                      "Digikoppeling profiles authenticate by certificate only, remove gebruikersnaam/wachtwoord_hash")
            for naam in afnemer.autorisatieprofielen:
                if naam not in PROFIELEN:
                    raise ConfigError(f"afnemers.afnemer[{i}].autorisatieprofielen",
                                      f"unknown profile {naam!r}; known: {', '.join(sorted(PROFIELEN))}")
