"""Configuration: TOML file, KNOOP_<SECTION>_<KEY> overrides, one clear error line, exit code 2."""
import subprocess
import sys
from pathlib import Path

import pytest

from knoop_esb.config import ConfigError, load, render_docs

REPO = Path(__file__).resolve().parents[1]


def test_defaults_load_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load(environ={})
    assert config.node.port == 8443
    assert config.source is None


def test_toml_values_and_env_overrides(tmp_path):
    path = tmp_path / "knoop.toml"
    path.write_text('[node]\nport = 9443\nhost = "0.0.0.0"\n[kvk]\nbase_url = "https://api.kvk.nl/test"\n')
    config = load(path, environ={"KNOOP_NODE_PORT": "10443", "KNOOP_KVK_API_KEY": "secret"})
    assert config.node.port == 10443  # the environment wins over the file
    assert config.node.host == "0.0.0.0"
    assert config.kvk.base_url == "https://api.kvk.nl/test"
    assert config.kvk.api_key == "secret"


def test_list_values_from_env_are_comma_separated(tmp_path):
    config = load(None, environ={"KNOOP_TLS_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2"})
    assert config.tls.trusted_proxies == ["10.0.0.1", "10.0.0.2"]


@pytest.mark.parametrize(
    "toml, env, key",
    [
        ("[node]\nport = 'x'\n", {}, "node.port"),
        ("", {"KNOOP_NODE_PORT": "abc"}, "KNOOP_NODE_PORT"),
        ("[node]\nprot = 1\n", {}, "node.prot"),
        ("[nod]\n", {}, "nod"),
        ("[node]\noin = '123'\n", {}, "node.oin"),
        ("", {"KNOOP_LOGGING_LEVEL": "LOUD"}, "logging.level"),
        ("[database]\ncheckpoint_seconds = -1\n", {}, "database.checkpoint_seconds"),
        ("[[afnemers.afnemer]]\noin = '00000099000000000001'\nprofiel = '2W-be-X'\n", {}, "afnemers.afnemer[0].profiel"),
        ("[[afnemers.afnemer]]\noin = '00000099000000000001'\nprofiel = 'intern'\n", {}, "afnemers.afnemer[0].wachtwoord_hash"),
    ],
)
def test_invalid_values_name_the_key(tmp_path, toml, env, key):
    path = tmp_path / "knoop.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load(path, environ=env)
    assert err.value.key == key
    assert key in str(err.value)


def test_cli_prints_one_line_and_exits_2(tmp_path):
    path = tmp_path / "knoop.toml"
    path.write_text("[node]\nport = 'x'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "knoop_esb", "--config", str(path), "config", "check"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["knoop-esb: configuration error: node.port: must be a whole number, got 'x'"]


def test_missing_config_file_is_a_clear_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "knoop_esb", "--config", str(tmp_path / "nope.toml"), "config", "check"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_committed_example_config_is_valid():
    example = REPO / "knoop.toml"
    if not example.exists():
        pytest.skip("knoop.toml not committed yet")
    load(example, environ={})


def test_configuration_docs_are_current():
    documented = (REPO / "docs" / "configuration.md").read_text()
    assert documented.strip() == render_docs().strip(), "run `make docs` to regenerate docs/configuration.md"


def test_default_workers_are_two_per_core(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./knoop.toml
    # SO_REUSEPORT spreads keep-alive connections by hash; two per core lets the scheduler even it out.
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert load(None, environ={}).node.worker_count == 6
    assert load(None, environ={"KNOOP_NODE_WORKERS": "1"}).node.worker_count == 1
