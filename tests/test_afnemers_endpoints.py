"""Delivery endpoints of an afnemer: configured ones, kennisgeving_url as the simple form, and
configuration mistakes named by their key."""
import pytest

from knoop_esb.afnemers.registry import STANDAARD_ENDPOINT, van_config
from knoop_esb.config import ConfigError, load

BASIS = """
[[afnemers.afnemer]]
oin = "00000099000000000001"
profiel = "2W-be-S"
autorisatieprofielen = ["handelsregister"]
"""


def _config(tmp_path, extra):
    path = tmp_path / "knoop.toml"
    path.write_text(BASIS + extra)
    return load(path, environ={})


def test_kennisgeving_url_is_the_standaard_endpoint_with_the_afnemers_profile(tmp_path):
    config = _config(tmp_path, 'kennisgeving_url = "https://gm.example.nl/ontvang"\n')
    [endpoint] = van_config(config.afnemers.afnemer[0]).endpoints
    assert (endpoint.naam, endpoint.url, endpoint.profiel, endpoint.trust_anchors) == (
        STANDAARD_ENDPOINT, "https://gm.example.nl/ontvang", "2W-be-S", "")
    assert endpoint.volgt("VES") and endpoint.beginstand == "sa01"


def test_configured_endpoints_keep_their_settings(tmp_path):
    config = _config(tmp_path, """
[[afnemers.afnemer.endpoint]]
naam = "magazijn"
url = "https://gm.example.nl/ontvang"
profiel = "2W-be"
timeout = 3.5
parallel = 4
beginstand = "kennisgeving"
entiteittypen = ["VES"]

[[afnemers.afnemer.endpoint]]
naam = "crm"
url = "http://crm.gemeente.local/stuf"
profiel = "stuf"
""")
    magazijn, crm = van_config(config.afnemers.afnemer[0]).endpoints
    assert (magazijn.profiel, magazijn.timeout, magazijn.parallel, magazijn.beginstand) == ("2W-be", 3.5, 4, "kennisgeving")
    assert magazijn.volgt("VES") and not magazijn.volgt("MAC")
    assert (crm.naam, crm.profiel) == ("crm", "stuf")


@pytest.mark.parametrize("extra, key", [
    ('[[afnemers.afnemer.endpoint]]\nnaam = "a"\nurl = "ftp://x"\n', "afnemers.afnemer[0].endpoint[0].url"),
    ('[[afnemers.afnemer.endpoint]]\nnaam = "a"\nurl = "http://x"\n', "afnemers.afnemer[0].endpoint[0].url"),
    ('[[afnemers.afnemer.endpoint]]\nnaam = "a"\nurl = "https://x"\nprofiel = "ebms"\n',
     "afnemers.afnemer[0].endpoint[0].profiel"),
    ('[[afnemers.afnemer.endpoint]]\nnaam = "a"\nurl = "https://x"\nbeginstand = "alles"\n',
     "afnemers.afnemer[0].endpoint[0].beginstand"),
    ('[[afnemers.afnemer.endpoint]]\nnaam = "a"\nurl = "https://x"\n[[afnemers.afnemer.endpoint]]\nnaam = "a"\n'
     'url = "https://y"\n', "afnemers.afnemer[0].endpoint"),
])
def test_endpoint_mistakes_name_their_key(tmp_path, extra, key):
    with pytest.raises(ConfigError) as e:
        _config(tmp_path, extra)
    assert key in str(e.value)
