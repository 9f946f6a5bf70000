"""save_many gives the same history as save one by one, in bulk."""
from datetime import date, datetime, timedelta, timezone

from knoop_esb.store import handelsregister as hr
from knoop_esb.store.bulk import BulkResult, save_many

T0 = datetime(2026, 2, 2, 8, 0, tzinfo=timezone.utc)


def ves(i, naam="Winkel", postcode="3511AA"):
    return hr.VesZoek(vestigingsnummer=f"{900000000000 + i}", kvk_nummer="55555555", handelsnamen=(f"{naam} {i}", "Tweede naam"),
                      adres=hr.Adres(postcode=postcode, huisnummer=i, woonplaats="Utrecht", straatnaam="Oudegracht"))


def test_bulk_new_unchanged_changed_and_duplicates(db):
    with db.session() as s:
        assert save_many(s, [(ves(i), {"i": i}) for i in range(1, 41)] +
                         [(hr.NnpZoek(rsin="009999999", statutaire_naam="Bulk B.V."), {"rsin": "009999999"})],
                         tijdstip=T0) == BulkResult(nieuw=41)
    t1 = T0 + timedelta(days=10)
    items = [(ves(i), {"i": i}) for i in range(1, 31)]            # unchanged
    items += [(ves(i, postcode="3511BB"), {"i": i, "v": 2}) for i in range(31, 41)]  # changed
    items += [(ves(41), {"i": 41}), (ves(41), {"i": 41, "v": 2})]   # new, then changed in the same batch
    with db.session() as s:
        assert save_many(s, items, tijdstip=t1) == BulkResult(nieuw=1, gewijzigd=11, ongewijzigd=30)
    with db.session() as s:
        assert hr.actueel(s, "VES", "900000000001").fetched_at == t1
        assert len(hr.formele_historie(s, "VES", "900000000001")) == 1
        mat = hr.materiele_historie(s, "VES", "900000000035")
        assert [(v.data, v.begin_geldigheid, v.eind_geldigheid) for v in mat] == [
            ({"i": 35}, date(2026, 2, 2), date(2026, 2, 12)), ({"i": 35, "v": 2}, date(2026, 2, 12), None)]
        assert hr.actueel(s, "VES", "900000000041").data == {"i": 41, "v": 2}
        assert [v.sleutel for v in hr.zoek_vestigingen(s, handelsnaam="winkel 3", match="prefix", kvk_nummer="55555555")] == \
            [f"{900000000000 + i}" for i in [3] + list(range(30, 40))]
        assert len(hr.zoek_vestigingen(s, handelsnaam="Tweede naam", kvk_nummer="55555555")) == 41
        assert hr.zoek_nnp(s, statutaire_naam="bulk", match="prefix")[0].sleutel == "009999999"
