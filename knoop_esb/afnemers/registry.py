"""All afnemers the node knows: those in knoop.toml plus those added at run time to the store.

Why one registry: the TLS layer, doelbinding, afnemerindicaties and delivery all ask "who is
OIN x and what may it do"; the answer must not depend on where the afnemer was defined. An OIN
in knoop.toml wins over a store row with the same OIN (the CLI refuses to create one).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knoop_esb.afnemers.profielen import ALLES, PROFIELEN, Regel
from knoop_esb.digikoppeling import intern
from knoop_esb.digikoppeling.oin import is_valid as oin_is_valid
from knoop_esb.digikoppeling.profiles import PROFIELEN as WUS_PROFIEL_DEFINITIES
from knoop_esb.store.base import utcnow
from knoop_esb.store.models import Afnemer as AfnemerRij
from knoop_esb.store.models import Autorisatie as AutorisatieRij

if TYPE_CHECKING:
    # Only for annotations: importing a config section module registers it, and the order of
    # registration is the order of docs/configuration.md.
    from knoop_esb.config.afnemers import Afnemer as AfnemerConfig

WUS_PROFIELEN = (*WUS_PROFIEL_DEFINITIES, intern.PROFIEL)


class AfnemerFout(ValueError):
    """A registry change that cannot be made; ``str()`` is the one line the CLI prints."""


@dataclass(frozen=True)
class AfnemerEndpoint:
    """A delivery endpoint of an afnemer, resolved: ``profiel`` is never empty here."""

    naam: str
    url: str
    profiel: str
    trust_anchors: str = ""
    timeout: float = 10.0
    parallel: int = 1
    beginstand: str = "sa01"
    entiteittypen: tuple[str, ...] = ("*",)

    def volgt(self, entiteittype: str) -> bool:
        return "*" in self.entiteittypen or entiteittype in self.entiteittypen


STANDAARD_ENDPOINT = "standaard"


def _endpoints(profiel: str, kennisgeving_url: str, geconfigureerd=()) -> tuple[AfnemerEndpoint, ...]:
    """The configured endpoints, plus ``kennisgeving_url`` as the endpoint "standaard" (the simple
    form: the afnemer's own profile, the node's trust anchors)."""
    uit = [AfnemerEndpoint(naam=e.naam, url=e.url, profiel=e.profiel or profiel, trust_anchors=e.trust_anchors,
                           timeout=e.timeout, parallel=e.parallel, beginstand=e.beginstand,
                           entiteittypen=tuple(e.entiteittypen)) for e in geconfigureerd]
    if kennisgeving_url and all(e.naam != STANDAARD_ENDPOINT for e in uit):
        uit.append(AfnemerEndpoint(naam=STANDAARD_ENDPOINT, url=kennisgeving_url, profiel=profiel))
    return tuple(uit)


@dataclass(frozen=True)
class AfnemerInfo:
    oin: str
    naam: str
    profiel: str
    applicatie: str
    kennisgeving_url: str
    actief: bool
    regels: tuple[Regel, ...]
    doel: str = ""
    gebruikersnaam: str = ""
    wachtwoord_hash: str = ""
    bron: str = "config"
    endpoints: tuple[AfnemerEndpoint, ...] = ()


def regels_uit_config(afnemer: AfnemerConfig) -> tuple[Regel, ...]:
    regels = [r for naam in afnemer.autorisatieprofielen for r in PROFIELEN[naam]]
    for a in afnemer.autorisatie:
        regels.append(Regel(a.berichtcode, a.entiteittype, tuple(a.selectie), tuple(a.attributen), tuple(a.relaties),
                            a.doel or afnemer.doel))
    return tuple(regels)


def van_config(afnemer: AfnemerConfig) -> AfnemerInfo:
    return AfnemerInfo(
        oin=afnemer.oin, naam=afnemer.naam, profiel=afnemer.profiel, applicatie=afnemer.applicatie,
        kennisgeving_url=afnemer.kennisgeving_url, actief=True, regels=regels_uit_config(afnemer),
        doel=afnemer.doel, gebruikersnaam=afnemer.gebruikersnaam, wachtwoord_hash=afnemer.wachtwoord_hash,
        endpoints=_endpoints(afnemer.profiel, afnemer.kennisgeving_url, afnemer.endpoint),
    )


def van_store(rij: AfnemerRij) -> AfnemerInfo:
    regels = tuple(
        Regel(a.berichtcode, a.entiteittype, _lijst(a.selectie_keys), _lijst(a.attributen), _lijst(a.relaties), a.doel)
        for a in sorted(rij.autorisaties, key=lambda a: (a.entiteittype, a.berichtcode))
    )
    return AfnemerInfo(
        oin=rij.oin, naam=rij.naam, profiel=rij.profiel, applicatie=rij.applicatie,
        kennisgeving_url=rij.kennisgeving_url, actief=rij.actief, regels=regels,
        doel="; ".join(dict.fromkeys(r.doel for r in regels if r.doel)),
        gebruikersnaam=rij.gebruikersnaam or "", wachtwoord_hash=rij.wachtwoord_hash or "", bron="store",
        endpoints=_endpoints(rij.profiel, rij.kennisgeving_url),
    )


def _lijst(waarde: list[str] | None) -> tuple[str, ...]:
    return ALLES if waarde is None else tuple(waarde)


class Registry:
    """``Registry(config, database)``: look afnemers up by OIN or intern gebruikersnaam."""

    def __init__(self, config, database=None):
        self._config = {a.oin: van_config(a) for a in config.afnemers.afnemer}
        self._database = database

    def get(self, oin: str) -> AfnemerInfo | None:
        if oin in self._config:
            return self._config[oin]
        if self._database is None:
            return None
        with self._database.session() as session:
            rij = session.get(AfnemerRij, oin)
            return van_store(rij) if rij is not None else None

    def by_gebruikersnaam(self, gebruikersnaam: str) -> AfnemerInfo | None:
        if not gebruikersnaam:
            return None
        gevonden = next((a for a in self._config.values() if a.gebruikersnaam == gebruikersnaam), None)
        if gevonden is not None or self._database is None:
            return gevonden
        # Asked on every intern-profile request: one row by its unique column, not the whole table.
        with self._database.session() as session:
            rij = session.scalars(select(AfnemerRij).where(AfnemerRij.gebruikersnaam == gebruikersnaam)).first()
            # A store row whose OIN is also in knoop.toml is shadowed by the config afnemer.
            return van_store(rij) if rij is not None and rij.oin not in self._config else None

    def alle(self) -> list[AfnemerInfo]:
        result = list(self._config.values())
        if self._database is not None:
            with self._database.session() as session:
                rows = session.scalars(select(AfnemerRij).order_by(AfnemerRij.oin))
                result += [van_store(r) for r in rows if r.oin not in self._config]
        return result

    def in_config(self, oin: str) -> bool:
        return oin in self._config


# Changes to the store's afnemers (the CLI's verbs).

def toevoegen(session: Session, oin: str, *, naam: str = "", profiel: str = "2W-be", applicatie: str = "",
              kennisgeving_url: str = "", gebruikersnaam: str | None = None, wachtwoord_hash: str | None = None) -> AfnemerRij:
    _controleer_oin(oin)
    _controleer_profiel(profiel, gebruikersnaam, wachtwoord_hash)
    if session.get(AfnemerRij, oin) is not None:
        raise AfnemerFout(f"afnemer {oin} already exists")
    rij = AfnemerRij(oin=oin, naam=naam, profiel=profiel, applicatie=applicatie, kennisgeving_url=kennisgeving_url,
                     actief=True, gebruikersnaam=gebruikersnaam, wachtwoord_hash=wachtwoord_hash)
    session.add(rij)
    session.flush()
    return rij


def verwijderen(session: Session, oin: str) -> None:
    rij = _rij(session, oin)
    session.delete(rij)
    session.flush()


def zet_profiel(session: Session, oin: str, profiel: str) -> None:
    rij = _rij(session, oin)
    _controleer_profiel(profiel, rij.gebruikersnaam, rij.wachtwoord_hash)
    rij.profiel = profiel
    rij.updated_at = utcnow()


def zet_actief(session: Session, oin: str, actief: bool) -> None:
    rij = _rij(session, oin)
    rij.actief = actief
    rij.updated_at = utcnow()


def autoriseer(session: Session, oin: str, regels: Iterable[Regel]) -> int:
    """Add or replace rules (one per berichtcode + entiteittype); returns how many were written."""
    rij = _rij(session, oin)
    n = 0
    for regel in regels:
        session.execute(delete(AutorisatieRij).where(
            AutorisatieRij.afnemer_oin == oin, AutorisatieRij.berichtcode == regel.berichtcode,
            AutorisatieRij.entiteittype == regel.entiteittype))
        session.add(AutorisatieRij(afnemer_oin=oin, berichtcode=regel.berichtcode, entiteittype=regel.entiteittype,
                                   selectie_keys=list(regel.selectie), attributen=list(regel.attributen),
                                   relaties=list(regel.relaties), doel=regel.doel))
        n += 1
    session.flush()
    session.expire(rij, ["autorisaties"])
    return n


def intrekken(session: Session, oin: str, berichtcode: str = "*", entiteittype: str = "*") -> int:
    """Remove rules; ``*`` matches every value. Returns how many were removed."""
    _rij(session, oin)
    stmt = delete(AutorisatieRij).where(AutorisatieRij.afnemer_oin == oin)
    if berichtcode != "*":
        stmt = stmt.where(AutorisatieRij.berichtcode == berichtcode)
    if entiteittype != "*":
        stmt = stmt.where(AutorisatieRij.entiteittype == entiteittype)
    return session.execute(stmt).rowcount


def _rij(session: Session, oin: str) -> AfnemerRij:
    rij = session.get(AfnemerRij, oin)
    if rij is None:
        raise AfnemerFout(f"no afnemer {oin} in the store (afnemers in knoop.toml are changed there)")
    return rij


def _controleer_oin(oin: str) -> None:
    # The same rule the TLS layer applies to certificates: an afnemer the CLI adds must be able to connect.
    if not oin_is_valid(oin):
        raise AfnemerFout(f"OIN must be 20 digits or capitals (the first 8 digits), got {oin!r}")


def _controleer_profiel(profiel: str, gebruikersnaam: str | None, wachtwoord_hash: str | None) -> None:
    if profiel not in WUS_PROFIELEN:
        raise AfnemerFout(f"unknown profiel {profiel!r}; use one of {', '.join(WUS_PROFIELEN)}")
    if profiel == "intern" and not (gebruikersnaam and wachtwoord_hash):
        raise AfnemerFout("profiel intern needs a gebruikersnaam and a wachtwoord")
    if profiel != "intern" and (gebruikersnaam or wachtwoord_hash):
        raise AfnemerFout(f"profiel {profiel} authenticates by certificate only: no gebruikersnaam/wachtwoord")
