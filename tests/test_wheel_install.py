"""The built wheel works outside the checkout: installed into a fresh venv in a temp dir, it
prints its example configuration, makes the example PKI, installs the official schemas, publishes
its WSDL and answers a vesLv01 with a schema-valid La01 over mutual TLS. Nothing of the checkout is
on its path (the test runs it from the temp dir with a clean environment)."""
from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV, WSA
from tests.fixtures.stuf import SHARED_STUF
from tests.test_serve_cli import free_port, wait_for_health

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "vesLv01-vestigingen-van-kvknummer.xml"


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float = 600) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(venv bin dir, working dir, environment) of the wheel installed in a fresh venv."""
    if not (SHARED_STUF / "bg0310").is_dir():
        pytest.skip(f"no StUF bundle at {SHARED_STUF} (set KNOOP_TEST_STUF_SOURCE)")
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KNOOP_", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(root / "dist"), str(REPO)], root, env)
    assert "Deprecat" not in build, build
    wheel = next((root / "dist").glob("knoop_esb-*.whl"))
    _run([sys.executable, "-m", "venv", str(root / "venv")], root, env)
    bin_dir = root / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "--quiet", str(wheel)], root, env)
    work = root / "node"
    work.mkdir()
    return bin_dir, work, env


def test_wheel_carries_what_the_node_needs(installed):
    bin_dir, work, env = installed
    out = _run([str(bin_dir / "python"), "-c", "import knoop_esb, knoop_esb.paths as p; "
                "print(knoop_esb.__file__); print(sorted(x.name for x in p.WSDL_DIR.iterdir())); "
                "print(sorted(x.name for x in p.XSD_DIR.iterdir()))"], work, env)
    assert str(REPO) not in out.splitlines()[0]  # the installed copy, not the checkout
    assert "bg0310.beantwoordvraag.wsdl" in out and "knoop_stuf0301.xsd" in out
    example = _run([str(bin_dir / "knoop-esb"), "config", "example"], work, env)
    assert example == (REPO / "knoop.toml").read_text(encoding="utf-8")


def test_installed_wheel_serves_a_la01_over_mutual_tls(installed, schema_registry):
    bin_dir, work, env = installed
    knoop = str(bin_dir / "knoop-esb")
    (work / "knoop.toml").write_text(_run([knoop, "config", "example"], work, env), encoding="utf-8")
    _run([knoop, "pki", "make"], work, env)
    _run([knoop, "schemas", "install", str(SHARED_STUF)], work, env)
    assert "configuration ok" in _run([knoop, "config", "check"], work, env)
    port = free_port()
    proc = subprocess.Popen([knoop, "serve", "--with-kvk-testserver"], cwd=work, text=True,
                            env={**env, "KNOOP_NODE_PORT": str(port), "KNOOP_NODE_WORKERS": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pki = work / "var" / "pki"
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "afnemer-demo.pem"), str(pki / "afnemer-demo.key"))
    base = f"https://127.0.0.1:{port}"
    try:
        wait_for_health(base + "/health", ctx, proc)
        envelope = etree.fromstring(EXAMPLE.read_bytes())
        to = envelope.find(f".//{{{WSA}}}To")
        to.text = to.text.replace("https://127.0.0.1:8443", base)
        operation = etree.QName(envelope.find(f"{{{SOAP11_ENV}}}Body")[0]).localname
        with httpx.Client(verify=ctx, timeout=30) as client:
            wsdl = client.get(base + "/stuf/bg0310/BeantwoordVraag?wsdl")
            answer = client.post(base + "/stuf/bg0310/BeantwoordVraag",
                                 content=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
                                 headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{BG}/{operation}"'})
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert wsdl.status_code == 200 and b"definitions" in wsdl.content
    assert answer.status_code == 200, answer.text[:500]
    body = etree.fromstring(answer.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    assert etree.QName(body).localname == "vesLa01"
    schema_registry.validate(body)
    assert body.findall(f"{{{BG}}}antwoord/{{{BG}}}object")
    assert proc.returncode == 0 and "Traceback" not in output, output
