"""The delivery worker against real subscriber servers (mutual TLS on 127.0.0.1): Bv03 = delivered
and protocolled; permanent Fo03 = dead at once; temporary Fo03, 5xx, hangs, dropped connections and
a server that is down = retried with back-off; limits; order per object with parallel > 1; the
same referentienummer and MessageID on every attempt; StUF016 on a resend = delivered."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from knoop_esb.bezorging import antwoord
from knoop_esb.bezorging.worker import Bezorger, wachttijd
from knoop_esb.store import outbox
from knoop_esb.store.models import Outbox, ProtocolRegel
from tests.fixtures.bezorging import NODE_OIN, chaos, lk01_payload
from tests.fixtures.node import node_config

DEMO = "00000099000000000001"
SIGNED = "00000099000000000002"


def _config(pki, tmp_path, schemas, db, endpoints: dict[str, list[dict]], **bezorging):
    afnemers = ""
    for oin, lijst in endpoints.items():
        afnemers += f'\n[[afnemers.afnemer]]\noin = "{oin}"\nprofiel = "{"2W-be-S" if oin == SIGNED else "2W-be"}"\n' \
                    f'applicatie = "ZAAKSYS"\nautorisatieprofielen = ["handelsregister"]\ndoel = "test"\n'
        for e in lijst:
            e = {"timeout": 2.0} | e
            afnemers += "[[afnemers.afnemer.endpoint]]\n" + "".join(
                f"{k} = {v!r}\n".replace("'", '"') for k, v in e.items())
    waarden = dict(wachttijd=0.05, max_wachttijd=0.2, jitter=0.1, lease=5.0, poll=0.05) | bezorging
    extra = "[bezorging]\n" + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in waarden.items())
    url = db.url.render_as_string(hide_password=False)
    return node_config(pki, tmp_path / "node", schemas, extra=extra, afnemers=afnemers, database_url=url)


def _add(db, ref, oin=DEMO, endpoint="gm", ves="000037178591", **kw):
    with db.session() as s:
        assert outbox.add(s, referentienummer=ref, afnemer_oin=oin, endpoint=endpoint, berichtcode="Lk01",
                          entiteittype="VES", object_sleutel=ves, payload=lk01_payload(ref, oin, ves), **kw)


def _rows(db):
    with db.session() as s:
        return {r.referentienummer: (r.status, r.attempts, r.last_error) for r in s.scalars(select(Outbox))}


def _draai(bezorger, db, klaar, seconden=15.0):
    eind = time.monotonic() + seconden
    while time.monotonic() < eind:
        bezorger.ronde(wacht=True)
        if klaar(_rows(db)) and not bezorger.in_behandeling():
            return
    raise AssertionError(f"not done in {seconden} s: {_rows(db)}")


def _alle(status):
    return lambda rows: all(s == status for s, _, _ in rows.values())


def test_bv03_delivers_with_wsa_from_stuurgegevens_and_protocol(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory()
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url)]})
    for n in range(3):
        _add(bezorging_db, f"ref-{n}")
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert abonnee.volgorde == ["ref-0", "ref-1", "ref-2"]
    soap_action, addressing = abonnee.headers[0]
    assert soap_action == '"http://www.egem.nl/StUF/sector/bg/0310/vesLk01"'
    assert addressing.action == "http://www.egem.nl/StUF/sector/bg/0310/vesLk01"
    assert addressing.from_address == f"urn:dkintern:{NODE_OIN}:KNOOP:"
    assert addressing.message_id == f"urn:dkintern:{NODE_OIN}:KNOOP::ref-0"
    assert addressing.to == f"{abonnee.url}?OIN={DEMO}"
    assert abonnee.ontvangen["ref-0"].peer_oin == NODE_OIN  # mutual TLS with the node's certificate
    with bezorging_db.session() as s:
        regels = list(s.scalars(select(ProtocolRegel).order_by(ProtocolRegel.id)))
    assert [(r.afnemer_oin, r.berichtcode, r.entiteittype, r.object_sleutels, r.referentienummer, r.doel)
            for r in regels] == [(DEMO, "Lk01", "VES", ["000037178591"], f"ref-{n}", "test") for n in range(3)]
    assert regels[0].request_message_id == f"urn:dkintern:{NODE_OIN}:KNOOP::ref-0"
    assert regels[0].response_message_id and "vestigingsNummer" in regels[0].attribuut_paden


def test_permanent_fo03_is_dead_at_once_and_the_next_goes(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory(lambda o: "fo03-permanent" if o.referentienummer == "p-0" else "bv03")
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url)]})
    _add(bezorging_db, "p-0")
    _add(bezorging_db, "p-1")
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, lambda rows: rows["p-1"][0] == "delivered")
    finally:
        bezorger.sluit()
    status, attempts, fout = _rows(bezorging_db)["p-0"]
    assert (status, attempts) == ("dead", 1) and "StUF055" in fout and "niet conform schema" in fout
    assert abonnee.volgorde == ["p-1"]


@pytest.mark.parametrize("gedrag", ["fo03-tijdelijk", "500", "drop", "hang"])
def test_temporary_failures_are_retried_with_the_same_message_id(gedrag, pki, tmp_path, stuf_schemas_dir, bezorging_db,
                                                                 abonnee_factory):
    pogingen = []

    def eerst_mis(ontvangen):
        pogingen.append(ontvangen.addressing.message_id)
        return gedrag if len(pogingen) <= 2 else "bv03"

    abonnee = abonnee_factory(eerst_mis, hang_seconden=1.5)
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url, timeout=0.5)]})
    _add(bezorging_db, "t-0")
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert _rows(bezorging_db)["t-0"][:2] == ("delivered", 3)
    assert len(set(pogingen)) == 1 and pogingen[0].endswith(":t-0")


def test_a_server_that_is_down_for_a_while(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    eerste = abonnee_factory()
    port = int(eerste.url.split(":")[2].split("/")[0])
    url = eerste.url
    eerste.stop()  # down
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=url, timeout=1.0)]})
    _add(bezorging_db, "d-0")
    bezorger = Bezorger(config, bezorging_db)
    try:
        eind = time.monotonic() + 5
        while _rows(bezorging_db)["d-0"][1] < 2 and time.monotonic() < eind:
            bezorger.ronde(wacht=True)
        status, attempts, fout = _rows(bezorging_db)["d-0"]
        assert status in ("pending", "delivering") and attempts >= 2 and "connection" in fout
        terug = abonnee_factory(port=port)  # back up
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert terug.volgorde == ["d-0"]


def test_dead_after_max_attempts_and_after_max_age(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory(lambda o: "fo03-tijdelijk")
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url)]}, max_pogingen=3,
                     max_leeftijd="1h")
    _add(bezorging_db, "m-0")
    from knoop_esb.store.base import utcnow
    from datetime import timedelta

    _add(bezorging_db, "oud-0", ves="000037178592", now=utcnow() - timedelta(hours=2))
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("dead"))
    finally:
        bezorger.sluit()
    rows = _rows(bezorging_db)
    assert rows["m-0"][1] == 3 and rows["m-0"][2].startswith("given up after 3 attempt(s): Fo03Bericht StUF046")
    assert "max_leeftijd" in rows["oud-0"][2]


def test_stuf016_on_a_resend_means_delivered(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    antwoorden = iter(["bewaar-drop", "fo03-al"])
    abonnee = abonnee_factory(lambda o: next(antwoorden, "bv03"))
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url)]})
    _add(bezorging_db, "al-0")
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert _rows(bezorging_db)["al-0"][:2] == ("delivered", 2)
    assert abonnee.volgorde == ["al-0"]


def test_order_per_object_with_parallel_endpoints_and_chaos(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory(chaos(7, fo03_tijdelijk=0.15, drop=0.1, bewaar_drop=0.1, **{"500": 0.05}))
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url, parallel=4)]},
                     max_pogingen=50)
    objecten = [f"0000371785{n:02d}" for n in range(6)]
    verwacht = {ves: [f"{ves}-{i}" for i in range(5)] for ves in objecten}
    for i in range(5):
        for ves in objecten:
            _add(bezorging_db, f"{ves}-{i}", ves=ves)
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"), seconden=30)
    finally:
        bezorger.sluit()
    assert sorted(abonnee.volgorde) == sorted(r for refs in verwacht.values() for r in refs)  # each exactly once
    for ves, refs in verwacht.items():
        assert [r for r in abonnee.volgorde if r.startswith(ves)] == refs


def test_unknown_endpoint_is_retried_with_the_reason(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    abonnee = abonnee_factory()
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {DEMO: [dict(naam="gm", url=abonnee.url)]}, max_pogingen=2)
    _add(bezorging_db, "x-0", endpoint="weg")
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("dead"))
    finally:
        bezorger.sluit()
    assert "has no delivery endpoint 'weg'" in _rows(bezorging_db)["x-0"][2]


def test_signed_delivery_verifies_in_python_xmlsec(pki, tmp_path, stuf_schemas_dir, bezorging_db, abonnee_factory):
    pytest.importorskip("xmlsec")
    abonnee = abonnee_factory(xmlsec=True)
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db, {SIGNED: [dict(naam="gm", url=abonnee.url)]})
    for n in range(3):
        _add(bezorging_db, f"s-{n}", oin=SIGNED)
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert abonnee.handtekening_fouten == [] and abonnee.geverifieerd == 3
    assert abonnee.volgorde == ["s-0", "s-1", "s-2"]


def test_encrypted_delivery_is_decrypted_and_verifies_in_python_xmlsec(pki, tmp_path, stuf_schemas_dir, bezorging_db,
                                                                       abonnee_factory):
    pytest.importorskip("xmlsec")
    abonnee = abonnee_factory(xmlsec=True)
    config = _config(pki, tmp_path, stuf_schemas_dir, bezorging_db,
                     {SIGNED: [dict(naam="gm", url=abonnee.url, profiel="2W-be-SE")]})
    _add(bezorging_db, "se-0", oin=SIGNED)
    bezorger = Bezorger(config, bezorging_db)
    try:
        _draai(bezorger, bezorging_db, _alle("delivered"))
    finally:
        bezorger.sluit()
    assert abonnee.ontsleuteld == 1 and abonnee.geverifieerd == 1 and abonnee.handtekening_fouten == []
    assert abonnee.volgorde == ["se-0"]


def test_backoff_doubles_with_jitter_and_a_ceiling():
    class Cfg:
        wachttijd, max_wachttijd, jitter = 5.0, 60.0, 0.2

    waarden = [wachttijd(Cfg, n).total_seconds() for n in (1, 2, 3, 10)]
    assert 4 <= waarden[0] <= 6 and 8 <= waarden[1] <= 12 and 16 <= waarden[2] <= 24 and 48 <= waarden[3] <= 72


@pytest.mark.parametrize("code,soort", [("StUF055", antwoord.DOOD), ("StUF052", antwoord.DOOD),
                                        ("StUF046", antwoord.OPNIEUW), ("StUF058", antwoord.OPNIEUW),
                                        ("XYZ001", antwoord.OPNIEUW)])
def test_fo03_codes(code, soort):
    from knoop_esb.stuf.fouten import StufFout, fo03, soap_fault

    assert antwoord.beoordeel(500, soap_fault(fo03(StufFout(code, "x"), None)), eerder_verzonden=False).soort == soort
