"""Handelsregister history: save, no-change, actual, formeel (tijdstip) and materieel (datum)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from knoop_esb.store import handelsregister as hr

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def ves(nummer, *, naam="Bakkerij De Korenschoof", postcode="1234AB", huisnummer=10, kvk="12345678", **adres):
    adres = hr.Adres(postcode=postcode, huisnummer=huisnummer, woonplaats=adres.get("woonplaats", "Utrecht"),
                     straatnaam=adres.get("straatnaam", "Oudegracht"), huisletter=adres.get("huisletter"),
                     huisnummertoevoeging=adres.get("toevoeging"))
    return hr.VesZoek(vestigingsnummer=nummer, kvk_nummer=kvk, handelsnamen=(naam, f"{naam} B.V."), adres=adres)


def test_first_save_then_no_change_writes_nothing(db):
    with db.session() as s:
        first = hr.save(s, ves("000000000001"), {"naam": "a"}, tijdstip=T0, begin_geldigheid=date(2020, 1, 1))
        assert first.changed and first.vorige is None
    later = T0 + timedelta(days=3)
    with db.session() as s:
        again = hr.save(s, ves("000000000001"), {"naam": "a"}, tijdstip=later)
        assert not again.changed
        assert again.versie.id == first.versie.id
    with db.session() as s:
        assert len(hr.formele_historie(s, "VES", "000000000001")) == 1
        current = hr.actueel(s, "VES", "000000000001")
        assert current.fetched_at == later  # freshness moves, history does not
        assert current.tijdstip_registratie == T0


def test_change_closes_previous_formally_and_materially(db):
    key = "000000000002"
    t1 = T0 + timedelta(days=30)
    with db.session() as s:
        hr.save(s, ves(key), {"v": 1}, tijdstip=T0, begin_geldigheid=date(2020, 1, 1))
    with db.session() as s:
        result = hr.save(s, ves(key, postcode="9999ZZ"), {"v": 2}, tijdstip=t1, begin_geldigheid=date(2026, 2, 1))
        assert result.changed and result.vorige.data == {"v": 1}
    with db.session() as s:
        assert hr.actueel(s, "VES", key).data == {"v": 2}
        # formeel: what the node knew at a moment
        assert hr.op_tijdstip(s, "VES", key, T0 + timedelta(days=1)).data == {"v": 1}
        assert hr.op_tijdstip(s, "VES", key, t1 + timedelta(seconds=1)).data == {"v": 2}
        assert hr.op_tijdstip(s, "VES", key, T0 - timedelta(days=1)) is None
        # materieel: what was valid on a date, as known now
        assert hr.op_datum(s, "VES", key, date(2025, 6, 1)).data == {"v": 1}
        assert hr.op_datum(s, "VES", key, date(2026, 2, 1)).data == {"v": 2}
        assert hr.op_datum(s, "VES", key, date(2019, 1, 1)) is None
        # materieel as known before the change: v1 still open-ended
        assert hr.op_datum(s, "VES", key, date(2026, 3, 1), bekend_op=T0 + timedelta(days=1)).data == {"v": 1}
        mat = hr.materiele_historie(s, "VES", key)
        assert [(v.data["v"], v.begin_geldigheid, v.eind_geldigheid) for v in mat] == [
            (1, date(2020, 1, 1), date(2026, 2, 1)),
            (2, date(2026, 2, 1), None),
        ]
        formeel = hr.formele_historie(s, "VES", key)
        assert len(formeel) == 3
        assert formeel[0].tijdstip_einde_registratie == t1
        # search follows the actual state only
        assert [v.sleutel for v in hr.zoek_vestigingen(s, postcode="9999 zz")] == [key]
        assert key not in [v.sleutel for v in hr.zoek_vestigingen(s, postcode="1234AB", huisnummer=10)]


def test_correction_on_or_before_begin_replaces_the_version(db):
    key = "000000000003"
    with db.session() as s:
        hr.save(s, ves(key), {"v": 1}, tijdstip=T0, begin_geldigheid=date(2026, 1, 1))
    with db.session() as s:
        hr.save(s, ves(key), {"v": "corrected"}, tijdstip=T0 + timedelta(hours=1), begin_geldigheid=date(2026, 1, 1))
    with db.session() as s:
        mat = hr.materiele_historie(s, "VES", key)
        assert [v.data for v in mat] == [{"v": "corrected"}]
        assert len(hr.formele_historie(s, "VES", key)) == 2
        assert hr.op_tijdstip(s, "VES", key, T0 + timedelta(minutes=30)).data == {"v": 1}


def test_end_and_search_excludes_ended(db):
    key = "000000000004"
    with db.session() as s:
        hr.save(s, ves(key, naam="Opgeheven Winkel"), {"v": 1}, tijdstip=T0, begin_geldigheid=date(2010, 1, 1))
        assert [v.sleutel for v in hr.zoek_vestigingen(s, handelsnaam="Opgeheven Winkel")] == [key]
    with db.session() as s:
        ended = hr.end(s, "VES", key, date(2026, 3, 1), tijdstip=T0 + timedelta(days=60))
        assert ended.changed and ended.versie.eind_geldigheid == date(2026, 3, 1)
        assert not hr.end(s, "VES", key, date(2026, 3, 1)).changed
        assert hr.end(s, "VES", "999999999999", date(2026, 3, 1)) is None
    with db.session() as s:
        assert hr.zoek_vestigingen(s, handelsnaam="Opgeheven Winkel") == []
        assert [v.sleutel for v in hr.zoek_vestigingen(s, handelsnaam="Opgeheven Winkel", met_beeindigd=True)] == [key]
        assert hr.op_datum(s, "VES", key, date(2026, 2, 28)).data == {"v": 1}
        assert hr.op_datum(s, "VES", key, date(2026, 3, 1)) is None


def test_search_vestigingen_by_every_key(db):
    with db.session() as s:
        hr.save(s, ves("000000000101", naam="Café Zoekmij", kvk="87654321", huisletter="a", toevoeging="bis",
                       woonplaats="'s-Hertogenbosch", straatnaam="Markt"), {"v": 1}, tijdstip=T0)
        hr.save(s, ves("000000000102", naam="Zoekmij Twee", kvk="87654321", postcode="5211AA", huisnummer=3,
                       woonplaats="'s-Hertogenbosch", straatnaam="Kerkstraat"), {"v": 1}, tijdstip=T0)
        hr.save(s, ves("000000000103", naam="50_50 Winkel", kvk="87654322"), {"v": 1}, tijdstip=T0)
    with db.session() as s:
        keys = lambda rs: [v.sleutel for v in rs]  # noqa: E731
        assert keys(hr.zoek_vestigingen(s, handelsnaam="Café Zoekmij")) == ["000000000101"]
        assert keys(hr.zoek_vestigingen(s, handelsnaam="cafe zoekmij")) == []
        assert keys(hr.zoek_vestigingen(s, handelsnaam="CAFE  zoek", match="prefix")) == ["000000000101"]
        assert keys(hr.zoek_vestigingen(s, handelsnaam="zoekmij", match="bevat")) == ["000000000101", "000000000102"]
        assert keys(hr.zoek_vestigingen(s, handelsnaam="100%", match="bevat")) == []
        assert keys(hr.zoek_vestigingen(s, handelsnaam="50_50 w", match="prefix")) == ["000000000103"]
        assert keys(hr.zoek_vestigingen(s, handelsnaam="50%", match="prefix")) == []
        assert keys(hr.zoek_vestigingen(s, handelsnaam="5_", match="prefix")) == []
        assert keys(hr.zoek_vestigingen(s, postcode="1234AB", huisnummer=10, huisletter="a", huisnummertoevoeging="bis",
                                        kvk_nummer="87654321")) == ["000000000101"]
        assert keys(hr.zoek_vestigingen(s, woonplaats="'S-HERTOGENBOSCH", straatnaam="kerkstraat")) == ["000000000102"]
        assert keys(hr.zoek_vestigingen(s, handelsnaam="zoekmij", match="bevat", woonplaats="'s-Hertogenbosch",
                                        straatnaam="Markt")) == ["000000000101"]
        assert keys(hr.zoek_vestigingen(s, kvk_nummer="87654321")) == ["000000000101", "000000000102"]
        assert keys(hr.zoek_vestigingen(s, kvk_nummer="87654321", limit=1, offset=1)) == ["000000000102"]
        found = hr.zoek_vestigingen(s, vestigingsnummer="000000000101")[0]
        assert found.fetched_at == T0
        with pytest.raises(hr.HistorieFout):
            hr.zoek_vestigingen(s, handelsnaam="x", match="fuzzy")


def test_nnp_and_mac(db):
    with db.session() as s:
        hr.save(s, hr.NnpZoek(rsin="001234567", kvk_nummer="11112222", statutaire_naam="Stichting Ûtrecht Vooruit",
                              rechtsvorm="Stichting"), {"rsin": "001234567"}, tijdstip=T0)
        hr.save(s, hr.MacZoek(kvk_nummer="11112222", rsin="001234567", naam="Stichting Ûtrecht Vooruit"),
                {"kvkNummer": "11112222", "eigenaar": {"rsin": "001234567"}}, tijdstip=T0)
    with db.session() as s:
        assert hr.zoek_nnp(s, rsin="001234567")[0].data == {"rsin": "001234567"}
        assert hr.zoek_nnp(s, statutaire_naam="stichting utrecht", match="prefix")[0].sleutel == "001234567"
        assert hr.zoek_nnp(s, statutaire_naam="Stichting Ûtrecht Vooruit")[0].sleutel == "001234567"
        assert hr.zoek_mac(s, kvk_nummer="11112222")[0].data["eigenaar"] == {"rsin": "001234567"}
        assert hr.actueel(s, "MAC", "11112222").fetched_at == T0
        assert hr.zoek_mac(s, rsin="001234567")[0].sleutel == "11112222"


def test_bad_input_is_a_clear_error(db):
    with db.session() as s:
        with pytest.raises(hr.HistorieFout):
            hr.actueel(s, "XYZ", "1")
        with pytest.raises(hr.HistorieFout):
            hr.save(s, hr.MacZoek(kvk_nummer=""), {})
        with pytest.raises(hr.HistorieFout):
            hr.save(s, hr.MacZoek(kvk_nummer="1"), {}, tijdstip=datetime(2026, 1, 1))
