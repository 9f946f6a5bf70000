"""Distribution at the store seam: every committed change reaches the afnemers that follow it as
kennisgevingen in the outbox, in the same transaction.

:class:`Verdeler` is attached to the process's database (``store.db.database(config)``) and called
by the store inside every commit that saved Handelsregister changes (``store.wijzigingen``). Per
transaction it:

1. groups the changes per company (MAC, its NNP eigenaar, its vestigingen);
2. finds who follows each company — object subscriptions (afnemerindicaties; a MAC one covers the
   whole company) and area subscriptions (a vestiging in the area before or after the change) —
   and stops there when nobody does, before any object is decoded or diffed;
3. rebuilds the company as it was and as it is (the stored MAC with its stored vestigingen and
   NNP, the changed objects on either side), and lets ``transform.diff.kennisgevingen`` derive the
   nnpLk01/macLk01/vesLk01 (mutatiesoort T/W/V, the oud/nieuw pair) of the objects that changed;
4. per afnemer: the kennisgevingen it follows (a company that just moved into its area: the whole
   company as new, T), cut to its doelbinding, per endpoint that follows the entiteittype, as a
   schema-valid body element, added to the outbox.

A newly placed afnemerindicatie (:class:`~knoop_esb.store.wijzigingen.NieuweIndicatie`) gets its
beginstand in the same transaction (``kennisgevingen.beginstand``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from lxml import etree
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from knoop_esb import logs, paths
from knoop_esb.afnemers.registry import AfnemerInfo, van_config, van_store
from knoop_esb.kennisgevingen import abonnementen, berichten
from knoop_esb.kennisgevingen.abonnementen import Locatie
from knoop_esb.store import outbox
from knoop_esb.store.models import Afnemer as AfnemerRij
from knoop_esb.store.models import Afnemerindicatie, MacVersie, NnpVersie, VesVersie
from knoop_esb.store.normalise import normalise
from knoop_esb.store.versie import postcode_norm
from knoop_esb.store.wijzigingen import NieuweIndicatie, Wijziging
from knoop_esb.stuf import stuurgegevens as sg
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.transform import diff
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon, Vestiging, from_dict

log = logs.get("knoop_esb.kennisgevingen")

CHUNK = 500
TELLER = "knoop.kennisgevingen"  # session.info: outbox rows this session queued (refresh's summary)


# Built once: a distributing transaction runs these with its keys (a constant statement is a
# compiled-cache hit, which is most of the cost of asking "who follows?" when nobody does).
_INDICATIES = select(Afnemerindicatie.afnemer_oin, Afnemerindicatie.entiteittype, Afnemerindicatie.object_sleutel).where(
    or_(and_(Afnemerindicatie.entiteittype == "MAC", Afnemerindicatie.object_sleutel.in_(bindparam("mac", expanding=True))),
        and_(Afnemerindicatie.entiteittype == "NNP", Afnemerindicatie.object_sleutel.in_(bindparam("nnp", expanding=True))),
        and_(Afnemerindicatie.entiteittype == "VES", Afnemerindicatie.object_sleutel.in_(bindparam("ves", expanding=True)))))
_LOCATIES = select(VesVersie.kvk_nummer, VesVersie.vestigingsnummer, VesVersie.postcode, VesVersie.woonplaats_norm).where(
    VesVersie.kvk_nummer.in_(bindparam("kvk", expanding=True)), VesVersie.actueel.is_(True))


# --- a company's changes in one transaction ----------------------------------------------------


@dataclass
class Bedrijf:
    """The changes of one company (``kvk`` "" for an object without a known registration: then
    ``sleutel`` names it)."""

    kvk: str
    mac: Wijziging | None = None
    nnp: list[Wijziging] = field(default_factory=list)
    ves: dict[str, Wijziging] = field(default_factory=dict)

    def veranderd(self) -> set[tuple[str, str]]:
        out = {("NNP", w.sleutel) for w in self.nnp} | {("VES", nr) for nr in self.ves}
        if self.mac is not None:
            out.add(("MAC", self.mac.sleutel))
        return out


@dataclass
class Volgers:
    """Who follows one company: ``alles`` all of its kennisgevingen (a MAC subscription, or the
    company was in the afnemer's area before the change), ``intrede`` the company just moved into
    the afnemer's area (delivered as new), ``per_object`` the NNP/VES subscriptions."""

    alles: set[str] = field(default_factory=set)
    intrede: set[str] = field(default_factory=set)
    per_object: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def afnemers(self) -> set[str]:
        return self.alles | self.intrede | set(self.per_object)


def groepeer(session: Session, wijzigingen: Iterable[Wijziging]) -> dict[str, Bedrijf]:
    """Changes per company (key: kvkNummer; "nnp:RSIN" / "ves:NUMMER" for objects without one)."""
    out: dict[str, Bedrijf] = {}
    losse_nnp = []
    for w in wijzigingen:
        if w.entiteittype == "MAC":
            out.setdefault(w.sleutel, Bedrijf(w.sleutel)).mac = w
        elif w.entiteittype == "VES":
            kvk = (w.nieuw or {}).get("kvkNummer") or (w.oud or {}).get("kvkNummer") or ""
            sleutel = kvk or f"ves:{w.sleutel}"
            out.setdefault(sleutel, Bedrijf(kvk)).ves[w.sleutel] = w
        else:
            losse_nnp.append(w)
    for w in losse_nnp:
        kvk = next((b.kvk for b in out.values() if b.mac is not None and _rsin(b.mac.nieuw) == w.sleutel), None)
        if kvk is None:
            kvk = session.scalar(select(NnpVersie.kvk_nummer).where(NnpVersie.rsin == w.sleutel,
                                                                   NnpVersie.actueel.is_(True))) or ""
        out.setdefault(kvk or f"nnp:{w.sleutel}", Bedrijf(kvk)).nnp.append(w)
    return out


def _rsin(mac_data: dict[str, Any] | None) -> str | None:
    eigenaar = (mac_data or {}).get("eigenaar") or {}
    return eigenaar.get("rsin") if eigenaar.get("soort") == "nietNatuurlijkPersoon" else None


def _chunks(waarden: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(waarden), CHUNK):
        yield waarden[i:i + CHUNK]


def locatie(data: dict[str, Any] | None) -> Locatie | None:
    """A vestiging's place as the store indexes it: the bezoekadres, else the correspondentieadres
    (the same choice as ``vraag.opslag``); None abroad or without an address."""
    if not data:
        return None
    ves = from_dict(Vestiging, data)
    adres = ves.adres("bezoekadres") or ves.adres("correspondentieadres")
    if adres is None or adres.buitenlands:
        return None
    return Locatie(postcode_norm(adres.postcode), normalise(adres.plaats))


def _met_einde(model, eind: date | None):
    """An ended object (``handelsregister.end``) is a W with datumEinde: the data keeps its last
    state, the eind_geldigheid becomes its datumEinde when the data does not carry one."""
    if model is None or eind is None or getattr(model, "datum_einde", None):
        return model
    return dataclasses.replace(model, datum_einde=eind.strftime("%Y%m%d"))


# --- the distributor ---------------------------------------------------------------------------


class Verdeler:
    """``Verdeler(config)``: the listener the process's database calls at every commit."""

    def __init__(self, config):
        self.config = config
        self.node = sg.node_systeem(config)
        self._config_afnemers = {a.oin: van_config(a) for a in config.afnemers.afnemer}
        self.gebieden = abonnementen.GebiedCache()
        self._registry = None

    def __call__(self, session: Session, wijzigingen: Sequence[Wijziging | NieuweIndicatie]) -> None:
        veranderingen = [w for w in wijzigingen if isinstance(w, Wijziging)]
        indicaties = [w for w in wijzigingen if isinstance(w, NieuweIndicatie)]
        n = 0
        if veranderingen:
            # A subscription placed in this very transaction starts with its beginstand (the state
            # after the change): the change itself is not sent to it as well.
            n += self.verdeel(session, veranderingen, {(i.afnemer_oin, i.entiteittype, i.sleutel) for i in indicaties})
        if indicaties:
            from knoop_esb.kennisgevingen import beginstand

            for indicatie in indicaties:
                n += beginstand.voor_object(self, session, indicatie.afnemer_oin, indicatie.entiteittype,
                                            indicatie.sleutel)
        if n:
            session.info[TELLER] = session.info.get(TELLER, 0) + n

    # the parts the beginstand and the Sa03 handler share

    def schemas(self):
        if self._registry is None:
            from knoop_esb.stuf import schemas

            self._registry = schemas.registry(paths.schemas_dir(self.config))
        return self._registry

    def afnemer(self, session: Session, oin: str) -> AfnemerInfo | None:
        """The afnemer when it is active and has a delivery endpoint; else None (nothing to send)."""
        info = self._config_afnemers.get(oin)
        if info is None:
            rij = session.get(AfnemerRij, oin)
            info = van_store(rij) if rij is not None else None
        return info if info is not None and info.actief and info.endpoints else None

    def in_outbox(self, session: Session, afnemer: AfnemerInfo, endpoint, bericht: berichten.Bericht) -> bool:
        """Validate and queue one message for one endpoint; a message that does not validate is a
        defect: logged, never queued."""
        try:
            self.schemas().validate(bericht.element)
        except StufFout as fout:
            log.error("kennisgeving_niet_schema_conform", afnemer=afnemer.oin, endpoint=endpoint.naam,
                      entiteittype=bericht.entiteittype, sleutel=bericht.sleutel, fout=fout.omschrijving,
                      details=fout.details)
            return False
        return outbox.add(session, referentienummer=bericht.referentienummer, afnemer_oin=afnemer.oin,
                          endpoint=endpoint.naam, berichtcode=bericht.berichtcode,
                          entiteittype=bericht.entiteittype, object_sleutel=bericht.sleutel,
                          payload=bericht.payload)

    def stuur_lk01(self, session: Session, afnemer: AfnemerInfo, kg: diff.Kennisgeving,
                   objecten: Sequence[etree._Element], *, alleen=None) -> int:
        """One Lk01 per endpoint of ``afnemer`` that follows the entiteittype (``alleen``: a test on
        the endpoint, e.g. its beginstand setting); returns how many were queued."""
        endpoints = [e for e in afnemer.endpoints if e.volgt(kg.entiteittype) and (alleen is None or alleen(e))]
        if not endpoints:
            return 0
        gesneden = berichten.gesneden(afnemer, objecten)
        if gesneden is None:
            return 0
        n = 0
        for i, endpoint in enumerate(endpoints):
            # The message takes the elements in: every endpoint but the last gets copies.
            objs = gesneden if i == len(endpoints) - 1 else [berichten.kopie(o) for o in gesneden]
            bericht = berichten.lk01(kg.entiteittype, kg.sleutel, kg.mutatiesoort, objs, node=self.node,
                                     afnemer=afnemer)
            n += self.in_outbox(session, afnemer, endpoint, bericht)
        return n

    # step 1-4

    def verdeel(self, session: Session, wijzigingen: Sequence[Wijziging], nieuw_geplaatst=frozenset()) -> int:
        bedrijven = groepeer(session, wijzigingen)
        volgers = self.volgers(session, bedrijven)
        for oin, et, sleutel in nieuw_geplaatst:
            for k, v in volgers.items():
                if et == "MAC" and bedrijven[k].kvk == sleutel:
                    v.alles.discard(oin)
                    v.intrede.discard(oin)
                elif oin in v.per_object:
                    v.per_object[oin].discard((et, sleutel))
                    if not v.per_object[oin]:
                        del v.per_object[oin]
        if not volgers:
            return 0
        n = 0
        afnemers: dict[str, AfnemerInfo | None] = {}
        for sleutel, v in volgers.items():
            for oin in v.afnemers():
                if oin not in afnemers:
                    afnemers[oin] = self.afnemer(session, oin)
            if not any(afnemers[oin] for oin in v.afnemers()):
                continue
            n += self._bedrijf(session, bedrijven[sleutel], v, afnemers)
        if n:
            log.info("kennisgevingen_verdeeld", wijzigingen=len(wijzigingen), bedrijven=len(bedrijven), berichten=n)
        return n

    def volgers(self, session: Session, bedrijven: dict[str, Bedrijf]) -> dict[str, Volgers]:
        """Who follows each company (only companies somebody follows)."""
        out: dict[str, Volgers] = {}
        per_kvk = {b.kvk: k for k, b in bedrijven.items() if b.kvk}
        per_object = {(et, s): k for k, b in bedrijven.items() for et, s in b.veranderd() if et != "MAC"}
        sleutels = {"mac": sorted(per_kvk), "nnp": sorted(s for e, s in per_object if e == "NNP"),
                    "ves": sorted(s for e, s in per_object if e == "VES")}
        while any(sleutels.values()):
            deel = {k: v[:CHUNK] for k, v in sleutels.items()}
            sleutels = {k: v[CHUNK:] for k, v in sleutels.items()}
            for oin, et, s in session.execute(_INDICATIES, deel):
                if et == "MAC":
                    out.setdefault(per_kvk[s], Volgers()).alles.add(oin)
                else:
                    out.setdefault(per_object[(et, s)], Volgers()).per_object.setdefault(oin, set()).add((et, s))
        index = self.gebieden.index(session)
        if not index.leeg:
            for sleutel, (oud, nieuw) in self._locaties(session, bedrijven).items():
                voor = {oin for loc in oud for oin in index.afnemers_bij(loc)}
                na = {oin for loc in nieuw for oin in index.afnemers_bij(loc)}
                if voor or na:
                    v = out.setdefault(sleutel, Volgers())
                    v.alles |= voor
                    v.intrede |= na - v.alles
        return out

    def _locaties(self, session: Session, bedrijven: dict[str, Bedrijf]) -> dict[str, tuple[list, list]]:
        """Per company, the places of its vestigingen before and after the transaction."""
        nu: dict[str, dict[str, Locatie]] = {k: {} for k in bedrijven}
        per_kvk = {b.kvk: k for k, b in bedrijven.items() if b.kvk}
        for deel in _chunks(sorted(per_kvk)):
            for kvk, nr, pc, wpl in session.execute(_LOCATIES, {"kvk": list(deel)}):
                nu[per_kvk[kvk]][nr] = Locatie(pc, wpl)
        out = {}
        for k, b in bedrijven.items():
            na = dict(nu[k])
            voor = dict(na)
            for nr, w in b.ves.items():
                loc_na, loc_voor = locatie(w.nieuw), locatie(w.oud)
                na.pop(nr, None) if loc_na is None else na.__setitem__(nr, loc_na)
                voor.pop(nr, None) if loc_voor is None else voor.__setitem__(nr, loc_voor)
            out[k] = (list(voor.values()), list(na.values()))
        return out

    def toestanden(self, session: Session, b: Bedrijf) -> tuple[MaatschappelijkeActiviteit | None,
                                                                  MaatschappelijkeActiviteit, bool]:
        """The company before and after the transaction (None before: it is new), and whether the
        store holds its MAC at all. Vestigingen come from their own stored rows (full profiles)
        where there are any, else from the MAC's list."""
        if b.mac is not None:
            oud_d, nieuw_d = b.mac.oud, b.mac.nieuw
        elif b.kvk:
            oud_d = nieuw_d = session.scalar(select(MacVersie.data).where(MacVersie.kvk_nummer == b.kvk,
                                                                          MacVersie.actueel.is_(True)))
        else:
            oud_d = nieuw_d = None
        mac_bekend = nieuw_d is not None
        leeg = MaatschappelijkeActiviteit(kvk_nummer=b.kvk)
        mac_oud = from_dict(MaatschappelijkeActiviteit, oud_d) if oud_d else None
        mac_nieuw = from_dict(MaatschappelijkeActiviteit, nieuw_d) if nieuw_d else leeg
        if b.mac is not None:
            mac_oud = _met_einde(mac_oud, b.mac.eind_geldigheid_oud)
            mac_nieuw = _met_einde(mac_nieuw, b.mac.eind_geldigheid)
        rijen = {}
        if b.kvk:
            rijen = {nr: from_dict(Vestiging, d) for nr, d in session.execute(
                select(VesVersie.vestigingsnummer, VesVersie.data).where(VesVersie.kvk_nummer == b.kvk,
                                                                        VesVersie.actueel.is_(True)))}
        ves_nieuw = {v.vestigingsnummer: v for v in mac_nieuw.alle_vestigingen()} | rijen
        ves_oud = ({v.vestigingsnummer: v for v in mac_oud.alle_vestigingen()} if mac_oud else {}) | rijen
        for nr, w in b.ves.items():
            ves_nieuw[nr] = _met_einde(from_dict(Vestiging, w.nieuw), w.eind_geldigheid)
            if w.oud is None:
                ves_oud.pop(nr, None)
            else:
                ves_oud[nr] = _met_einde(from_dict(Vestiging, w.oud), w.eind_geldigheid_oud)
        eig_oud = mac_oud.eigenaar if mac_oud else None
        eig_nieuw = mac_nieuw.eigenaar
        for w in b.nnp:
            eig_nieuw = _met_einde(from_dict(NietNatuurlijkPersoon, w.nieuw), w.eind_geldigheid)
            eig_oud = _met_einde(from_dict(NietNatuurlijkPersoon, w.oud), w.eind_geldigheid_oud) if w.oud else None
        nieuw = dataclasses.replace(mac_nieuw, hoofdvestiging=None, eigenaar=eig_nieuw,
                                    vestigingen=tuple(ves_nieuw[nr] for nr in sorted(ves_nieuw)))
        oud = None
        if mac_oud is not None or ves_oud or eig_oud is not None:
            oud = dataclasses.replace(mac_oud or leeg, hoofdvestiging=None, eigenaar=eig_oud,
                                      vestigingen=tuple(ves_oud[nr] for nr in sorted(ves_oud)))
        return oud, nieuw, mac_bekend

    def _bedrijf(self, session: Session, b: Bedrijf, v: Volgers, afnemers: dict[str, AfnemerInfo | None]) -> int:
        oud, nieuw, mac_bekend = self.toestanden(session, b)
        veranderd = b.veranderd()
        kgs = [kg for kg in diff.kennisgevingen(oud, nieuw) if (kg.entiteittype, kg.sleutel) in veranderd]
        if b.mac is not None and b.mac.oud is None and oud is not None:
            # A new registration whose vestigingen were known before: the MAC (and NNP) are new.
            nieuwe = {kg.entiteittype: kg for kg in diff.kennisgevingen(None, nieuw) if kg.entiteittype != "VES"}
            kgs = [nieuwe.get(kg.entiteittype, kg) if kg.entiteittype != "VES" else kg for kg in kgs]
        intrede: list[diff.Kennisgeving] | None = None
        objecten: dict[int, tuple] = {}

        def van(kg):
            if id(kg) not in objecten:
                objecten[id(kg)] = kg.objecten()
            return objecten[id(kg)]

        n = 0
        for oin in sorted(v.afnemers()):
            afnemer = afnemers.get(oin)
            if afnemer is None:
                continue
            if oin in v.alles:
                eigen = kgs
            elif oin in v.intrede:
                if intrede is None:
                    intrede = [kg for kg in diff.kennisgevingen(None, nieuw) if mac_bekend or kg.entiteittype != "MAC"]
                eigen = intrede
            else:
                eigen = []
            gevolgd = v.per_object.get(oin, set())
            if oin not in v.alles and gevolgd:
                eigen = list(eigen) + [kg for kg in kgs if (kg.entiteittype, kg.sleutel) in gevolgd
                                       and not any(e.entiteittype == kg.entiteittype and e.sleutel == kg.sleutel
                                                   for e in eigen)]
            for kg in eigen:
                n += self.stuur_lk01(session, afnemer, kg, van(kg))
        return n


def van(database, config) -> Verdeler:
    """The distributor attached to ``database`` (the process's), else a new one for ``config``."""
    return next((l for l in database.luisteraars if isinstance(l, Verdeler)), None) or Verdeler(config)
