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


# Delivery profiles of an endpoint: the plain StUF http/SOAP binding (stuf.bindingen chapter 4) or a
# Digikoppeling WUS profile. "" = the afnemer's own profile.
ENDPOINT_PROFIELEN = ("stuf", "2W-be", "2W-be-S", "2W-be-SE")
BEGINSTANDEN = ("sa01", "kennisgeving", "geen")
STANDAARD_ENDPOINT = "standaard"
# How an afnemer speaks SOAP: Digikoppeling WUS (WS-Addressing required) or the plain StUF binding.
BINDINGEN = ("digikoppeling", "stuf")


@dataclass(frozen=True)
class Endpoint:
    """Where an afnemer receives its kennisgevingen ([[afnemers.afnemer.endpoint]]). An afnemer
    with only ``kennisgeving_url`` has one endpoint named "standaard" with these defaults."""

    naam: str = STANDAARD_ENDPOINT
    url: str = ""
    profiel: str = ""  # "" = the afnemer's profiel; else one of ENDPOINT_PROFIELEN
    trust_anchors: str = ""  # PEM file the endpoint's server certificate must chain to; "" = [tls] trust_anchors
    timeout: float = 10.0  # seconds for one delivery (connect + answer)
    parallel: int = 1  # deliveries in flight at once to this endpoint
    beginstand: str = "sa01"  # how a new subscription's current objects are sent: Sa01, toevoeg-Lk01, or not
    entiteittypen: list[str] = field(default_factory=lambda: ["*"])  # "MAC", "NNP", "VES" or "*"


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
    wachtwoord_hash: str = field(default="", metadata=SECRET)
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
    endpoint: list[Endpoint] = field(default_factory=list)
    # Chain partner: the entiteittypen ("MAC", "NNP", "VES" or "*") whose kennisgevingen (Lk01 with
    # indicatorOvername "V") the node takes over from this afnemer on OntvangAsynchroon. Default: none.
    kennisgevingen_in: list[str] = field(default_factory=list)


@section("afnemers")
@dataclass(frozen=True)
class AfnemersConfig:
    """Known afnemers (subscribers). The store holds more, managed with `knoop-esb afnemers`."""

    afnemer: list[Afnemer] = doc("Array of tables [[afnemers.afnemer]] with oin, naam, profiel, applicatie, kennisgeving_url, binding (\"digikoppeling\" or \"stuf\"), tolerant (gebruikersnaam with wachtwoord_hash or wachtwoord_bestand, and/or certificaat_cn, for profiel \"intern\" only; delivery endpoints for kennisgevingen: [[afnemers.afnemer.endpoint]] with naam, url, profiel, trust_anchors, timeout, parallel, beginstand, entiteittypen, or kennisgeving_url alone as the simple form; doelbinding: autorisatieprofielen = [\"handelsregister\"] and/or [[afnemers.afnemer.autorisatie]] rules, doel; kennisgevingen_in = [\"MAC\", \"NNP\", \"VES\"] makes it a chain partner whose Lk01s the node takes over). Without any autorisatie an afnemer may ask nothing.", default_factory=list)

    def validate(self, config) -> None:
        from knoop_esb.afnemers.profielen import PROFIELEN
        from knoop_esb.digikoppeling import intern, profiles

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
            _valideer_endpoints(sleutel, afnemer)
            onbekend = set(afnemer.kennisgevingen_in) - {"*", "MAC", "NNP", "VES"}
            if onbekend:
                raise ConfigError(f"{sleutel}.kennisgevingen_in",
                                  f"unknown entiteittypen {sorted(onbekend)}; known: MAC, NNP, VES, *")
            for naam in afnemer.autorisatieprofielen:
                if naam not in PROFIELEN:
                    raise ConfigError(f"afnemers.afnemer[{i}].autorisatieprofielen",
                                      f"unknown profile {naam!r}; known: {', '.join(sorted(PROFIELEN))}")


def _valideer_endpoints(sleutel: str, afnemer: Afnemer) -> None:
    namen = [e.naam for e in afnemer.endpoint]
    if afnemer.kennisgeving_url and STANDAARD_ENDPOINT not in namen:
        namen.append(STANDAARD_ENDPOINT)
    if len(set(namen)) != len(namen):
        raise ConfigError(f"{sleutel}.endpoint", f"afnemer {afnemer.oin}: endpoint names must be unique, got {namen}")
    for j, e in enumerate(afnemer.endpoint):
        plek = f"{sleutel}.endpoint[{j}]"
        if not e.naam or len(e.naam) > 64:
            raise ConfigError(f"{plek}.naam", "an endpoint needs a name of 1 to 64 characters")
        if not e.url.startswith(("https://", "http://")):
            raise ConfigError(f"{plek}.url", f"endpoint {e.naam!r}: url must start with https:// (or http:// for the plain StUF binding)")
        if e.profiel and e.profiel not in ENDPOINT_PROFIELEN:
            raise ConfigError(f"{plek}.profiel", f"unknown profile {e.profiel!r}; known: {', '.join(ENDPOINT_PROFIELEN)}")
        if e.url.startswith("http://") and (e.profiel or afnemer.profiel) != "stuf":
            raise ConfigError(f"{plek}.url", f"endpoint {e.naam!r}: Digikoppeling profiles need https://")
        if e.beginstand not in BEGINSTANDEN:
            raise ConfigError(f"{plek}.beginstand", f"unknown beginstand {e.beginstand!r}; known: {', '.join(BEGINSTANDEN)}")
        if e.timeout <= 0 or e.parallel < 1:
            raise ConfigError(f"{plek}", f"endpoint {e.naam!r}: timeout must be > 0 and parallel >= 1")
        onbekend = set(e.entiteittypen) - {"*", "MAC", "NNP", "VES"}
        if onbekend:
            raise ConfigError(f"{plek}.entiteittypen", f"unknown entiteittypen {sorted(onbekend)}; known: MAC, NNP, VES, *")
