"""The canonical Handelsregister model: one shape for what KVK (REST) and StUF-HR 0300 tell us.

Every source is adapted into these frozen dataclasses; every StUF-BG object and every kennisgeving
is made from them; the store keeps them as JSON (``to_dict``/``from_dict``, shape in
docs/transform.md). Names follow the NHR: a MaatschappelijkeActiviteit has an eigenaar (a
NietNatuurlijkPersoon or a NatuurlijkPersoon) and is exercised in Vestigingen.

Dates stay strings ``JJJJMMDD`` as the NHR gives them (unknown parts are ``00``); a tijdstip is
``JJJJMMDD[uummss[mmm]]``. ``None`` always means "the source did not say".
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Union

# The model's JSON keys are the NHR's camelCase names; Python attributes are snake_case.


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Handelsnaam:
    naam: str
    volgorde: int = 0


@dataclass(frozen=True)
class SbiActiviteit:
    sbi_code: str
    omschrijving: str | None = None
    hoofdactiviteit: bool = False


@dataclass(frozen=True)
class Adres:
    """A bezoek- or correspondentieadres (NHR bezoekLocatie/postLocatie), binnenlands or buitenlands."""

    type: str  # "bezoekadres" | "correspondentieadres"
    afgeschermd: bool = False
    straatnaam: str | None = None
    huisnummer: int | None = None
    huisletter: str | None = None
    huisnummer_toevoeging: str | None = None
    toevoeging_adres: str | None = None
    postcode: str | None = None
    postbusnummer: int | None = None
    plaats: str | None = None
    land: str | None = None
    straat_huisnummer: str | None = None
    postcode_woonplaats: str | None = None
    regio: str | None = None
    volledig_adres: str | None = None
    # BAG identifications (KVK geoData): adresseerbaar object and nummeraanduiding.
    bag_adresseerbaar_object_id: str | None = None
    bag_nummeraanduiding_id: str | None = None

    @property
    def buitenlands(self) -> bool:
        if self.straat_huisnummer or self.postcode_woonplaats:
            return True
        return bool(self.land) and self.land.strip().lower() not in ("nederland", "nl")


@dataclass(frozen=True)
class Communicatie:
    telefoonnummer: str | None = None
    faxnummer: str | None = None
    emailadres: str | None = None


@dataclass(frozen=True)
class Vestiging:
    vestigingsnummer: str
    kvk_nummer: str | None = None
    commercieel: bool | None = None
    hoofdvestiging: bool | None = None
    eerste_handelsnaam: str | None = None
    naam: str | None = None  # niet-commerciële vestiging: its naam (NCV)
    naam_verkort: str | None = None
    handelsnamen: tuple[Handelsnaam, ...] = ()
    sbi_activiteiten: tuple[SbiActiviteit, ...] = ()
    adressen: tuple[Adres, ...] = ()
    websites: tuple[str, ...] = ()
    communicatie: Communicatie | None = None
    voltijd_werkzame_personen: int | None = None
    deeltijd_werkzame_personen: int | None = None
    totaal_werkzame_personen: int | None = None
    datum_aanvang: str | None = None
    datum_einde: str | None = None
    formele_registratiedatum: str | None = None
    registratietijdstip: str | None = None
    # True when only KVK's short VestigingBasis (the /vestigingen list) was seen.
    alleen_basis: bool = False

    def adres(self, soort: str) -> Adres | None:
        return next((a for a in self.adressen if a.type == soort), None)


@dataclass(frozen=True)
class Functionaris:
    """A person acting for a niet-natuurlijk persoon (vennoot, bestuurder, curator, …)."""

    persoon: "NatuurlijkPersoon | NietNatuurlijkPersoon"
    functie: str | None = None  # KVK's functie, or the role name for curator/bewindvoerder/rechter-commissaris
    datum_aanvang: str | None = None
    datum_einde: str | None = None


@dataclass(frozen=True)
class NietNatuurlijkPersoon:
    rsin: str | None = None
    statutaire_naam: str | None = None
    rechtsvorm: str | None = None
    uitgebreide_rechtsvorm: str | None = None
    publiekrechtelijke_rechtsvorm: str | None = None
    overige_privaatrechtelijke_rechtsvorm: str | None = None
    statutaire_zetel: str | None = None
    datum_aanvang: str | None = None
    datum_einde: str | None = None
    datum_uitschrijving: str | None = None
    adressen: tuple[Adres, ...] = ()
    websites: tuple[str, ...] = ()
    communicatie: Communicatie | None = None
    registratietijdstip: str | None = None
    bijzondere_rechtstoestand: str | None = None  # "F" faillissement, "B" surseance, "S" schuldsanering
    functionarissen: tuple[Functionaris, ...] = ()
    alleen_basis: bool = False  # only what a Zoeken result says (the RSIN), not a basisprofiel's eigenaar

    def adres(self, soort: str) -> Adres | None:
        return next((a for a in self.adressen if a.type == soort), None)


@dataclass(frozen=True)
class NatuurlijkPersoon:
    bsn: str | None = None
    geslachtsnaam: str | None = None
    voorvoegsel_geslachtsnaam: str | None = None
    voornamen: str | None = None
    geslachtsaanduiding: str | None = None  # "M" | "V" | "O"
    rechtsvorm: str | None = None  # e.g. "Eenmanszaak": how KVK describes the eigenaar
    adressen: tuple[Adres, ...] = ()

    def adres(self, soort: str) -> Adres | None:
        return next((a for a in self.adressen if a.type == soort), None)


Eigenaar = Union[NietNatuurlijkPersoon, NatuurlijkPersoon]


@dataclass(frozen=True)
class MaatschappelijkeActiviteit:
    kvk_nummer: str
    naam: str | None = None
    non_mailing: bool | None = None
    onderneming: bool | None = None  # manifesteert zich als onderneming
    datum_aanvang: str | None = None
    datum_voortzetting: str | None = None
    datum_einde: str | None = None
    formele_registratiedatum: str | None = None
    registratietijdstip: str | None = None
    handelsnamen: tuple[Handelsnaam, ...] = ()
    sbi_activiteiten: tuple[SbiActiviteit, ...] = ()
    totaal_werkzame_personen: int | None = None
    eigenaar: Eigenaar | None = None
    hoofdvestiging: Vestiging | None = None
    vestigingen: tuple[Vestiging, ...] = ()
    aantal_vestigingen: int | None = None
    alleen_basis: bool = False  # a Zoeken result: never stored over (or instead of) a basisprofiel

    def alle_vestigingen(self) -> tuple[Vestiging, ...]:
        """Every vestiging once, the hoofdvestiging first; a full Vestigingsprofiel beats a short entry."""
        seen: dict[str, Vestiging] = {}
        for ves in ((self.hoofdvestiging,) if self.hoofdvestiging else ()) + self.vestigingen:
            known = seen.get(ves.vestigingsnummer)
            if known is None or not ves.alleen_basis:  # a later full profile beats the embedded copy
                seen[ves.vestigingsnummer] = ves
        return tuple(seen.values())

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MaatschappelijkeActiviteit:
        return from_dict(cls, data)


# --- JSON round trip ----------------------------------------------------------------------------

_EIGENAAR_SOORT = {NietNatuurlijkPersoon: "nietNatuurlijkPersoon", NatuurlijkPersoon: "natuurlijkPersoon"}
_SOORT_EIGENAAR = {v: k for k, v in _EIGENAAR_SOORT.items()}


_VELDEN: dict[type, tuple[tuple[str, str], ...]] = {}
_SCALARS = frozenset({str, int, bool, float})


def _velden(cls: type) -> tuple[tuple[str, str], ...]:
    # (attribute, JSON key) per class, worked out once: a bulk load serialises millions of objects.
    velden = _VELDEN.get(cls)
    if velden is None:
        velden = _VELDEN[cls] = tuple((f.name, _camel(f.name)) for f in dataclasses.fields(cls))
    return velden


def to_dict(obj: Any) -> Any:
    """Dataclass → plain JSON-able dict with camelCase keys; ``None`` fields and empty tuples left out."""
    cls = type(obj)
    velden = _VELDEN.get(cls)
    if velden is None:
        if isinstance(obj, tuple):
            return [v if type(v) in _SCALARS else to_dict(v) for v in obj]
        if not dataclasses.is_dataclass(obj):
            return obj
        velden = _velden(cls)
    out: dict[str, Any] = {}
    if cls in _EIGENAAR_SOORT:
        out["soort"] = _EIGENAAR_SOORT[cls]
    for name, key in velden:
        value = getattr(obj, name)
        if value is None or value == () or (name == "alleen_basis" and not value):
            continue
        out[key] = value if type(value) in _SCALARS else to_dict(value)
    return out


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """How a stored (JSON) value becomes a field of type ``tp``; None: taken as it is."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _converter(args[0])
        return lambda value: from_dict(_SOORT_EIGENAAR[value["soort"]], value)
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(tp)
        inner = _converter(item)
        if inner is None:
            return tuple
        return lambda value: tuple(None if v is None else inner(v) for v in value)
    if dataclasses.is_dataclass(tp):
        return lambda value: from_dict(tp, value)
    return None


_PLANS: dict[type, tuple[tuple[str, str, Callable[[Any], Any] | None], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    # Worked out once per class: every vraag answered from the store decodes its objects here.
    plan = _PLANS.get(cls)
    if plan is None:
        hints = _hints(cls)
        plan = _PLANS[cls] = tuple((f.name, _camel(f.name), _converter(hints[f.name]))
                                   for f in dataclasses.fields(cls))
    return plan


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Inverse of :func:`to_dict`; unknown keys are ignored so older/newer store rows still load."""
    kwargs = {}
    for name, key, convert in _plan(cls):
        if key in data:
            value = data[key]
            kwargs[name] = value if convert is None or value is None else convert(value)
    return cls(**kwargs)


__all__ = [
    "Adres",
    "Communicatie",
    "Eigenaar",
    "Functionaris",
    "Handelsnaam",
    "MaatschappelijkeActiviteit",
    "NatuurlijkPersoon",
    "NietNatuurlijkPersoon",
    "SbiActiviteit",
    "Vestiging",
    "from_dict",
    "to_dict",
]
