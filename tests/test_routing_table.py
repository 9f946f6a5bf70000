"""Route table: validation at start-up names the StUF foutcode and the route; lookups and overrides."""
from datetime import timedelta

import pytest

from knoop_esb.cli import main
from knoop_esb.config import ConfigError
from knoop_esb.routing.table import RouteTable, duur

AFNEMER = "00000099000000000123"


def test_defaults_give_the_three_handelsregister_routes(routing_config):
    table = RouteTable.from_config(routing_config(""))
    keys = {(r.berichtcode, r.entiteittype) for r in table}
    assert keys == {("nnpLv01", "NNP"), ("macLv01", "MAC"), ("vesLv01", "VES")}
    assert [s.naam for s in table.route("nnpLv01", "NNP").chain] == ["store", "kvk"]
    assert table.route("nnpLv01", "NNP").max_age == timedelta(days=7)


@pytest.mark.parametrize("route, expected", [
    ('berichtcode = "nnpLv01"\nentiteittype = "NNP"\nchain = ["store", "bogus"]', "StUF025: route nnpLv01/NNP names unknown source 'bogus'"),
    ('berichtcode = "npsLv01"\nentiteittype = "NPS"\nchain = ["upstream:brp"]', "StUF025: route npsLv01/NPS names upstream:brp but no [[routes.upstream]]"),
    ('berichtcode = "npsLv01"\nentiteittype = "NPS"\nchain = ["store", "kvk"]', "StUF031: route npsLv01/NPS: source store does not answer entiteittype NPS"),
    ('berichtcode = "nnpLv01"\nentiteittype = "NNP"\nchain = ["handelsdata"]', "StUF031: route nnpLv01/NNP: source handelsdata does not answer entiteittype NNP"),
    ('berichtcode = "vesLv01"\nentiteittype = "VES"\nchain = ["handelsdata"]', "StUF025: route vesLv01/VES names handelsdata but [handelsdata] has no base_url"),
    ('berichtcode = "nnpLk01"\nentiteittype = "NNP"', "StUF025: berichtcode 'nnpLk01' of route nnpLk01/NNP is not a vraagbericht"),
    ('berichtcode = "nnpLv01"\nentiteittype = "VES"', "StUF031: entiteittype VES does not belong to berichtcode nnpLv01"),
    ('berichtcode = "nnpLv03"\nentiteittype = "NNP"\nchain = ["store"]', "StUF025: route nnpLv03/NNP: source store answers only actual data"),
    ('berichtcode = "nnpLv01"\nentiteittype = "NNP"\nmax_age = "a week"', "routes.route[0].max_age: must be a duration"),
])
def test_unservable_route_stops_start_up(routing_config, route, expected):
    with pytest.raises(ConfigError) as exc:
        routing_config(f"[[routes.route]]\n{route}\n")
    assert expected in str(exc.value)
    assert "routes.route[0]" in str(exc.value)


def test_upstream_that_does_not_answer_the_entiteittype(routing_config):
    with pytest.raises(ConfigError, match=r"StUF031: route npsLv01/NPS: upstream 'brp' does not answer entiteittype NPS"):
        routing_config("""
            [[routes.upstream]]
            name = "brp"
            url = "https://brp.example/BeantwoordVraag"
            entiteittypen = ["ADR"]
            [[routes.route]]
            berichtcode = "npsLv01"
            entiteittype = "NPS"
            chain = ["upstream:brp"]
        """)


def test_duplicate_route_and_bad_upstream(routing_config):
    with pytest.raises(ConfigError, match="defined twice"):
        routing_config('[[routes.route]]\nberichtcode = "nnpLv01"\nentiteittype = "NNP"\n'
                       '[[routes.route]]\nberichtcode = "nnpLv01"\nentiteittype = "NNP"\n')
    with pytest.raises(ConfigError, match=r"routes.upstream\[0\].profiel"):
        routing_config('[[routes.upstream]]\nname = "a"\nurl = "https://a"\nentiteittypen = ["NPS"]\nprofiel = "2W-xx"\n')
    with pytest.raises(ConfigError, match=r"routes.upstream\[0\].oin: the upstream's 20-character OIN is required"):
        routing_config('[[routes.upstream]]\nname = "a"\nurl = "https://a"\nentiteittypen = ["NPS"]\n')
    with pytest.raises(ConfigError, match="must be 2W-be or 2W-be-S"):
        routing_config('[[routes.upstream]]\nname = "a"\nurl = "https://a"\nentiteittypen = ["NPS"]\nprofiel = "2W-be-SE"\n')


def test_afnemer_override_wins_for_that_afnemer_only(routing_config):
    config = routing_config(f"""
        [[routes.upstream]]
        name = "brp"
        url = "https://brp.example/BeantwoordVraag"
        entiteittypen = ["NPS"]
        oin = "00000001234567890000"
        [[routes.route]]
        berichtcode = "nnpLv01"
        entiteittype = "NNP"
        chain = ["store", "kvk"]
        max_age = "30d"
        [[routes.route]]
        berichtcode = "nnpLv01"
        entiteittype = "NNP"
        chain = ["kvk"]
        max_age = "0"
        afnemer = "{AFNEMER}"
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:brp"]
    """)
    table = RouteTable.from_config(config)
    assert [s.naam for s in table.route("nnpLv01", "NNP", AFNEMER).chain] == ["kvk"]
    assert table.route("nnpLv01", "NNP", AFNEMER).max_age == timedelta(0)
    assert [s.naam for s in table.route("nnpLv01", "NNP", "00000099000000000999").chain] == ["store", "kvk"]
    assert table.route("nnpLv01", "NNP").max_age == timedelta(days=30)
    # Routes not configured keep the default chain.
    assert [s.naam for s in table.route("macLv01", "MAC").chain] == ["store", "kvk"]
    assert table.route("nnpLv03", "NNP") is None


def test_fanout_step_names_each_upstream(routing_config):
    config = routing_config("""
        [[routes.upstream]]
        name = "a"
        url = "https://a.example/x"
        entiteittypen = ["NPS"]
        oin = "00000001234567890000"
        [[routes.upstream]]
        name = "b"
        url = "https://b.example/x"
        entiteittypen = ["nps"]
        oin = "00000001234567890001"
        [[routes.route]]
        berichtcode = "npsLv01"
        entiteittype = "NPS"
        chain = ["upstream:a+b"]
    """)
    (step,) = RouteTable.from_config(config).route("npsLv01", "NPS").chain
    assert step.fanout and step.bronnen == ("upstream:a", "upstream:b")


def test_config_check_names_the_route(tmp_path, capsys, monkeypatch):
    path = tmp_path / "knoop.toml"
    path.write_text('[[routes.route]]\nberichtcode = "npsLv01"\nentiteittype = "NPS"\nchain = ["kvk"]\n')
    for key in [k for k in __import__("os").environ if k.startswith("KNOOP_")]:
        monkeypatch.delenv(key)
    assert main(["--config", str(path), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert "StUF031" in err and "npsLv01/NPS" in err and len(err.strip().splitlines()) == 1


def test_duur():
    assert duur("90s", "x") == timedelta(seconds=90)
    assert duur("12h", "x") == timedelta(hours=12)
    assert duur("0", "x") == timedelta(0)
    with pytest.raises(ConfigError):
        duur("-1d", "x")
