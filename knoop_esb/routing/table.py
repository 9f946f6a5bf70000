"""The route table: which chain of sources answers a berichtcode + entiteittype, for whom.

Routes are data (``[[routes.route]]`` in knoop.toml). They are checked when the configuration is
loaded, so a route the node cannot serve stops start-up (and ``knoop-esb config check``) with the
StUF foutcode an afnemer would otherwise get at run time, instead of surfacing as a Fo02 later.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from knoop_esb.config.loader import ConfigError, duur  # noqa: F401  (duur: used by the route table)
from knoop_esb.digikoppeling import oin

# What each kind of source can answer. Upstreams declare their own entiteittypen in config.
ENTITEITTYPEN = {
    "store": frozenset({"NNP", "MAC", "VES"}),
    "kvk": frozenset({"NNP", "MAC", "VES"}),
    "handelsdata": frozenset({"MAC", "VES"}),
}
# Store, KVK and Handelsdata hold actual data only; history questions (Lv03/Lv05) need an upstream.
ACTUELE_VRAAG = re.compile(r"^([a-z]{3})Lv01$")
UPSTREAM_VRAAG = re.compile(r"^([a-z]{3})Lv0[1357]$")
STANDAARD_ROUTES = (("nnpLv01", "NNP"), ("macLv01", "MAC"), ("vesLv01", "VES"))


@dataclass(frozen=True)
class Stap:
    """One step of a chain: one source, or several upstreams asked at once (fan-out)."""

    naam: str
    bronnen: tuple[str, ...]

    @property
    def fanout(self) -> bool:
        return len(self.bronnen) > 1


def stap(naam: str) -> Stap:
    if naam.startswith("upstream:") and "+" in naam:
        delen = naam[len("upstream:"):].split("+")
        return Stap(naam, tuple(f"upstream:{d.strip()}" for d in delen))
    return Stap(naam, (naam,))


@dataclass(frozen=True)
class Route:
    berichtcode: str
    entiteittype: str
    chain: tuple[Stap, ...]
    max_age: timedelta
    afnemer: str | None = None

    @property
    def sleutel(self) -> str:
        voor = f" for afnemer {self.afnemer}" if self.afnemer else ""
        return f"{self.berichtcode}/{self.entiteittype}{voor}"


class RouteTable:
    """Looks up the route for a vraag; an afnemer's own route wins over the general one."""

    def __init__(self, routes: list[Route]):
        self._routes = {(r.berichtcode, r.entiteittype, r.afnemer): r for r in routes}

    @classmethod
    def from_config(cls, config) -> "RouteTable":
        return cls(routes(config))

    def __iter__(self):
        return iter(self._routes.values())

    def route(self, berichtcode: str, entiteittype: str, afnemer: str | None = None) -> Route | None:
        if afnemer:
            eigen = self._routes.get((berichtcode, entiteittype, afnemer))
            if eigen is not None:
                return eigen
        return self._routes.get((berichtcode, entiteittype, None))

    def berichtcodes(self) -> frozenset[str]:
        return frozenset(b for b, _, _ in self._routes)


def routes(config) -> list[Route]:
    """The routes of ``config``, checked; raises ConfigError naming the route and StUF foutcode."""
    rc = config.routes
    standaard = duur(rc.default_max_age, "routes.default_max_age")
    eigen = {(r.berichtcode, r.entiteittype.upper()) for r in rc.route if not r.afnemer}
    standaard_routes = [_standaard(b, e) for b, e in STANDAARD_ROUTES if (b, e) not in eigen]
    result: list[Route] = []
    gezien: set[tuple] = set()
    for i, r in enumerate(list(rc.route) + standaard_routes):
        sleutel = f"routes.route[{i}]" if i < len(rc.route) else "routes.default_chain"
        max_age = duur(r.max_age, f"{sleutel}.max_age") if r.max_age else standaard
        chain = tuple(stap(n) for n in (r.chain or rc.default_chain))
        route = Route(r.berichtcode, r.entiteittype.upper(), chain, max_age, r.afnemer or None)
        _controleer(route, sleutel, config)
        key = (route.berichtcode, route.entiteittype, route.afnemer)
        if key in gezien:
            raise ConfigError(sleutel, f"route {route.sleutel} is defined twice")
        gezien.add(key)
        result.append(route)
    return result


