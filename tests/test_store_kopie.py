"""PostgreSQL: ``save_many`` inserts new versions by COPY (store.kopie): the same rows, ids from the
table's own sequence (in order, before any later INSERT's), handelsnamen, times and JSON as INSERT
would store them."""
from datetime import datetime, timezone

from knoop_esb.store import handelsregister as hr
from knoop_esb.store.bulk import save_many

T0 = datetime(2026, 5, 4, 10, 30, 15, 123456, tzinfo=timezone.utc)


def test_copy_rows_equal_what_insert_stores(db, requires_postgres):
    data = {"naam": "Zeeuwse Bakkerij 'Ons Brood'", "sbi": [{"code": "1071", "hoofd": True}], "leeg": None, "n": 3}
    items = [(hr.VesZoek(vestigingsnummer=f"99000000{i:04d}", kvk_nummer="99000001", handelsnamen=("Ons Brood", f"Tak {i}"),
                         adres=hr.Adres(postcode="4331 AB", huisnummer=i + 1, woonplaats="Middelburg", straatnaam="Lange Delft")),
              {**data, "i": i}) for i in range(3)]
    with db.session() as s:
        assert save_many(s, items, tijdstip=T0).nieuw == 3
    with db.session() as s:
        later = hr.save(s, hr.VesZoek(vestigingsnummer="990000009999", kvk_nummer="99000001"), data, tijdstip=T0)
    with db.session() as s:
        versies = [hr.actueel(s, "VES", z.vestigingsnummer) for z, _ in items]
        gevonden = hr.zoek_vestigingen(s, handelsnaam="Tak 2")
        op_adres = hr.zoek_vestigingen(s, postcode="4331AB", huisnummer=2)
    assert [v.data for v in versies] == [d for _, d in items]
    assert all(v.tijdstip_registratie == T0 and v.fetched_at == T0 and v.bron == "kvk" for v in versies)
    ids = [v.id for v in versies]
    assert ids == sorted(ids) and later.versie.id > ids[-1]
    assert [v.sleutel for v in gevonden] == ["990000000002"] and [v.sleutel for v in op_adres] == ["990000000001"]
