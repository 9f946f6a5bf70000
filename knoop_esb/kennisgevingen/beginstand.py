"""The beginstand: a new subscription starts with the current state of what it covers.

Per endpoint ``beginstand`` setting: ``sa01`` — one nnpSa01/macSa01/vesSa01 per object (the object
as a toevoegkennisgeving inside ``actueel``), ``kennisgeving`` — one toevoeg-Lk01 (mutatiesoort T)
per object, ``geen`` — nothing. A subscriber's Sa03 asks for one object's Sa01 whatever the setting
(``handlers.py``). Everything goes through the outbox, in the transaction that placed the
subscription, cut to the afnemer's doelbinding like every kennisgeving.
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knoop_esb.kennisgevingen import abonnementen, berichten
from knoop_esb.kennisgevingen.abonnementen import Gebied
from knoop_esb.store.models import MacVersie, NnpVersie, VesVersie
from knoop_esb.transform import diff
from knoop_esb.transform.model import MaatschappelijkeActiviteit, NietNatuurlijkPersoon, Vestiging, from_dict

SA01 = "sa01"
KENNISGEVING = "kennisgeving"
GEEN = "geen"


def _mac(session: Session, kvk: str | None) -> MaatschappelijkeActiviteit | None:
    if not kvk:
        return None
    data = session.scalar(select(MacVersie.data).where(MacVersie.kvk_nummer == kvk, MacVersie.actueel.is_(True)))
    return from_dict(MaatschappelijkeActiviteit, data) if data else MaatschappelijkeActiviteit(kvk_nummer=kvk)


def huidig(verdeler, session: Session, entiteittype: str, sleutel: str) -> list[diff.Kennisgeving]:
    """The stored objects a subscription on (entiteittype, sleutel) covers, as toevoegkennisgevingen:
    a MAC with its NNP and every vestiging; an NNP or a VES alone. Empty when the store does not
    know the object."""
    from knoop_esb.kennisgevingen.verdeling import Bedrijf

    if entiteittype == "MAC":
        _, nieuw, bekend = verdeler.toestanden(session, Bedrijf(sleutel))
        return diff.kennisgevingen(None, nieuw) if bekend else []
    if entiteittype == "VES":
        data = session.scalar(select(VesVersie.data).where(VesVersie.vestigingsnummer == sleutel,
                                                           VesVersie.actueel.is_(True)))
        if data is None:
            return []
        ves = from_dict(Vestiging, data)
        return [diff.Kennisgeving("VES", "T", sleutel, None, ves, mac_nieuw=_mac(session, ves.kvk_nummer))]
    if entiteittype == "NNP":
        rij = session.execute(select(NnpVersie.data, NnpVersie.kvk_nummer).where(
            NnpVersie.rsin == sleutel, NnpVersie.actueel.is_(True))).first()
        if rij is None:
            return []
        nnp = from_dict(NietNatuurlijkPersoon, rij.data)
        return [diff.Kennisgeving("NNP", "T", sleutel, None, nnp, mac_nieuw=_mac(session, rij.kvk_nummer))]
    return []


def stuur(verdeler, session: Session, afnemer, kgs: Sequence[diff.Kennisgeving], *, wijze: str | None = None,
          cross_refnummer: str | None = None) -> int:
    """Queue ``kgs`` as beginstand to every endpoint of ``afnemer`` that follows their entiteittype,
    as the endpoint's ``beginstand`` says (``wijze`` overrides it: the answer to a Sa03 is a Sa01)."""
    n = 0
    for kg in kgs:
        endpoints = [e for e in afnemer.endpoints if e.volgt(kg.entiteittype) and (wijze or e.beginstand) != GEEN]
        if not endpoints:
            continue
        gesneden = berichten.gesneden(afnemer, kg.objecten())
        if gesneden is None:
            continue
        for i, endpoint in enumerate(endpoints):
            objs = gesneden if i == len(endpoints) - 1 else [berichten.kopie(o) for o in gesneden]
            if (wijze or endpoint.beginstand) == SA01:
                bericht = berichten.sa01(kg.entiteittype, kg.sleutel, objs[0], node=verdeler.node,
                                         afnemer=afnemer, cross_refnummer=cross_refnummer)
            else:
                bericht = berichten.lk01(kg.entiteittype, kg.sleutel, "T", objs, node=verdeler.node,
                                         afnemer=afnemer)
            n += verdeler.in_outbox(session, afnemer, endpoint, bericht)
    return n


def voor_object(verdeler, session: Session, afnemer_oin: str, entiteittype: str, sleutel: str) -> int:
    """The beginstand of a new object subscription (an afnemerindicatie from any source)."""
    afnemer = verdeler.afnemer(session, afnemer_oin)
    if afnemer is None:
        return 0
    return stuur(verdeler, session, afnemer, huidig(verdeler, session, entiteittype, sleutel))


def bedrijven_in(session: Session, g: Gebied) -> list[tuple[str, str]]:
    """(entiteittype, sleutel) of every company with a vestiging in the area: its MAC, or the
    vestiging itself when the store knows no registration for it."""
    if g.soort == "woonplaats":
        waar = VesVersie.woonplaats_norm == g.sleutel
    elif g.soort == "gemeente":
        waar = VesVersie.woonplaats_norm.in_(sorted(abonnementen.woonplaatsen_van(session, g.sleutel)))
    else:
        waar = (VesVersie.postcode >= g.sleutel) & (func.substr(VesVersie.postcode, 1, len(g.tot)) <= g.tot)
    rijen = session.execute(select(VesVersie.kvk_nummer, VesVersie.vestigingsnummer)
                            .where(waar, VesVersie.actueel.is_(True))
                            .order_by(VesVersie.kvk_nummer, VesVersie.vestigingsnummer))
    out: dict[tuple[str, str], None] = {}
    for kvk, nr in rijen:
        out[("MAC", kvk) if kvk else ("VES", nr)] = None
    return list(out)


def voor_gebied(verdeler, session: Session, afnemer_oin: str, g: Gebied, *, voortgang=None) -> int:
    """The beginstand of a new area subscription: every company in the area, whole.
    ``voortgang``: wraps the list of companies (the CLI's progress bar)."""
    afnemer = verdeler.afnemer(session, afnemer_oin)
    if afnemer is None:
        return 0
    bedrijven = bedrijven_in(session, g)
    return sum(stuur(verdeler, session, afnemer, huidig(verdeler, session, et, sleutel))
               for et, sleutel in (voortgang(bedrijven) if voortgang else bedrijven))
