"""Searches over the actual Handelsregister objects (the StUF-BG selection keys).

Why apart from the history code: searching is read-only and query-shaped; each function maps the
selection of a vraagbericht onto indexed columns and returns ``Versie`` objects in key order, so
paging (``maximumAantal``/vervolgvraag) is stable. Every result carries ``fetched_at``.

The selection keys of each entity are data (:data:`_ZOEKSLEUTELS`): per key the clause, with bound
parameters, and how a given value becomes the bound value. A statement is built once per shape
(entity, keys present, match, engine, paging) and reused with new values; rows are read as plain
columns, not ORM entities. Every answered vraag runs one of these, and building the statement and
loading entities per call cost more than the query itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session

from knoop_esb.store.models import MacVersie, NnpVersie, VesHandelsnaam, VesVersie
from knoop_esb.store.normalise import like_escape, normalise
from knoop_esb.store.versie import SLEUTELS, HistorieFout, Versie, postcode_norm, versie_van

MATCHES = ("exact", "prefix", "bevat")
# U+10FFFF sorts after every character: [prefix, prefix + U+10FFFF) is "starts with prefix".
_NA_ALLES = "\U0010ffff"


@dataclass(frozen=True)
class _Sleutel:
    """One selection key: ``clause(name, match, dialect)`` over ``bindparam(name…)``, and
    ``waarden(name, value, match, dialect)`` the bound values for it."""

    clause: Callable[[str, str, str], ColumnElement[bool]]
    waarden: Callable[[str, Any, str, str], dict[str, Any]]


def _gelijk(column, waarde: Callable[[Any], Any] = lambda v: v) -> _Sleutel:
    return _Sleutel(lambda name, match, dialect: column == bindparam(name),
                    lambda name, value, match, dialect: {name: waarde(value)})


def _naam_clause(column, norm_column, name: str, match: str, dialect: str) -> ColumnElement[bool]:
    if match == "exact":
        return column == bindparam(name)
    if match == "prefix":
        if dialect == "sqlite":
            # SQLite only uses an index for LIKE on NOCASE columns; a range on the (already
            # case-folded) column uses the plain index.
            return (norm_column >= bindparam(name)) & (norm_column < bindparam(f"{name}_tot"))
        return norm_column.like(bindparam(name), escape="\\")
    if match == "bevat":
        return norm_column.like(bindparam(name), escape="\\")
    raise HistorieFout(f"unknown match {match!r}; use one of {', '.join(MATCHES)}")


def _naam_waarden(name: str, value: str, match: str, dialect: str) -> dict[str, Any]:
    if match == "exact":
        return {name: value}
    if match == "prefix":
        prefix = normalise(value)
        if dialect == "sqlite":
            return {name: prefix, f"{name}_tot": prefix + _NA_ALLES}
        return {name: like_escape(prefix) + "%"}
    return {name: "%" + like_escape(normalise(value)) + "%"}


def _naam(column, norm_column) -> _Sleutel:
    return _Sleutel(lambda name, match, dialect: _naam_clause(column, norm_column, name, match, dialect), _naam_waarden)


def _handelsnaam() -> _Sleutel:
    # A vestiging matches when any of its handelsnamen does.
    def clause(name: str, match: str, dialect: str) -> ColumnElement[bool]:
        namen = select(VesHandelsnaam.versie_id).where(
            _naam_clause(VesHandelsnaam.naam, VesHandelsnaam.naam_norm, name, match, dialect))
        return VesVersie.id.in_(namen)

    return _Sleutel(clause, _naam_waarden)


@dataclass(frozen=True)
class _Entiteit:
    model: type
    volgorde: Any
    sleutels: dict[str, _Sleutel]


_ZOEKSLEUTELS: dict[str, _Entiteit] = {
    "MAC": _Entiteit(MacVersie, MacVersie.kvk_nummer, {
        "kvk_nummer": _gelijk(MacVersie.kvk_nummer),
        "rsin": _gelijk(MacVersie.rsin),
        "naam": _naam(MacVersie.naam, MacVersie.naam_norm),
    }),
    "NNP": _Entiteit(NnpVersie, NnpVersie.rsin, {
        "rsin": _gelijk(NnpVersie.rsin),
        "kvk_nummer": _gelijk(NnpVersie.kvk_nummer),
        "statutaire_naam": _naam(NnpVersie.statutaire_naam, NnpVersie.statutaire_naam_norm),
    }),
    "VES": _Entiteit(VesVersie, VesVersie.vestigingsnummer, {
        "vestigingsnummer": _gelijk(VesVersie.vestigingsnummer),
        "kvk_nummer": _gelijk(VesVersie.kvk_nummer),
        "postcode": _gelijk(VesVersie.postcode, postcode_norm),
        "huisnummer": _gelijk(VesVersie.huisnummer),
        "huisletter": _gelijk(VesVersie.huisletter),
        "huisnummertoevoeging": _gelijk(VesVersie.huisnummertoevoeging),
        "woonplaats": _gelijk(VesVersie.woonplaats_norm, normalise),
        "straatnaam": _gelijk(VesVersie.straatnaam_norm, normalise),
        "handelsnaam": _handelsnaam(),
    }),
}
_KOLOMMEN = ("data", "begin_geldigheid", "eind_geldigheid", "tijdstip_registratie", "tijdstip_einde_registratie",
             "fetched_at", "bron", "id")


@lru_cache(maxsize=512)
def _statement(entiteittype: str, sleutels: tuple[str, ...], match: str, met_beeindigd: bool, dialect: str,
               limit: bool, offset: bool) -> Select:
    entiteit = _ZOEKSLEUTELS[entiteittype]
    model = entiteit.model
    stmt = select(*(getattr(model, k) for k in (SLEUTELS[entiteittype], *_KOLOMMEN))).where(model.actueel.is_(True))
    if not met_beeindigd:
        stmt = stmt.where(model.eind_geldigheid.is_(None))
    for sleutel in sleutels:
        stmt = stmt.where(entiteit.sleutels[sleutel].clause(sleutel, match, dialect))
    stmt = stmt.order_by(entiteit.volgorde)
    if offset:
        stmt = stmt.offset(bindparam("_offset"))
    if limit:
        stmt = stmt.limit(bindparam("_limit"))
    return stmt


def _zoek(session: Session, entiteittype: str, gegeven: dict[str, Any], match: str, met_beeindigd: bool,
          limit: int | None, offset: int) -> list[Versie]:
    if match not in MATCHES:
        raise HistorieFout(f"unknown match {match!r}; use one of {', '.join(MATCHES)}")
    sleutels = tuple(k for k, v in gegeven.items() if v is not None and v != "")
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {"_limit": limit, "_offset": offset}
    for sleutel in sleutels:
        params.update(_ZOEKSLEUTELS[entiteittype].sleutels[sleutel].waarden(sleutel, gegeven[sleutel], match, dialect))
    stmt = _statement(entiteittype, sleutels, match, met_beeindigd, dialect, limit is not None, bool(offset))
    return [versie_van(entiteittype, row) for row in session.execute(stmt, params)]


def zoek_vestigingen(
    session: Session,
    *,
    vestigingsnummer: str | None = None,
    kvk_nummer: str | None = None,
    handelsnaam: str | None = None,
    match: str = "exact",
    postcode: str | None = None,
    huisnummer: int | None = None,
    huisletter: str | None = None,
    huisnummertoevoeging: str | None = None,
    woonplaats: str | None = None,
    straatnaam: str | None = None,
    met_beeindigd: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Versie]:
    """Actual vestigingen matching every given key. ``match`` applies to handelsnaam: ``exact``
    compares as written, ``prefix``/``bevat`` ignore case, accents and spacing."""
    return _zoek(session, "VES", {
        "vestigingsnummer": vestigingsnummer, "kvk_nummer": kvk_nummer, "postcode": postcode,
        "huisnummer": huisnummer, "huisletter": huisletter, "huisnummertoevoeging": huisnummertoevoeging,
        "woonplaats": woonplaats, "straatnaam": straatnaam, "handelsnaam": handelsnaam,
    }, match, met_beeindigd, limit, offset)


def zoek_nnp(
    session: Session,
    *,
    rsin: str | None = None,
    kvk_nummer: str | None = None,
    statutaire_naam: str | None = None,
    match: str = "exact",
    met_beeindigd: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Versie]:
    return _zoek(session, "NNP", {"rsin": rsin, "kvk_nummer": kvk_nummer, "statutaire_naam": statutaire_naam},
                 match, met_beeindigd, limit, offset)


def zoek_mac(
    session: Session,
    *,
    kvk_nummer: str | None = None,
    rsin: str | None = None,
    naam: str | None = None,
    match: str = "exact",
    met_beeindigd: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Versie]:
    return _zoek(session, "MAC", {"kvk_nummer": kvk_nummer, "rsin": rsin, "naam": naam},
                 match, met_beeindigd, limit, offset)
