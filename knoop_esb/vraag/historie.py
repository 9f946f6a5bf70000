"""History questions: Lv03 (materiële historie) and Lv05 (formele historie) answered from the
history the store keeps (``store.handelsregister.materiele_historie`` / ``formele_historie``).

The object is found exactly as for an Lv01 (same route, same selection, KVK fetched and stored
when the store has nothing fresh); then every stored version of it becomes one
``historieMaterieel`` / ``historieFormeel`` element of the delivered object: the version emitted
like the object itself (same scope, same doelbinding), cut to the elements the schema's
``<ENT>-historieMaterieel`` / ``-historieFormeel`` type allows, with the version's
``StUF:tijdvakGeldigheid`` and ``StUF:tijdstipRegistratie``. Element order is the schema's.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from lxml import etree

from knoop_esb.stuf.ns import BG, STUF, XSI

XS = "http://www.w3.org/2001/XMLSchema"
# berichtcode of the vraag → (the object's history element, berichtcode of the answer)
SOORTEN = {"Lv03": ("historieMaterieel", "La03"), "Lv05": ("historieFormeel", "La05")}
_TIJD = {"tijdvakGeldigheid", "tijdstipRegistratie"}
_EIGEN_ELEMENTEN = etree.XPath(".//xs:element[not(ancestor::xs:element)]", namespaces={"xs": XS})


def soort_van(berichtcode: str) -> str:
    """``macLv03`` → ``Lv03``."""
    return berichtcode[-4:]


@lru_cache(maxsize=4)
def _volgordes(schemas_dir: str) -> dict[str, tuple[str, ...]]:
    """complexType name → the local names of its elements in schema order (vraagAntwoord types)."""
    path = Path(schemas_dir) / "bg0310" / "vraagAntwoord" / "bg0310_ent_vraagAntwoord.xsd"
    result = {}
    for ctype in etree.parse(str(path)).getroot().iterfind(f"{{{XS}}}complexType"):
        namen = []
        for e in _EIGEN_ELEMENTEN(ctype):
            naam = e.get("name") or (e.get("ref") or "").split(":")[-1]
            if naam and naam not in namen:
                namen.append(naam)
        result[ctype.get("name")] = tuple(namen)
    return result


def _tijdstip(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def _datum(waarde: date | None, naam: str) -> etree._Element:
    el = etree.Element(f"{{{STUF}}}{naam}")
    if waarde is None:
        el.set(f"{{{XSI}}}nil", "true")
        el.set(f"{{{STUF}}}noValue", "geenWaarde")
    else:
        el.text = waarde.strftime("%Y%m%d")
    return el


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def historie_element(naam: str, volgorde: tuple[str, ...], versie_object: etree._Element, begin: date,
                     eind: date | None, registratie: datetime) -> etree._Element:
    """One ``BG:historieMaterieel`` / ``BG:historieFormeel`` from a version emitted as ``BG:object``."""
    element = etree.Element(f"{{{BG}}}{naam}")
    toegestaan = set(volgorde) - _TIJD - {"historieMaterieel", "historieFormeel", "extraElementen"}
    kinderen = [c for c in versie_object if isinstance(c.tag, str) and _local(c) in toegestaan]
    tijdvak = etree.Element(f"{{{STUF}}}tijdvakGeldigheid")
    tijdvak.append(_datum(begin, "beginGeldigheid"))
    tijdvak.append(_datum(eind, "eindGeldigheid"))
    stip = etree.Element(f"{{{STUF}}}tijdstipRegistratie")
    stip.text = _tijdstip(registratie)
    index = {n: i for i, n in enumerate(volgorde)}
    # sorted() is stable: repeated groups (handelsnaam, volgorde …) keep their document order.
    for child in sorted(kinderen + [tijdvak, stip], key=lambda c: index.get(_local(c), len(index))):
        element.append(child)
    return element


def voeg_toe(obj: etree._Element, elementen: Iterable[etree._Element], volgorde: tuple[str, ...]) -> None:
    """Put the history elements into ``obj`` where its schema type has them."""
    elementen = list(elementen)
    if not elementen:
        return
    index = {n: i for i, n in enumerate(volgorde)}
    plek = index[_local(elementen[0])]
    na = next((i for i, c in enumerate(obj) if isinstance(c.tag, str) and index.get(_local(c), -1) > plek), len(obj))
    for offset, el in enumerate(elementen):
        obj.insert(na + offset, el)


class Historie:
    """``Historie(database, schemas_dir)``: the stored versions of one object, and the elements."""

    def __init__(self, database, schemas_dir: Path):
        self.database = database
        self.schemas_dir = str(schemas_dir)

    def versies(self, soort: str, entiteittype: str, sleutel: str, peiltijdstip: datetime | None = None) -> list:
        from knoop_esb.store import handelsregister as hr

        with self.database.session() as session:
            if soort == "Lv03":
                return hr.materiele_historie(session, entiteittype, sleutel, bekend_op=peiltijdstip)
            return [v for v in hr.formele_historie(session, entiteittype, sleutel)
                    if peiltijdstip is None or v.tijdstip_registratie <= peiltijdstip]

    def op_peiltijdstip(self, entiteittype: str, sleutel: str, materieel: date | None,
                        formeel: datetime | None):
        """The stored version valid on ``materieel`` as known at ``formeel`` (either may be None =
        now), or None when the store has none for that moment."""
        from knoop_esb.store import handelsregister as hr

        with self.database.session() as session:
            if materieel is not None:
                return hr.op_datum(session, entiteittype, sleutel, materieel, bekend_op=formeel)
            return hr.op_tijdstip(session, entiteittype, sleutel, formeel)

    def vul(self, soort: str, entiteittype: str, obj: etree._Element, sleutel: str,
            versie_object: Callable[[object], etree._Element | None], peiltijdstip: datetime | None = None) -> int:
        """Add the history of ``obj`` (key ``sleutel``); ``versie_object(versie)`` emits one stored
        version as the afnemer may see it (None: not to be delivered). Returns the count added."""
        naam, _ = SOORTEN[soort]
        volgordes = _volgordes(self.schemas_dir)
        volgorde = volgordes[f"{entiteittype}-{naam}"]
        elementen = []
        for versie in self.versies(soort, entiteittype, sleutel, peiltijdstip):
            emitted = versie_object(versie)
            if emitted is None:
                continue
            elementen.append(historie_element(naam, volgorde, emitted, versie.begin_geldigheid,
                                              versie.eind_geldigheid, versie.tijdstip_registratie))
        voeg_toe(obj, elementen, volgordes[f"{entiteittype}-antwoord"])
        return len(elementen)
