"""``knoop-esb serve`` as an operator runs it: a subprocess that prints where it listens and what it
knows, answers /health over mutual TLS, and stops cleanly on SIGTERM and SIGINT."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.fixtures.node import node_toml

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(url: str, ctx, proc: subprocess.Popen, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with httpx.Client(verify=ctx, timeout=5) as client:
                return client.get(url)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def serve(pki, stuf_schemas_dir, tmp_path):
    procs = []

    def start(*args: str, **extra_env: str) -> tuple[subprocess.Popen, str]:
        config = tmp_path / "knoop.toml"
        config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
        env.update(KNOOP_NODE_PORT=str(port), KNOOP_LOGGING_LEVEL="INFO", **extra_env)
        proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=tmp_path)
        procs.append(proc)
        return proc, f"https://127.0.0.1:{port}"

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_health_and_stops_cleanly(serve, pki, signum):
    proc, base = serve()
    response = wait_for_health(base + "/health", pki.client_context("afnemer-demo"), proc)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    proc.send_signal(signum)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"knoop-esb listening on {base}" in output
    assert f"{base}/stuf/bg0310/BeantwoordVraag?wsdl" in output
    assert "afnemer 00000099000000000001 profiel 2W-be" in output
    assert "afnemer 00000099000000000002 profiel 2W-be-S" in output
    assert "knoop-esb stopped" in output
    assert "wal checkpoints in the background" in output  # SQLite store: one checkpointer per node
    assert "Traceback" not in output


def test_serve_with_kvk_testserver_prints_and_uses_it(serve, pki):
    proc, base = serve("--with-kvk-testserver")
    wait_for_health(base + "/health", pki.client_context("afnemer-demo"), proc)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    line = next(line for line in output.splitlines() if line.startswith("KVK test source: "))
    assert line.startswith("KVK test source: http://127.0.0.1:")
    test_source = line.removeprefix("KVK test source: ")
    assert f"  KVK                {test_source} (built-in test source: fictitious companies)" in output


def test_serve_with_kvk_testserver_keeps_a_configured_kvk(serve, pki):
    """`make run` passes --with-kvk-testserver; an operator's KNOOP_KVK_BASE_URL must win."""
    configured = "https://api.kvk.example:4443"
    proc, base = serve("--with-kvk-testserver", KNOOP_KVK_BASE_URL=configured)
    wait_for_health(base + "/health", pki.client_context("afnemer-demo"), proc)
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "KVK test source" not in output
    assert f"  KVK                {configured} (kvk.base_url)" in output


def test_serve_with_missing_certificate_is_one_line_error(tmp_path):
    config = tmp_path / "knoop.toml"
    config.write_text(f'[node]\ndata_dir = "{tmp_path}"\nport = {free_port()}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")})
    assert proc.returncode == 2
    assert "tls.certificate" in proc.stderr and "make pki" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_on_a_port_in_use_is_one_line_error(pki, stuf_schemas_dir, tmp_path):
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
        env["KNOOP_NODE_PORT"] = str(busy.getsockname()[1])
        proc = subprocess.run([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "cannot listen on 127.0.0.1:" in proc.stderr and "Traceback" not in proc.stderr
