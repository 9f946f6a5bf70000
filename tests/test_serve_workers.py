"""``knoop-esb serve`` with several worker processes (``node.workers``): they share the port, a
worker that dies is restarted, SIGTERM stops them all, and a port another SO_REUSEPORT server
listens on is refused rather than shared."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.fixtures.node import node_toml
from tests.test_serve_cli import free_port, wait_for_health

pytestmark = pytest.mark.slow


@pytest.fixture
def serve_workers(pki, stuf_schemas_dir, tmp_path):
    procs = []

    def start(workers: int, port: int | None = None) -> tuple[subprocess.Popen, str, object]:
        config = tmp_path / "knoop.toml"
        config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
        port = port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
        env.update(KNOOP_NODE_PORT=str(port), KNOOP_NODE_WORKERS=str(workers), KNOOP_LOGGING_LEVEL="INFO")
        log = tmp_path / f"serve-{len(procs)}.log"
        with log.open("w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                                    stdout=out, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
        procs.append(proc)
        return proc, f"https://127.0.0.1:{port}", log

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


def test_two_workers_share_the_port_restart_and_stop(serve_workers, pki):
    proc, base, log = serve_workers(2)
    ctx = pki.client_context("afnemer-demo")
    wait_for_health(base + "/health", ctx, proc)
    _wait_for(lambda: "2 worker processes" in log.read_text())
    workers = _children(proc.pid)
    assert len(workers) == 3, log.read_text()  # two server workers and the delivery worker
    text = log.read_text()
    assert "worker=0" in text and "worker=1" in text

    os.kill(workers[0], signal.SIGKILL)
    _wait_for(lambda: "worker died; restarting" in log.read_text())
    _wait_for(lambda: len(_children(proc.pid)) == 3 and workers[0] not in _children(proc.pid))
    for _ in range(6):  # new connections keep being answered while and after a worker is replaced
        assert wait_for_health(base + "/health", ctx, proc).status_code == 200

    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    output = log.read_text()
    assert proc.returncode == 0, output
    assert "knoop-esb stopped" in output and "Traceback" not in output
    assert all(not os.path.exists(f"/proc/{pid}") or _zombie(pid) for pid in _children(proc.pid))


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"
    except OSError:
        return True


def test_one_worker_is_a_single_process(serve_workers, pki):
    proc, base, log = serve_workers(1)
    wait_for_health(base + "/health", pki.client_context("afnemer-demo"), proc)
    assert _children(proc.pid) == []
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == 0
    assert "worker processes" not in log.read_text()


def test_port_of_another_reuseport_server_is_refused(serve_workers):
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        proc, _base, log = serve_workers(2, port=other.getsockname()[1])
        proc.wait(timeout=60)
    output = log.read_text()
    assert proc.returncode == 1, output
    assert "cannot listen on 127.0.0.1:" in output and "Traceback" not in output


def test_settle_heap_freezes_what_was_built_and_raises_the_young_threshold():
    """Run in a fresh interpreter: the collector's settings are process-wide."""
    code = ("import gc; from knoop_esb.endpoints.workers import GC_GEN0_THRESHOLD, settle_heap; "
            "settle_heap(); print(gc.get_freeze_count() > 1000, gc.get_threshold()[0] == GC_GEN0_THRESHOLD)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True"], done.stderr
