from dataclasses import dataclass, field

from knoop_esb.config.loader import doc, section


@dataclass(frozen=True)
class Route:
    """One route: which sources answer this berichtcode + entiteittype (for one afnemer, when set)."""

    berichtcode: str
    entiteittype: str
    chain: list[str] = field(default_factory=list)
    max_age: str = ""
    afnemer: str = ""


@dataclass(frozen=True)
class Upstream:
    """An upstream StUF service the node proxies to over Digikoppeling WUS."""

    name: str
    url: str
    entiteittypen: list[str] = field(default_factory=list)
    wsdl: str = ""
    profiel: str = "2W-be"
    certificate: str = ""
    private_key: str = ""
    ca: str = ""
    timeout: float = 10.0
    oin: str = ""
    organisatie: str = ""
    applicatie: str = ""


@section("routes")
@dataclass(frozen=True)
class RoutesConfig:
    """The route table: per berichtcode + entiteittype the chain of sources asked in turn
    (`store`, `kvk`, `handelsdata`, `upstream:<name>`, or `upstream:<a>+<b>` to ask several
    upstreams at once and merge). Checked at start-up; see docs/routing.md."""

    default_chain: list[str] = doc("Sources asked in turn when a route names none.", default_factory=lambda: ["store", "kvk"])
    default_max_age: str = doc("How old stored data may be before the next source is asked (30d, 12h, 15m, 90s, 0).", default="7d")
    route: list[Route] = doc("Array of tables [[routes.route]] with berichtcode, entiteittype, chain, max_age, afnemer (OIN: override for that afnemer). nnpLv01/NNP, macLv01/MAC and vesLv01/VES not listed use default_chain.", default_factory=list)
    upstream: list[Upstream] = doc("Array of tables [[routes.upstream]] with name, url, entiteittypen, oin (required), wsdl (empty = the installed BG vraagAntwoord WSDL), profiel (2W-be, 2W-be-S), certificate, private_key, ca, timeout, organisatie, applicatie.", default_factory=list)

    def validate(self, config) -> None:
        # The rules live with the route table so that start-up and `config check` judge alike.
        from knoop_esb.routing.table import valideer

        valideer(config)
