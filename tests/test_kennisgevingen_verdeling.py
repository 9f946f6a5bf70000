"""Distribution at the store seam on a real store (SQLite, or PostgreSQL under KNOOP_DATABASE_URL):
who follows what gets exactly the kennisgevingen transform.diff derives, cut to its doelbinding,
schema-valid, in the outbox, in the transaction of the change; nobody else gets anything."""
from __future__ import annotations

import dataclasses
from datetime import date

from knoop_esb.kennisgevingen import abonnementen, beginstand, verdeling
from knoop_esb.store import afnemerindicaties
from knoop_esb.store import handelsregister as hr
from knoop_esb.stuf.ns import BG, STUF
from tests.fixtures.kennisgevingen import (BASIS, KVK, RSIN, VES1, VES2, VOLGER, ZONDER, bedrijf, hernoemd,
                                           opslaan, outbox_rijen, payload, vestiging)


def volg(db, oin, entiteittype="MAC", sleutel=KVK):
    with db.session() as session:
        assert afnemerindicaties.plaats(session, oin, entiteittype, sleutel, bron="operator")


def nieuwe(db, voor: int):
    return outbox_rijen(db)[voor:]


def samenvatting(rijen):
    return [(r.afnemer_oin, r.endpoint, r.berichtcode, r.entiteittype, r.object_sleutel) for r in rijen]


def tekst(el, pad):
    return [e.text for e in el.iterfind("/".join(f"{{{BG}}}{d}" for d in pad.split("/")))]


def controleer(rij, schema_registry, oin=VOLGER):
    """The payload is the full schema-valid body element of the contract: stuurgegevens from the
    node to the afnemer with the row's referentienummer."""
    el = payload(rij)
    schema_registry.validate(el)
    sg = el.find(f"{{{BG}}}stuurgegevens")
    assert sg.findtext(f"{{{STUF}}}berichtcode") == rij.berichtcode
    assert sg.findtext(f"{{{STUF}}}zender/{{{STUF}}}organisatie") == "00000099000000000000"
    assert sg.findtext(f"{{{STUF}}}ontvanger/{{{STUF}}}organisatie") == oin
    assert sg.findtext(f"{{{STUF}}}referentienummer") == rij.referentienummer
    assert sg.findtext(f"{{{STUF}}}entiteittype") == rij.entiteittype
    return el


def test_nobody_follows_nothing_written_and_unchanged_save_writes_nothing(verdeel_db):
    opslaan(verdeel_db, bedrijf())
    opslaan(verdeel_db, hernoemd(bedrijf(), "Anders B.V."))
    assert outbox_rijen(verdeel_db) == []
    volg(verdeel_db, VOLGER)
    n = len(outbox_rijen(verdeel_db))
    opslaan(verdeel_db, hernoemd(bedrijf(), "Anders B.V."))  # the same state again
    assert nieuwe(verdeel_db, n) == []


