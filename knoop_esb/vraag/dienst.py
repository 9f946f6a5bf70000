"""One vraag in, one La01 out: parse, find, select, order, page, cut to scope, check, record.

Everything that touches the outside world is injected (sources, emitter, schema registry and the
afnemer hooks), so the same :class:`Beantwoorder` runs in the node, in tests and in benchmarks.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from lxml import etree

from knoop_esb import logs
from knoop_esb.afnemers.autorisatie import attribuut_paden
from knoop_esb.afnemers.hooks import Levering
from knoop_esb.stuf import foutcodes
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, q
from knoop_esb.transform.fout import MappingFout
from knoop_esb.transform import model as model_mod
from knoop_esb.vraag import antwoord as la
from knoop_esb.vraag import historie
from knoop_esb.vraag import ordening, scope as scope_mod
from knoop_esb.vraag.evaluatie import Evaluatie
from knoop_esb.vraag.model import Criterium, Vraag
from knoop_esb.vraag.parse import parse
from knoop_esb.vraag.selectie import SLEUTEL_PAD, voldoet, waarden

log = logs.get("knoop_esb.vraag")

Emit = Callable[[Any, Any], etree._Element]


@dataclass
class Afnemerhooks:
    """The afnemers package's part: may it ask (StUF052), doelbinding per object, subscriptions
    and the protocol log.

    ``autoriseer`` is asked once per vraag and returns the afnemer's toegang: opaque here but for
    its ``doel`` (recorded with the Levering), and handed to ``filter`` for every object, so who
    the afnemer is and which rules allow it is worked out once. ``filter`` returns the object as
    delivered (None: left out) with its attribute paths, which the protocol log records."""

    autoriseer: Callable[[str, str, str, Sequence[str]], Any] = lambda oin, bericht, ent, paden: None
    filter: Callable[[Any, etree._Element], tuple[etree._Element | None, Sequence[str]]] = \
        lambda toegang, obj: (obj, attribuut_paden(obj))
    plaats_indicaties: Callable[[str, str, Sequence[str]], bool] | None = None
    protocolleer: Callable[[Levering], None] = lambda levering: None


@dataclass
class Beantwoorder:
    evaluatie: Evaluatie
    sorteringen: Mapping[str, Mapping[int, tuple[str, ...]]]
    emitters: Mapping[str, Emit]
    valideer: Callable[[etree._Element], None]
    vraag_config: Any
    node: sg.Systeem | None = None
    hooks: Afnemerhooks = field(default_factory=Afnemerhooks)
    historie: Any = None  # vraag.historie.Historie: the store's versions for Lv03 / Lv05

    def beantwoord(self, element: etree._Element, afnemer: str,
                   stuurgegevens: sg.Stuurgegevens | None = None) -> etree._Element:
        """``stuurgegevens``: the element's as the pipeline parsed them (None: parsed here)."""
        vraag = _op_sleutel(parse(element, stuurgegevens))
        toegang = self.hooks.autoriseer(afnemer, vraag.berichtcode, vraag.entiteittype,
                                        [c.pad for c in vraag.criteria])
        sorteer_paden = ordening.paden(vraag, self.sorteringen)
        ordening.controleer_ondersteund(vraag, sorteer_paden)
        bron_vraag = self.evaluatie.bron_vraag(vraag, afnemer, element)
        antwoord = self.evaluatie.objecten(bron_vraag)
        if vraag.peiltijdstip_materieel or vraag.peiltijdstip_formeel:
            antwoord = self._op_peiltijdstip(vraag, antwoord)
        kandidaten = self._kandidaten(vraag, antwoord)
        gevonden = [(model, obj) for model, obj in kandidaten if voldoet(obj, vraag)]
        index = {id(obj): model for model, obj in gevonden}
        pagina = ordening.pagina([obj for _, obj in gevonden], vraag, sorteer_paden,
                                 self.vraag_config.maximum_aantal, self.vraag_config.maximum_aantal_node)
        objecten, attributen = self._in_scope(vraag, [(index[id(o)], o) for o in pagina.objecten], toegang)
        if historie.soort_van(vraag.berichtcode) in historie.SOORTEN:
            self._historie(vraag, objecten, toegang)
        sleutels = tuple(_sleutel(o, vraag.entiteittype) for o in objecten)
        geplaatst = self._indicaties(vraag, afnemer, sleutels)
        meldingen = pagina.meldingen + _bron_meldingen(antwoord)
        bericht = la.la01(vraag, objecten, vervolg=pagina.vervolg, afnemerindicatie=geplaatst,
                          meldingen=meldingen, aantal=pagina.aantal, node=self.node)
        self._controleer(bericht)
        # The vraag's berichtcode: the grounds (doelbinding rule) on which the data was delivered.
        self.hooks.protocolleer(Levering(afnemer, vraag.berichtcode, vraag.entiteittype, sleutels,
                                         attributen, datetime.now(timezone.utc),
                                         vraag.stuurgegevens.referentienummer, geplaatst,
                                         doel=getattr(toegang, "doel", "")))
        log.info("vraag_beantwoord", bericht=vraag.berichtcode, bron=antwoord.bron, gevonden=len(gevonden),
                 geleverd=len(objecten), vervolg=pagina.vervolg)
        return bericht

    def _emit(self, entiteittype: str, model: Any, scope: Any) -> etree._Element:
        emit = self.emitters.get(entiteittype)
        if emit is None:
            raise StufFout(foutcodes.STUF031, details=f"geen emitter voor {entiteittype}")
        return emit(model, scope)

    def _kandidaten(self, vraag: Vraag, antwoord) -> list[tuple[Any, etree._Element]]:
        paren = []
        for model in antwoord.objecten:
            try:
                paren.append((model, self._emit(vraag.entiteittype, model, scope_mod.VOLLEDIG)))
            except MappingFout as fout:
                # e.g. an eenmanszaak found by name in an NNP vraag: not an object of this type.
                log.info("kandidaat_overgeslagen", entiteittype=vraag.entiteittype, reden=str(fout))
        paren += [(None, _kopie(o)) for o in antwoord.stuf_objecten]
        return paren

    def _in_scope(self, vraag: Vraag, paren, toegang: Any) -> tuple[list[etree._Element], tuple[str, ...]]:
        """The objects as delivered and the attribute paths they carry."""
        result, paden = [], set()
        for model, volledig in paren:
            # The candidate was emitted with the whole scope already; re-emit only for a narrower one.
            nodig = model is not None and vraag.scope != scope_mod.VOLLEDIG
            obj = self._emit(vraag.entiteittype, model, vraag.scope) if nodig else volledig
            obj, obj_paden = self.hooks.filter(toegang, obj)
            if obj is not None:
                result.append(obj)
                paden.update(obj_paden)
        return result, tuple(sorted(paden))

    def _op_peiltijdstip(self, vraag: Vraag, antwoord):
        """The objects found, each as the store's version at the vraag's peiltijdstip (left out when
        the store has none then): history is the store's, KVK only knows the actual state."""
        if self.historie is None:
            raise StufFout(foutcodes.STUF058, "peiltijdstip wordt niet ondersteund (geen historie)")
        materieel = _peiltijdstip(vraag.peiltijdstip_materieel, "peiltijdstipMaterieel")
        formeel = _peiltijdstip(vraag.peiltijdstip_formeel, "peiltijdstipFormeel")
        cls = MODELLEN[vraag.entiteittype]
        objecten = []
        for model in antwoord.objecten:
            versie = self.historie.op_peiltijdstip(vraag.entiteittype, getattr(model, MODEL_SLEUTEL[vraag.entiteittype]),
                                                   materieel.date() if materieel else None, formeel)
            if versie is not None:
                objecten.append(model_mod.from_dict(cls, versie.data))
        return dataclasses.replace(antwoord, objecten=tuple(objecten))

    def _historie(self, vraag: Vraag, objecten: list[etree._Element], toegang: Any) -> None:
        if self.historie is None:
            raise StufFout(foutcodes.STUF025, f"{vraag.berichtcode} wordt niet ondersteund (geen historie)")
        soort = historie.soort_van(vraag.berichtcode)
        cls = MODELLEN[vraag.entiteittype]
        peil = _peiltijdstip(vraag.peiltijdstip_formeel, "peiltijdstipFormeel")

        def versie_object(versie):
            obj = self._emit(vraag.entiteittype, model_mod.from_dict(cls, versie.data), vraag.scope)
            return self.hooks.filter(toegang, obj)[0]

        for obj in objecten:
            self.historie.vul(soort, vraag.entiteittype, obj, _sleutel(obj, vraag.entiteittype), versie_object, peil)

    def _indicaties(self, vraag: Vraag, afnemer: str, sleutels: tuple[str, ...]) -> bool:
        if not vraag.indicator_afnemerindicatie or not sleutels or self.hooks.plaats_indicaties is None:
            return False
        return bool(self.hooks.plaats_indicaties(afnemer, vraag.entiteittype, sleutels))

    def _controleer(self, bericht: etree._Element) -> None:
        try:
            self.valideer(bericht)
        except StufFout as fout:
            log.error("la01_niet_schema_conform", fout=fout.omschrijving, details=fout.details)
            raise StufFout(foutcodes.STUF058, "antwoord voldoet niet aan het schema (defect gelogd)") from None


