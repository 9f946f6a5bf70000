"""Searches over the actual Handelsregister objects (the StUF-BG selection keys).

Why apart from the history code: searching is read-only and query-shaped; each function maps the
selection of a vraagbericht onto indexed columns and returns ``Versie`` objects in key order, so
paging (``maximumAantal``/vervolgvraag) is stable. Every result carries ``fetched_at``.
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from knoop_esb.store.versie import HistorieFout, Versie, postcode_norm, versie_van
from knoop_esb.store.models import MacVersie, NnpVersie, VesHandelsnaam, VesVersie
from knoop_esb.store.normalise import like_escape, normalise

MATCHES = ("exact", "prefix", "bevat")


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
    stmt = _actueel(VesVersie, met_beeindigd)
    if vestigingsnummer:
        stmt = stmt.where(VesVersie.vestigingsnummer == vestigingsnummer)
    if kvk_nummer:
        stmt = stmt.where(VesVersie.kvk_nummer == kvk_nummer)
    if postcode:
        stmt = stmt.where(VesVersie.postcode == postcode_norm(postcode))
    if huisnummer is not None:
        stmt = stmt.where(VesVersie.huisnummer == huisnummer)
    if huisletter:
        stmt = stmt.where(VesVersie.huisletter == huisletter)
    if huisnummertoevoeging:
        stmt = stmt.where(VesVersie.huisnummertoevoeging == huisnummertoevoeging)
    if woonplaats:
        stmt = stmt.where(VesVersie.woonplaats_norm == normalise(woonplaats))
    if straatnaam:
        stmt = stmt.where(VesVersie.straatnaam_norm == normalise(straatnaam))
    if handelsnaam:
        namen = select(VesHandelsnaam.versie_id).where(
            _naam_filter(session, VesHandelsnaam.naam, VesHandelsnaam.naam_norm, handelsnaam, match))
        stmt = stmt.where(VesVersie.id.in_(namen))
    stmt = stmt.order_by(VesVersie.vestigingsnummer)
    return _run(session, "VES", stmt, limit, offset)


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
    stmt = _actueel(NnpVersie, met_beeindigd)
    if rsin:
        stmt = stmt.where(NnpVersie.rsin == rsin)
    if kvk_nummer:
        stmt = stmt.where(NnpVersie.kvk_nummer == kvk_nummer)
    if statutaire_naam:
        stmt = stmt.where(_naam_filter(session, NnpVersie.statutaire_naam, NnpVersie.statutaire_naam_norm,
                                       statutaire_naam, match))
    return _run(session, "NNP", stmt.order_by(NnpVersie.rsin), limit, offset)


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
    stmt = _actueel(MacVersie, met_beeindigd)
    if kvk_nummer:
        stmt = stmt.where(MacVersie.kvk_nummer == kvk_nummer)
    if rsin:
        stmt = stmt.where(MacVersie.rsin == rsin)
    if naam:
        stmt = stmt.where(_naam_filter(session, MacVersie.naam, MacVersie.naam_norm, naam, match))
    return _run(session, "MAC", stmt.order_by(MacVersie.kvk_nummer), limit, offset)


def _actueel(model: type, met_beeindigd: bool) -> Select:
    stmt = select(model).where(model.actueel.is_(True))
    return stmt if met_beeindigd else stmt.where(model.eind_geldigheid.is_(None))


def _naam_filter(session: Session, column, norm_column, value: str, match: str):
    if match == "exact":
        return column == value
    if match == "prefix":
        prefix = normalise(value)
        if session.get_bind().dialect.name == "sqlite":
            # SQLite only uses an index for LIKE on NOCASE columns; a range on the (already
            # case-folded) column uses the plain index. U+10FFFF sorts after every character.
            return (norm_column >= prefix) & (norm_column < prefix + "\U0010ffff")
        return norm_column.like(like_escape(prefix) + "%", escape="\\")
    if match == "bevat":
        return norm_column.like("%" + like_escape(normalise(value)) + "%", escape="\\")
    raise HistorieFout(f"unknown match {match!r}; use one of {', '.join(MATCHES)}")


def _run(session: Session, entiteittype: str, stmt: Select, limit: int | None, offset: int) -> list[Versie]:
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [versie_van(entiteittype, row) for row in session.scalars(stmt)]