def test_object_subscription_beginstand_then_exactly_the_change(verdeel_db, schema_registry):
    opslaan(verdeel_db, bedrijf())
    volg(verdeel_db, VOLGER)
    begin = outbox_rijen(verdeel_db)
    # "gm" follows everything with Sa01; "dms" follows VES with toevoegkennisgevingen.
    assert samenvatting(begin) == [(VOLGER, "gm", "Sa01", "MAC", KVK), (VOLGER, "gm", "Sa01", "NNP", RSIN),
                                   (VOLGER, "gm", "Sa01", "VES", VES1), (VOLGER, "dms", "Lk01", "VES", VES1)]
    for rij in begin:
        el = controleer(rij, schema_registry)
    sa01 = payload(begin[0])
    assert sa01.tag == f"{{{BG}}}macSa01"
    assert sa01.findtext(f"{{{BG}}}actueel/{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "T"
    assert el.findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "T"

    opslaan(verdeel_db, hernoemd(bedrijf(), "Korenschoof Holding B.V."))
    [rij] = nieuwe(verdeel_db, len(begin))
    assert samenvatting([rij]) == [(VOLGER, "gm", "Lk01", "MAC", KVK)]
    lk01 = controleer(rij, schema_registry)
    assert lk01.tag == f"{{{BG}}}macLk01"
    assert lk01.findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "W"
    oud, nieuw = lk01.findall(f"{{{BG}}}object")
    assert tekst(oud, "handelsnaam") == ["Korenschoof B.V."]
    assert tekst(nieuw, "handelsnaam") == ["Korenschoof Holding B.V."]
    assert rij.volgnummer == 2  # after the beginstand of the same object and endpoint


def test_mac_subscription_covers_vestigingen_new_changed_and_ended(verdeel_db, schema_registry):
    opslaan(verdeel_db, bedrijf())
    volg(verdeel_db, VOLGER)
    n = len(outbox_rijen(verdeel_db))
    twee = bedrijf(vestiging(), vestiging(VES2, hoofd=False, naam="Korenschoof Noord", postcode="3514AA"))
    opslaan(verdeel_db, twee)
    rijen = nieuwe(verdeel_db, n)
    assert samenvatting(rijen) == [(VOLGER, "gm", "Lk01", "MAC", KVK), (VOLGER, "gm", "Lk01", "VES", VES2),
                                   (VOLGER, "dms", "Lk01", "VES", VES2)]
    mac = controleer(rijen[0], schema_registry)
    oud, nieuw = mac.findall(f"{{{BG}}}object")  # W: the new vestiging as an added relation
    assert [r.get(f"{{{STUF}}}verwerkingssoort") for r in nieuw.findall(f"{{{BG}}}oefentActiviteitUitIn")] == ["T"]
    ves = controleer(rijen[1], schema_registry)
    assert ves.findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "T"

    n = len(outbox_rijen(verdeel_db))
    with verdeel_db.session() as session:
        hr.end(session, "VES", VES2, date(2026, 11, 30))
    rijen = nieuwe(verdeel_db, n)
    assert samenvatting(rijen) == [(VOLGER, "gm", "Lk01", "VES", VES2), (VOLGER, "dms", "Lk01", "VES", VES2)]
    geeindigd = controleer(rijen[0], schema_registry)
    assert geeindigd.findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "W"  # an ended object is a W
    oud, nieuw = geeindigd.findall(f"{{{BG}}}object")
    assert tekst(nieuw, "datumEinde") == ["20261130"]


def test_ves_subscription_gets_only_that_vestiging(verdeel_db, schema_registry):
    twee = bedrijf(vestiging(), vestiging(VES2, hoofd=False, naam="Noord", postcode="3514AA"))
    opslaan(verdeel_db, twee)
    volg(verdeel_db, VOLGER, "VES", VES2)
    n = len(outbox_rijen(verdeel_db))
    assert samenvatting(outbox_rijen(verdeel_db)) == [(VOLGER, "gm", "Sa01", "VES", VES2),
                                                      (VOLGER, "dms", "Lk01", "VES", VES2)]
    verhuisd = bedrijf(vestiging(), vestiging(VES2, hoofd=False, naam="Noord", postcode="3514AB"))
    opslaan(verdeel_db, hernoemd(verhuisd, "Korenschoof Groep B.V."))  # the MAC changed too: not followed
    rijen = nieuwe(verdeel_db, n)
    assert samenvatting(rijen) == [(VOLGER, "gm", "Lk01", "VES", VES2), (VOLGER, "dms", "Lk01", "VES", VES2)]
    oud, nieuw = controleer(rijen[0], schema_registry).findall(f"{{{BG}}}object")
    assert tekst(oud, "verblijfsadres/aoa.postcode") == ["3514AA"]
    assert tekst(nieuw, "verblijfsadres/aoa.postcode") == ["3514AB"]


def test_doelbinding_cuts_and_leaves_out(verdeel_db, schema_registry):
    """handelsregister-basis: MAC and VES without relations (no persons); no NNP at all; a change
    of only what it may not see sends it nothing."""
    opslaan(verdeel_db, bedrijf())
    volg(verdeel_db, BASIS)
    begin = outbox_rijen(verdeel_db)
    assert samenvatting(begin) == [(BASIS, "standaard", "Sa01", "MAC", KVK), (BASIS, "standaard", "Sa01", "VES", VES1)]
    for rij in begin:
        el = controleer(rij, schema_registry, oin=BASIS)
        assert el.find(f".//{{{BG}}}heeftAlsEigenaar") is None and el.find(f".//{{{BG}}}oefentActiviteitenUitVoor") is None
    ander = bedrijf()
    ander = dataclasses.replace(ander, eigenaar=dataclasses.replace(ander.eigenaar, statutaire_zetel="Utrecht"))
    opslaan(verdeel_db, ander)  # the MAC's data changed (its eigenaar), but nothing the afnemer may see
    assert nieuwe(verdeel_db, len(begin)) == []


def test_afnemer_without_endpoint_gets_nothing(verdeel_db):
    opslaan(verdeel_db, bedrijf())
    volg(verdeel_db, ZONDER)
    opslaan(verdeel_db, hernoemd(bedrijf(), "Zonder B.V."))
    assert outbox_rijen(verdeel_db) == []


def _gebied(db, oin, soort, waarde):
    with db.session() as session:
        g = abonnementen.gebied(soort, waarde)
        assert abonnementen.gebied_plaatsen(session, oin, g)
        v = next(l for l in db.luisteraars if isinstance(l, verdeling.Verdeler))
        return beginstand.voor_gebied(v, session, oin, g)


def test_area_move_in_is_new_move_out_is_the_last(verdeel_db, schema_registry):
    opslaan(verdeel_db, bedrijf(vestiging(plaats="Amersfoort", postcode="3811AA")))
    assert _gebied(verdeel_db, VOLGER, "woonplaats", "utrecht") == 0  # nothing in Utrecht yet
    opslaan(verdeel_db, hernoemd(bedrijf(vestiging(plaats="Amersfoort", postcode="3811AA")), "Elders B.V."))
    assert outbox_rijen(verdeel_db) == []

    opslaan(verdeel_db, bedrijf(vestiging()))  # moves into Utrecht (and its name changes back)
    rijen = outbox_rijen(verdeel_db)
    assert samenvatting(rijen) == [(VOLGER, "gm", "Lk01", "MAC", KVK), (VOLGER, "gm", "Lk01", "NNP", RSIN),
                                   (VOLGER, "gm", "Lk01", "VES", VES1), (VOLGER, "dms", "Lk01", "VES", VES1)]
    for rij in rijen:  # delivered as new: the whole company, T
        assert controleer(rij, schema_registry).findtext(f"{{{BG}}}parameters/{{{STUF}}}mutatiesoort") == "T"

    n = len(rijen)
    opslaan(verdeel_db, bedrijf(vestiging(plaats="Amersfoort", postcode="3811AA")))  # moves out
    rijen = nieuwe(verdeel_db, n)
    assert samenvatting(rijen) == [(VOLGER, "gm", "Lk01", "VES", VES1), (VOLGER, "dms", "Lk01", "VES", VES1)]
    oud, nieuw = controleer(rijen[0], schema_registry).findall(f"{{{BG}}}object")
    assert tekst(oud, "verblijfsadres/wpl.woonplaatsNaam") == ["Utrecht"]
    assert tekst(nieuw, "verblijfsadres/wpl.woonplaatsNaam") == ["Amersfoort"]
    n += len(rijen)
    opslaan(verdeel_db, hernoemd(bedrijf(vestiging(plaats="Amersfoort", postcode="3811AA")), "Weg B.V."))
    assert nieuwe(verdeel_db, n) == []  # and then no more


def test_area_beginstand_postcode_range_and_gemeente_table(verdeel_db, schema_registry):
    opslaan(verdeel_db, bedrijf(vestiging(plaats="De Meern", postcode="3454AA")))
    assert _gebied(verdeel_db, BASIS, "postcode", "3400-3499") == 2  # the beginstand: MAC and VES, as Sa01
    with verdeel_db.session() as session:
        assert abonnementen.gemeenten_laden(session, "woonplaats;gemeentecode;gemeentenaam\nUtrecht;0344;Utrecht\n"
                                                     "De Meern;344;Utrecht\nVleuten;GM0344;Utrecht\n") == 3
    n = len(outbox_rijen(verdeel_db))
    assert _gebied(verdeel_db, VOLGER, "gemeente", "344") == 4
    n += 4
    opslaan(verdeel_db, hernoemd(bedrijf(vestiging(plaats="De Meern", postcode="3454AA")), "Meern B.V."))
    assert samenvatting(nieuwe(verdeel_db, n)) == [(VOLGER, "gm", "Lk01", "MAC", KVK),
                                                   (BASIS, "standaard", "Lk01", "MAC", KVK)]


def test_area_index_sees_another_sessions_subscription_and_removal(verdeel_db):
    opslaan(verdeel_db, bedrijf())
    _gebied(verdeel_db, VOLGER, "woonplaats", "Utrecht")
    n = len(outbox_rijen(verdeel_db))
    with verdeel_db.session() as session:
        assert abonnementen.gebied_verwijderen(session, VOLGER, abonnementen.gebied("woonplaats", "UTRECHT"))
    opslaan(verdeel_db, hernoemd(bedrijf(), "Niet meer B.V."))
    assert nieuwe(verdeel_db, n) == []


def test_rollback_writes_nothing(verdeel_db):
    opslaan(verdeel_db, bedrijf())
    volg(verdeel_db, VOLGER)
    n = len(outbox_rijen(verdeel_db))
    try:
        with verdeel_db.session() as session:
            from knoop_esb.store.bulk import save_many
            from knoop_esb.vraag.opslag import items

            save_many(session, items([hernoemd(bedrijf(), "Teruggedraaid B.V.")]))
            raise RuntimeError("the transaction fails")
    except RuntimeError:
        pass
    assert nieuwe(verdeel_db, n) == []


def test_gebied_parsing():
    assert abonnementen.gebied("postcode", "3511 ab") == abonnementen.Gebied("postcode", "3511AB", "3511AB", "3511AB")
    assert abonnementen.gebied("gemeente", "344").sleutel == "0344"
    assert abonnementen.gebied("woonplaats", " 's-Hertogenbosch ").sleutel == "'s-hertogenbosch"
    for soort, fout in (("postcode", "35"), ("postcode", "3599-3500"), ("gemeente", "GM12345"), ("wijk", "x")):
        try:
            abonnementen.gebied(soort, fout)
        except abonnementen.AbonnementFout as exc:
            assert str(exc)
        else:
            raise AssertionError(f"{soort} {fout} accepted")


def test_subscription_placed_with_the_change_gets_only_the_beginstand(verdeel_db):
    """As an inbound kennisgeving with indicatorOvername "I" does: store the object and place the
    indicatie in one transaction."""
    from knoop_esb.store.bulk import save_many
    from knoop_esb.vraag.opslag import items

    opslaan(verdeel_db, bedrijf())
    with verdeel_db.session() as session:
        save_many(session, items([hernoemd(bedrijf(), "Samen B.V.")]))
        afnemerindicaties.plaats(session, VOLGER, "MAC", KVK, bron="kennisgeving")
    assert [r.berichtcode for r in outbox_rijen(verdeel_db)] == ["Sa01", "Sa01", "Sa01", "Lk01"]
    sa01 = payload(outbox_rijen(verdeel_db)[0])
    assert tekst(sa01.find(f"{{{BG}}}actueel/{{{BG}}}object"), "handelsnaam") == ["Samen B.V."]