MODELLEN = {"MAC": model_mod.MaatschappelijkeActiviteit, "NNP": model_mod.NietNatuurlijkPersoon,
            "VES": model_mod.Vestiging}


MODEL_SLEUTEL = {"MAC": "kvk_nummer", "NNP": "rsin", "VES": "vestigingsnummer"}


def _peiltijdstip(tekst: str | None, naam: str) -> datetime | None:
    """A StUF:Tijdstip (yyyymmddhhmmss[mmm], Dutch local time) as an aware datetime; StUF055 when unusable."""
    if not tekst:
        return None
    from knoop_esb.store.kalender import NL

    try:
        return datetime.strptime((tekst + "000000")[:14], "%Y%m%d%H%M%S").replace(tzinfo=NL)
    except ValueError:
        raise StufFout(foutcodes.STUF055, f"{naam} {tekst!r} is geen tijdstip") from None


def _op_sleutel(vraag: Vraag) -> Vraag:
    """Bevragen op sleutel: our sleutelVerzendend is the object's own key (kvkNummer, RSIN, vestigingsnummer)."""
    if vraag.sleutel is None:
        return vraag
    return dataclasses.replace(vraag, gelijk=(Criterium(SLEUTEL_PAD[vraag.entiteittype], waarde=vraag.sleutel),),
                               sleutel=None, sortering=0)


def _kopie(obj: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(obj))


def _sleutel(obj: etree._Element, entiteittype: str) -> str:
    eigen = obj.get(q(STUF, "sleutelVerzendend"))
    if eigen:
        return eigen
    return next(((leaf.text or "").strip() for leaf in waarden(obj, SLEUTEL_PAD[entiteittype])), "")


def _bron_meldingen(antwoord) -> tuple[str, ...]:
    """The chain's ``verouderd`` (a stale stored copy answered) in the afnemer's words, dated by the
    copy's fetch time; and each ``onvolledig`` (a source answered part of an object: KVK's
    vestigingen list failed after the basisprofiel) as the source said it."""
    meldingen = tuple(m.omschrijving for m in antwoord.meldingen if m.code == "onvolledig")
    if not any(m.code == "verouderd" for m in antwoord.meldingen):
        return meldingen
    return (f"gegevens uit opslag van {antwoord.fetched_at.isoformat()}: KVK nu niet bereikbaar",) + meldingen