def valideer(config) -> None:
    routes(config)
    namen = [u.name for u in config.routes.upstream]
    for i, u in enumerate(config.routes.upstream):
        sleutel = f"routes.upstream[{i}]"
        if not re.fullmatch(r"[A-Za-z0-9_-]+", u.name or ""):
            raise ConfigError(f"{sleutel}.name", f"must be letters, digits, - or _, got {u.name!r}")
        if namen.count(u.name) > 1:
            raise ConfigError(f"{sleutel}.name", f"upstream {u.name!r} is defined twice")
        if not u.url.startswith(("https://", "http://")):
            raise ConfigError(f"{sleutel}.url", f"must be an http(s) URL, got {u.url!r}")
        if u.profiel not in ("2W-be", "2W-be-S"):
            # 2W-be-SE needs the provider's encryption certificate, which [[routes.upstream]] does not carry.
            raise ConfigError(f"{sleutel}.profiel", f"must be 2W-be or 2W-be-S, got {u.profiel!r}")
        if not oin.is_valid(u.oin):
            raise ConfigError(f"{sleutel}.oin", f"the upstream's 20-character OIN is required (wsa:To, signer check), got {u.oin!r}")
        if u.timeout <= 0:
            raise ConfigError(f"{sleutel}.timeout", "must be more than 0 seconds")
        if not u.entiteittypen:
            raise ConfigError(f"{sleutel}.entiteittypen", "name the entiteittypen this upstream answers (e.g. [\"NPS\"])")


def _standaard(berichtcode: str, entiteittype: str):
    from knoop_esb.config.routes import Route as RouteTabel

    return RouteTabel(berichtcode=berichtcode, entiteittype=entiteittype)


def _controleer(route: Route, sleutel: str, config) -> None:
    if route.afnemer and not oin.is_valid(route.afnemer):
        raise ConfigError(f"{sleutel}.afnemer", f"must be a 20-character OIN, got {route.afnemer!r}")
    if not route.chain:
        raise ConfigError(sleutel, f"StUF025: route {route.sleutel} has an empty chain")
    match = UPSTREAM_VRAAG.match(route.berichtcode)
    if not match:
        raise ConfigError(sleutel, f"StUF025: berichtcode {route.berichtcode!r} of route {route.sleutel} is not a vraagbericht (<ent>Lv01/03/05/07)")
    if match.group(1).upper() != route.entiteittype:
        raise ConfigError(sleutel, f"StUF031: entiteittype {route.entiteittype} does not belong to berichtcode {route.berichtcode} (route {route.sleutel})")
    for s in route.chain:
        for bron in s.bronnen:
            _controleer_bron(bron, route, sleutel, config)


def _controleer_bron(bron: str, route: Route, sleutel: str, config) -> None:
    waar = f"route {route.sleutel}"
    if bron.startswith("upstream:"):
        naam = bron[len("upstream:"):]
        upstream = next((u for u in config.routes.upstream if u.name == naam), None)
        if upstream is None:
            raise ConfigError(sleutel, f"StUF025: {waar} names {bron} but no [[routes.upstream]] is called {naam!r}")
        if route.entiteittype not in {e.upper() for e in upstream.entiteittypen}:
            raise ConfigError(sleutel, f"StUF031: {waar}: upstream {naam!r} does not answer entiteittype {route.entiteittype}")
        return
    if bron not in ENTITEITTYPEN:
        raise ConfigError(sleutel, f"StUF025: {waar} names unknown source {bron!r} (known: store, kvk, handelsdata, upstream:<name>)")
    if not ACTUELE_VRAAG.match(route.berichtcode):
        raise ConfigError(sleutel, f"StUF025: {waar}: source {bron} answers only actual data (Lv01), not {route.berichtcode}")
    if route.entiteittype not in ENTITEITTYPEN[bron]:
        raise ConfigError(sleutel, f"StUF031: {waar}: source {bron} does not answer entiteittype {route.entiteittype}")
    if bron == "handelsdata" and not config.handelsdata.geconfigureerd:
        raise ConfigError(sleutel, f"StUF025: {waar} names handelsdata but [handelsdata] has no base_url and abonnementen")
