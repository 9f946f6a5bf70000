from dataclasses import dataclass, field

from knoop_esb.config.loader import ConfigError, doc, section


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
    # Only for profiel = "intern" (server-auth TLS + HTTP Basic, or a client certificate from
    # tls.intern_trust_anchors); never set for Digikoppeling profiles.
    gebruikersnaam: str = ""
    wachtwoord_hash: str = ""
    # The password in a file (0600, e.g. written by `make pki`), hashed when the node starts: a
    # demo or a container secret needs no hash committed to knoop.toml.
    wachtwoord_bestand: str = ""
    # profiel = "intern": the subject CN of the client certificate the internal CA issued it.
    certificaat_cn: str = ""
    # "digikoppeling" (WS-Addressing required) or "stuf" (the plain StUF http/SOAP binding,
    # WS-Addressing optional); empty = "stuf" for profiel intern, else "digikoppeling".
    binding: str = ""
    # Repair and log the known deviations of clients migrating from another makelaar (docs/afnemers.md).
    tolerant: bool = False
    # Doelbinding, default deny: named profiles (``["handelsregister"]`` = every Handelsregister
    # bericht with every attribute) plus inline rules [[afnemers.afnemer.autorisatie]].
    autorisatieprofielen: list[str] = field(default_factory=list)
    autorisatie: list[Autorisatie] = field(default_factory=list)
    doel: str = ""


@section("afnemers")
@dataclass(frozen=True)
class AfnemersConfig:
    """Known afnemers (subscribers). The store holds more, managed with `knoop-esb afnemers`."""

    afnemer: list[Afnemer] = doc("Array of tables [[afnemers.afnemer]] with oin, naam, profiel, applicatie, kennisgeving_url, binding (\"digikoppeling\" or \"stuf\"), tolerant (gebruikersnaam with wachtwoord_hash or wachtwoord_bestand, and/or certificaat_cn, for profiel \"intern\" only; doelbinding: autorisatieprofielen = [\"handelsregister\"] and/or [[afnemers.afnemer.autorisatie]] rules, doel). Without any autorisatie an afnemer may ask nothing.", default_factory=list)

    def validate(self, config) -> None:
        from knoop_esb.afnemers.profielen import PROFIELEN
        from knoop_esb.digikoppeling import intern, profiles
        from knoop_esb.digikoppeling.stufbinding import BINDINGEN

        for i, afnemer in enumerate(self.afnemer):
            sleutel = f"afnemers.afnemer[{i}]"
            # Checked here, not at the first request: an unknown profile would otherwise load and
            # then fail every message of this afnemer with StUF058.
            if afnemer.binding not in ('', *BINDINGEN):
                raise ConfigError(f"{sleutel}.binding", f"must be one of {', '.join(BINDINGEN)}, got {afnemer.binding!r}")
            if afnemer.profiel == intern.PROFIEL:
                if afnemer.binding == "digikoppeling":
                    raise ConfigError(f"{sleutel}.binding", f"intern afnemer {afnemer.oin} uses the plain StUF binding")
                if afnemer.wachtwoord_hash and afnemer.wachtwoord_bestand:
                    raise ConfigError(f"{sleutel}.wachtwoord_bestand", "give wachtwoord_hash or wachtwoord_bestand, not both")
                heeft_wachtwoord = intern.is_hash(afnemer.wachtwoord_hash) or bool(afnemer.wachtwoord_bestand)
                if not ((afnemer.gebruikersnaam and heeft_wachtwoord) or afnemer.certificaat_cn):
                    raise ConfigError(f"{sleutel}.wachtwoord_hash", f"intern afnemer {afnemer.oin} needs gebruikersnaam and "
                                      "wachtwoord_hash (make one with `knoop-esb pki hash-password`) or wachtwoord_bestand, "
                                      "and/or certificaat_cn")
                if afnemer.certificaat_cn and config.tls.intern_trust_anchors is None:
                    raise ConfigError(f"{sleutel}.certificaat_cn", "needs tls.intern_trust_anchors (the internal CAs)")
            else:
                try:
                    profiles.profiel(afnemer.profiel)
                except ValueError:
                    raise ConfigError(f"{sleutel}.profiel", f"unknown profile {afnemer.profiel!r}; known: "
                                      f"{', '.join((*profiles.PROFIELEN, intern.PROFIEL))}") from None
                if afnemer.gebruikersnaam or afnemer.wachtwoord_hash or afnemer.wachtwoord_bestand or afnemer.certificaat_cn:
                    raise ConfigError(f"{sleutel}.gebruikersnaam", f"afnemer {afnemer.oin} has profiel {afnemer.profiel}: "
                                      "Digikoppeling profiles authenticate by certificate only, remove "
                                      "gebruikersnaam/wachtwoord_hash/wachtwoord_bestand/certificaat_cn")
                if afnemer.binding == "stuf" and afnemer.profiel != "2W-be":
                    raise ConfigError(f"{sleutel}.binding", f"the plain StUF binding has no WS-Security: profiel "
                                      f"{afnemer.profiel} needs binding \"digikoppeling\"")
            for naam in afnemer.autorisatieprofielen:
                if naam not in PROFIELEN:
                    raise ConfigError(f"afnemers.afnemer[{i}].autorisatieprofielen",
                                      f"unknown profile {naam!r}; known: {', '.join(sorted(PROFIELEN))}")
