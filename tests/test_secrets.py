"""Secrets never shown: the KVK API key, Handelsdata tokens, database passwords and password hashes
are configured here with recognisable values, and `config show`, a serving node's every log line
and the CLI's errors are scanned for them."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from lxml import etree

from knoop_esb import logs
from knoop_esb.cli import main
from knoop_esb.cli.afnemers import wachtwoord_hash_van
from knoop_esb.config import secrets
from knoop_esb.kvktest.server import start_in_thread
from knoop_esb.stuf.ns import SOAP11_ENV, WSA
from tests.fixtures.node import node_toml
from tests.test_serve_cli import free_port, wait_for_health

API_KEY = "kvk-Geheime-Sleutel-4711"
TOKEN = "hd-Geheim-Token-0815"
DB_PASSWORD = "Pg-Wachtwoord-9%42"  # '%' is URL-encoded in the URL: both forms must be masked
HASH = wachtwoord_hash_van("intern-wachtwoord")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "vesLv01-vestigingen-van-kvknummer.xml"

INTERN = f"""
[[afnemers.afnemer]]
oin = "00000099000000000005"
naam = "Intern (test)"
profiel = "intern"
gebruikersnaam = "zaaksys"
wachtwoord_hash = "{HASH}"
"""


def _secret_forms() -> list[str]:
    return [API_KEY, TOKEN, DB_PASSWORD, DB_PASSWORD.replace("%", "%25"), HASH, HASH.split("$")[-1]]


def _assert_no_secret(text: str) -> None:
    for value in _secret_forms():
        assert value not in text, f"secret {value[:6]}… shown"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    env.update(KNOOP_KVK_API_KEY=API_KEY, KNOOP_HANDELSDATA_BASE_URL="http://127.0.0.1:9",
               KNOOP_HANDELSDATA_ABONNEMENT=json.dumps([{"naam": "hoofd", "token": TOKEN}]), **extra)
    return env


def test_config_show_masks_every_secret(pki, stuf_schemas_dir, tmp_path, monkeypatch, capsys):
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir, afnemers=INTERN), encoding="utf-8")
    for name, value in _env(KNOOP_DATABASE_URL=f"postgresql+psycopg://knoop:{DB_PASSWORD.replace('%', '%25')}@db.example/knoop").items():
        monkeypatch.setenv(name, value)
    assert main(["--config", str(config), "config", "show"]) == 0
    shown = capsys.readouterr().out
    _assert_no_secret(shown)
    values = json.loads(shown)
    assert values["kvk"]["api_key"] == "***"
    assert values["handelsdata"]["abonnement"] == [{"naam": "hoofd", "token": "***", "credits_per_maand": 100000}]
    assert values["database"]["url"] == "postgresql+psycopg://knoop:***@db.example/knoop"
    assert values["afnemers"]["afnemer"][0]["wachtwoord_hash"] == "***"
    assert values["afnemers"]["afnemer"][0]["gebruikersnaam"] == "zaaksys"  # not a secret


def test_unreachable_postgres_error_masks_the_password(pki, stuf_schemas_dir, tmp_path):
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
    url = f"postgresql+psycopg://knoop:{DB_PASSWORD.replace('%', '%25')}@127.0.0.1:{free_port()}/knoop"
    proc = subprocess.run([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60, env=_env(KNOOP_DATABASE_URL=url))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("knoop-esb: database postgresql+psycopg://knoop:***@127.0.0.1:")
    assert proc.stderr.count("\n") == 1
    _assert_no_secret(proc.stdout + proc.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("kvk_accepts_the_key", [True, False])
def test_serving_node_logs_no_secret(pki, stuf_schemas_dir, tmp_path, kvk_accepts_the_key):
    """DEBUG logs of a node that answers, refuses an unknown afnemer and meets a KVK that refuses its key."""
    kvk_url, stop_kvk = start_in_thread(api_keys=[API_KEY] if kvk_accepts_the_key else [])
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir, afnemers=_demo_and_intern()), encoding="utf-8")
    port = free_port()
    env = _env(KNOOP_NODE_PORT=str(port), KNOOP_NODE_WORKERS="1", KNOOP_LOGGING_LEVEL="DEBUG",
               KNOOP_LOGGING_FORMAT="json", KNOOP_KVK_BASE_URL=kvk_url, KNOOP_KVK_MAX_ATTEMPTS="1")
    proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    try:
        base = f"https://127.0.0.1:{port}"
        wait_for_health(base + "/health", pki.client_context("afnemer-demo"), proc)
        import httpx

        envelope = etree.fromstring(EXAMPLE.read_bytes())
        to = envelope.find(f".//{{{WSA}}}To")
        to.text = to.text.replace("https://127.0.0.1:8443", base)
        body = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
        operation = etree.QName(envelope.find(f"{{{SOAP11_ENV}}}Body")[0]).localname
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"http://www.egem.nl/StUF/sector/bg/0310/{operation}"'}
        for name in ("afnemer-demo", "unknown-afnemer"):
            with httpx.Client(verify=pki.client_context(name), timeout=30) as client:
                answer = client.post(base + "/stuf/bg0310/BeantwoordVraag", content=body, headers=headers)
            _assert_no_secret(answer.text)
            if name == "afnemer-demo":
                assert (answer.status_code == 200) is kvk_accepts_the_key, answer.text[:300]
        with httpx.Client(verify=pki.client_context(None), timeout=30,
                          auth=("zaaksys", "verkeerd")) as client:  # the intern afnemer, wrong password
            _assert_no_secret(client.post(base + "/stuf/bg0310/BeantwoordVraag", content=body, headers=headers).text)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
        stop_kvk()
    assert proc.returncode == 0, output
    assert sum(1 for line in output.splitlines() if line.startswith("{")) > 5  # the DEBUG log was written
    _assert_no_secret(output)


def _demo_and_intern() -> str:
    from tests.fixtures.node import DEFAULT_AFNEMERS

    return DEFAULT_AFNEMERS + INTERN


def test_log_processor_masks_configured_values_and_url_passwords(capsys):
    secrets.remember({API_KEY})
    logs.setup("INFO", "json")
    log = logs.get("test.secrets")
    try:
        raise RuntimeError(f"KVK said no to {API_KEY}")
    except RuntimeError:
        log.exception("kvk failed", url=f"postgresql+psycopg://knoop:{DB_PASSWORD}@db/knoop", headers={"apikey": API_KEY})
    line = capsys.readouterr().err
    structlog.reset_defaults()
    event = json.loads(line)
    assert event["url"] == "postgresql+psycopg://knoop:***@db/knoop"
    assert event["headers"] == {"apikey": "***"}
    assert "KVK said no to ***" in event["exception"]
    _assert_no_secret(line)
