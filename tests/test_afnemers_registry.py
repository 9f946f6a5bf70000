"""The afnemers registry: knoop.toml and store afnemers behind one lookup, store changes."""
import pytest

from knoop_esb.afnemers import autorisatie
from knoop_esb.afnemers import registry as reg
from knoop_esb.afnemers.profielen import PROFIELEN, Regel
from knoop_esb.config import ConfigError, load

CONFIG_OIN = "00000099000000000001"
STORE_OIN = "00000099000000000077"


@pytest.fixture
def config(tmp_path):
    toml = tmp_path / "knoop.toml"
    toml.write_text(f'''
[[afnemers.afnemer]]
oin = "{CONFIG_OIN}"
naam = "Gemeente Config"
autorisatieprofielen = ["handelsregister"]

[[afnemers.afnemer]]
oin = "00000099000000000002"
naam = "Beperkt"
doel = "Vergunningverlening"

[[afnemers.afnemer.autorisatie]]
berichtcode = "Lv01"
entiteittype = "VES"
selectie = ["vestigingsNummer"]
attributen = ["handelsnaam"]
relaties = []
''')
    return load(toml, environ={})


def test_config_afnemers_and_their_rules(config):
    r = reg.Registry(config)
    full = r.get(CONFIG_OIN)
    assert full.regels == PROFIELEN["handelsregister"] and full.bron == "config"
    beperkt = r.get("00000099000000000002")
    assert beperkt.regels == (Regel("Lv01", "VES", ("vestigingsNummer",), ("handelsnaam",), (), "Vergunningverlening"),)
    assert autorisatie.mag_vragen(beperkt, "vesLv01", "VES", ["vestigingsNummer"]).doel == "Vergunningverlening"
    assert not autorisatie.mag_vragen(beperkt, "macLv01", "MAC").toegestaan
    assert r.get("00000099000000000099") is None


def test_unknown_profile_is_a_config_error(tmp_path):
    toml = tmp_path / "knoop.toml"
    toml.write_text('[[afnemers.afnemer]]\noin = "00000099000000000001"\nautorisatieprofielen = ["alles"]\n')
    with pytest.raises(ConfigError) as exc:
        load(toml, environ={})
    assert "autorisatieprofielen" in str(exc.value) and "handelsregister" in str(exc.value)


def test_store_afnemers(config, db):
    with db.session() as s:
        reg.toevoegen(s, STORE_OIN, naam="Gemeente Store", profiel="2W-be-S", kennisgeving_url="https://g.example/kg")
        reg.autoriseer(s, STORE_OIN, [Regel("Lv01", "VES", attributen=("handelsnaam",), relaties=(), doel="Toezicht")])
        with pytest.raises(reg.AfnemerFout):
            reg.toevoegen(s, STORE_OIN)
        with pytest.raises(reg.AfnemerFout):
            reg.toevoegen(s, "123")
        with pytest.raises(reg.AfnemerFout):
            reg.toevoegen(s, "00000099000000000078", profiel="intern")
        with pytest.raises(reg.AfnemerFout):
            reg.zet_profiel(s, "00000099000000000079", "2W-be")
    r = reg.Registry(config, db)
    a = r.get(STORE_OIN)
    assert (a.naam, a.profiel, a.bron, a.doel) == ("Gemeente Store", "2W-be-S", "store", "Toezicht")
    assert a.regels == (Regel("Lv01", "VES", ("*",), ("handelsnaam",), (), "Toezicht"),)
    assert [x.oin for x in r.alle()][:3] == [CONFIG_OIN, "00000099000000000002", STORE_OIN]
    with db.session() as s:
        reg.autoriseer(s, STORE_OIN, [Regel("Lv01", "VES", doel="Alles")])  # replaces the rule
        reg.zet_profiel(s, STORE_OIN, "2W-be-SE")
        reg.zet_actief(s, STORE_OIN, False)
    a = r.get(STORE_OIN)
    assert a.regels == (Regel("Lv01", "VES", doel="Alles"),) and a.profiel == "2W-be-SE"
    assert not autorisatie.mag_vragen(a, "vesLv01", "VES").toegestaan  # inactive
    with db.session() as s:
        assert reg.intrekken(s, STORE_OIN) == 1
        reg.verwijderen(s, STORE_OIN)
    assert r.get(STORE_OIN) is None


def test_intern_store_afnemer_by_gebruikersnaam(config, db):
    from knoop_esb.digikoppeling.intern import hash_password, verify_password

    with db.session() as s:
        reg.toevoegen(s, "00000099000000000088", profiel="intern", gebruikersnaam="zaaksys",
                      wachtwoord_hash=hash_password("een lang wachtwoord"))
    a = reg.Registry(config, db).by_gebruikersnaam("zaaksys")
    assert a.oin == "00000099000000000088" and verify_password("een lang wachtwoord", a.wachtwoord_hash)
