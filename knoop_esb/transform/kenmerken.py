"""The characteristics the priority refresh selects companies by (seed 002 §2), completed where
KVK left them out — the seed's ``estimateData`` ("call before saving company to ensure
economischactief, missing oprichting, sbi, and rechtsvorm fields are properly populated").

Why a separate result instead of filling the model: the model is what KVK said and what the node
emits as StUF-BG; an estimated founding date must never reach an afnemer as the NHR's
``datumAanvang``. The kenmerken live in the store's search columns of the MAC only
(``vraag.opslag.mac_zoek``), so every save path fills them the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from knoop_esb.transform.model import MaatschappelijkeActiviteit, NatuurlijkPersoon, NietNatuurlijkPersoon, Vestiging

EENMANSZAAK = "Eenmanszaak"


@dataclass(frozen=True)
class Kenmerken:
    actief: bool                    # no datumEinde: the registration still exists
    economisch_actief: bool         # actief and an onderneming, a commercial vestiging or werkzame personen
    oprichting: str | None          # JJJJMMDD (unknown parts 00)
    werkzame_personen: int | None
    sbi_codes: tuple[str, ...]      # the hoofdactiviteit first
    rechtsvorm: str | None


def _volle_vestigingen(mac: MaatschappelijkeActiviteit) -> tuple[Vestiging, ...]:
    return tuple(v for v in mac.alle_vestigingen() if not v.alleen_basis)


def oprichting(mac: MaatschappelijkeActiviteit) -> str | None:
    """The MAC's datumAanvang; else the hoofdvestiging's, the earliest vestiging's, the eigenaar's,
    and last the date KVK registered it (formeleRegistratiedatum)."""
    if mac.datum_aanvang:
        return mac.datum_aanvang
    if mac.hoofdvestiging is not None and mac.hoofdvestiging.datum_aanvang:
        return mac.hoofdvestiging.datum_aanvang
    datums = sorted(v.datum_aanvang for v in _volle_vestigingen(mac) if v.datum_aanvang)
    if datums:
        return datums[0]
    if isinstance(mac.eigenaar, NietNatuurlijkPersoon) and mac.eigenaar.datum_aanvang:
        return mac.eigenaar.datum_aanvang
    return mac.formele_registratiedatum


def werkzame_personen(mac: MaatschappelijkeActiviteit) -> int | None:
    """KVK's totaal for the MAC; else the sum over the vestigingen that state one."""
    if mac.totaal_werkzame_personen is not None:
        return mac.totaal_werkzame_personen
    getallen = [v.totaal_werkzame_personen for v in _volle_vestigingen(mac) if v.totaal_werkzame_personen is not None]
    return sum(getallen) if getallen else None


def sbi_codes(mac: MaatschappelijkeActiviteit) -> tuple[str, ...]:
    """The MAC's SBI codes; without them the hoofdvestiging's (the seed's getSBIOfHoofdvestiging),
    else those of the other vestigingen; the hoofdactiviteit first, each code once."""
    bronnen = [mac.sbi_activiteiten]
    if mac.hoofdvestiging is not None:
        bronnen.append(mac.hoofdvestiging.sbi_activiteiten)
    bronnen.append(tuple(a for v in _volle_vestigingen(mac) for a in v.sbi_activiteiten))
    activiteiten = next((b for b in bronnen if b), ())
    geordend = sorted(activiteiten, key=lambda a: not a.hoofdactiviteit)  # stable: KVK's order otherwise
    return tuple(dict.fromkeys(a.sbi_code for a in geordend))


def rechtsvorm(mac: MaatschappelijkeActiviteit) -> str | None:
    """The eigenaar's rechtsvorm, else its uitgebreide rechtsvorm; a natuurlijk persoon owning the
    registration without a stated form runs an eenmanszaak."""
    eigenaar = mac.eigenaar
    if isinstance(eigenaar, NietNatuurlijkPersoon):
        return eigenaar.rechtsvorm or eigenaar.uitgebreide_rechtsvorm
    if isinstance(eigenaar, NatuurlijkPersoon):
        return eigenaar.rechtsvorm or EENMANSZAAK
    return None


def schat(mac: MaatschappelijkeActiviteit) -> Kenmerken:
    """The seed's estimateData as a pure function of what KVK returned."""
    actief = mac.datum_einde is None
    personen = werkzame_personen(mac)
    commercieel = any(v.commercieel for v in mac.alle_vestigingen())
    return Kenmerken(
        actief=actief,
        economisch_actief=actief and bool(mac.onderneming or commercieel or (personen or 0) > 0),
        oprichting=oprichting(mac),
        werkzame_personen=personen,
        sbi_codes=sbi_codes(mac),
        rechtsvorm=rechtsvorm(mac),
    )
