"""README's promise: in a fresh clone, `make run` brings up a node that answers /health over
mutual TLS with the PKI it made itself. Clones the committed HEAD, so it tests what others get."""
from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.pki import REPO
from tests.fixtures.stuf import SHARED_STUF
from tests.test_serve_cli import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _this_python() -> str:
    """The interpreter running the suite (outside its venv): the clone is made on the same version."""
    return getattr(sys, "_base_executable", sys.executable)


def test_make_run_in_a_fresh_clone(tmp_path):
    clone = tmp_path / "knoop-esb"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_") and k not in ("MAKEFLAGS", "MFLAGS")}
    env.update(KNOOP_NODE_PORT=str(port), KNOOP_LOGGING_LEVEL="INFO")
    log_path = tmp_path / "make-run.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            ["make", "run", f"PYTHON={_this_python()}", f"STUF_SOURCE={SHARED_STUF}"],
            cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        pki = clone / "var" / "pki"
        response = _wait_for_health(proc, pki, f"https://127.0.0.1:{port}/health", log_path)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ok", response.text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # make and the node it started: our own process group
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    output = log_path.read_text()
    assert f"knoop-esb: Python {platform.python_version()}" in output
    assert "knoop-esb listening on" in output and "KVK test source: http://127.0.0.1:" in output
    assert "Traceback" not in output


def _wait_for_health(proc, pki: Path, url: str, log_path: Path, timeout: float = 1000) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"make run exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}")
        if (pki / "ca.pem").exists() and (pki / "afnemer-demo.key").exists():
            import ssl

            ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            ctx.load_cert_chain(str(pki / "afnemer-demo.pem"), str(pki / "afnemer-demo.key"))
            try:
                with httpx.Client(verify=ctx, timeout=5) as client:
                    return client.get(url)
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            raise AssertionError(f"no /health within {timeout}s:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.5)
