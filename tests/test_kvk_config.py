"""The [kvk] section: defaults that go live with only base_url + api_key, and one-line errors."""
from __future__ import annotations

import pytest

from knoop_esb.config import ConfigError, load


@pytest.fixture(autouse=True)
def geen_knoop_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # load() would read ./knoop.toml


def test_standaard_en_overrides():
    config = load(environ={"KNOOP_KVK_BASE_URL": "https://api.kvk.nl", "KNOOP_KVK_API_KEY": "x"}, path=None)
    assert config.kvk.base_url == "https://api.kvk.nl" and config.kvk.max_attempts == 4
    assert config.kvk.allow_paid is True and config.kvk.rate_per_second == 100.0


@pytest.mark.parametrize("key, value, fragment", [
    ("KNOOP_KVK_MAX_ATTEMPTS", "0", "kvk.max_attempts"),
    ("KNOOP_KVK_BASE_URL", "api.kvk.nl", "kvk.base_url"),
    ("KNOOP_KVK_TIMEOUT", "0", "kvk.timeout"),
    ("KNOOP_KVK_RATE_BURST", "0", "kvk.rate_burst"),
])
def test_ongeldige_waarde_noemt_de_sleutel(key, value, fragment):
    with pytest.raises(ConfigError) as exc:
        load(environ={key: value}, path=None)
    assert fragment in str(exc.value)
