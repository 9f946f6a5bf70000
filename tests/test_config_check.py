"""Configuration mistakes caught before serving: `knoop-esb config check` opens every file the
configuration names, and every mistake is one line naming its key or path, with its exit code
(2 for configuration); `serve` refuses a broken key or file the same way, never with a traceback."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from knoop_esb.cli import main
from tests.fixtures.node import node_toml


@pytest.fixture
def configured(pki, stuf_schemas_dir, tmp_path, monkeypatch, capsys):
    """``check(tls={...}, env={...}, command=("config", "check"))`` → (exit code, stdout, stderr)."""
    for name in [n for n in os.environ if n.startswith("KNOOP_")]:
        monkeypatch.delenv(name)

    def check(*, tls: dict | None = None, env: dict | None = None, command=("config", "check")):
        path = tmp_path / "knoop.toml"
        path.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
        # [tls] keys replaced through their variables (node_toml already sets every one).
        tls_env = {f"KNOOP_TLS_{k.upper()}": ",".join(v) if isinstance(v, list) else v for k, v in (tls or {}).items()}
        for name, value in ({**tls_env, **(env or {})}).items():
            monkeypatch.setenv(name, value)
        code = main(["--config", str(path), *command])
        out, err = capsys.readouterr()
        return code, out, err

    return check


def _self_signed(tmp_path: Path, days: int) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST Root expiring soon")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / f"root-{days}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_the_example_configuration_is_ok(configured):
    code, out, err = configured()
    assert code == 0, out + err
    assert out.strip().endswith(".toml)") and "configuration ok" in out
    assert "error" not in out


def _one_error(out: str) -> str:
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, out
    return errors[0]


def test_missing_certificate(configured, tmp_path):
    code, out, _ = configured(tls={"certificate": str(tmp_path / "absent.pem")})
    assert code == 2
    assert _one_error(out) == f"error: tls.certificate: file {tmp_path / 'absent.pem'} does not exist (make the example PKI with `make pki`)"


def test_certificate_that_is_not_pem(configured, tmp_path):
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    code, out, _ = configured(tls={"certificate": str(tmp_path / "junk.pem")})
    assert code == 2
    assert _one_error(out) == f"error: tls.certificate: {tmp_path / 'junk.pem'} is not a PEM (or DER) certificate file"


def test_key_of_another_certificate(configured, pki):
    code, out, _ = configured(tls={"private_key": str(pki.key("afnemer-demo"))})
    assert code == 2
    assert _one_error(out) == (f"error: tls.private_key: {pki.key('afnemer-demo')} is not the key of the "
                               f"certificate in {pki.cert('server')}")


def test_key_that_is_not_pem(configured, tmp_path):
    (tmp_path / "junk.key").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    code, out, _ = configured(tls={"private_key": str(tmp_path / "junk.key")})
    assert code == 2
    assert _one_error(out) == f"error: tls.private_key: {tmp_path / 'junk.key'} is not a PEM private key"


def test_crl_that_is_not_a_crl(configured, pki, tmp_path):
    (tmp_path / "junk.crl").write_bytes(b"\x30\x03\x02\x01")
    code, out, _ = configured(tls={"crl_files": [str(p) for p in pki.crls] + [str(tmp_path / "junk.crl")]})
    assert code == 2
    assert _one_error(out) == f"error: tls.crl_files: {tmp_path / 'junk.crl'} is not a PEM or DER CRL"


def test_trust_anchor_expiring_within_30_days_is_a_warning(configured, pki, tmp_path):
    bundle = tmp_path / "anchors.pem"
    bundle.write_bytes(pki.ca.read_bytes() + _self_signed(tmp_path, days=10).read_bytes())
    code, out, _ = configured(tls={"trust_anchors": str(bundle)})
    assert code == 0, out
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, out
    assert warnings[0].startswith("warning: tls.trust_anchors: certificate CN=TEST Root expiring soon in ")
    assert "(in 9 days)" in warnings[0] or "(in 10 days)" in warnings[0]


@pytest.mark.parametrize("url, message", [
    ("postgres://knoop:pw@127.0.0.1/knoop", "database.url: postgres:// is not a SQLAlchemy dialect; write postgresql+psycopg://"),
    ("postgresql+asyncpg://knoop:pw@127.0.0.1/knoop", "database.url: driver postgresql+asyncpg needs the Python module asyncpg"),
    ("postgresql+psycopg_async://knoop:pw@127.0.0.1/knoop", "database.url: postgresql+psycopg_async is an asyncio driver"),
    ("mysql+pymysql://knoop:pw@127.0.0.1/knoop", "database.url: unsupported database 'mysql'"),
    ("nonsense", "database.url: not a database URL"),
])
def test_database_url_the_node_cannot_use(configured, url, message):
    code, out, err = configured(env={"KNOOP_DATABASE_URL": url})
    assert code == 2 and out == ""
    assert err.startswith(f"knoop-esb: configuration error: {message}") and err.count("\n") == 1


def test_typo_in_a_knoop_variable_is_named(configured):
    code, out, _ = configured(env={"KNOOP_KVK_BASEURL": "https://api.kvk.nl"})
    assert code == 2
    assert _one_error(out) == ("error: KNOOP_KVK_BASEURL: not a configuration variable; "
                               "probable typo of KNOOP_KVK_BASE_URL (kvk.base_url)")


def test_typo_warns_on_other_commands_and_unrelated_variables_pass(configured):
    code, _, err = configured(env={"KNOOP_DATABSE_URL": "x", "KNOOP_GOLDEN_UPDATE": "1"}, command=("config", "show"))
    assert code == 0
    assert err == ("knoop-esb: warning: KNOOP_DATABSE_URL: not a configuration variable; "
                   "probable typo of KNOOP_DATABASE_URL (database.url)\n")


def test_wrong_config_path_is_blamed_on_the_option(tmp_path, capsys):
    code = main(["--config", str(tmp_path / "knop.toml"), "config", "check"])
    assert code == 2
    assert capsys.readouterr().err == f"knoop-esb: configuration error: --config: file {tmp_path / 'knop.toml'} does not exist\n"
    code = main(["--config", str(tmp_path), "config", "check"])
    assert code == 2
    assert capsys.readouterr().err == f"knoop-esb: configuration error: --config: {tmp_path} is a directory, not a configuration file\n"


def _serve(config: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")} | env
    return subprocess.run([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve"],
                          capture_output=True, text=True, cwd=cwd, timeout=60, env=environ)


@pytest.mark.parametrize("key, broken", [("private_key", "afnemer"), ("private_key", "junk"), ("certificate", "junk"),
                                         ("trust_anchors", "junk")])
def test_serve_refuses_broken_tls_material_in_one_line(pki, stuf_schemas_dir, tmp_path, key, broken):
    (tmp_path / "junk.pem").write_text("garbage\n")
    path = pki.key("afnemer-demo") if broken == "afnemer" else tmp_path / "junk.pem"
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
    proc = _serve(config, tmp_path, **{f"KNOOP_TLS_{key.upper()}": str(path)})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"knoop-esb: configuration error: tls.{key}: {path} ")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_pki_make_writes_the_example_pki_and_is_idempotent(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["pki", "make", "--out", str(tmp_path / "pki")]) == 0
    assert "test PKI written to" in capsys.readouterr().out
    for name in ("ca.pem", "server.pem", "server.key", "tsp.crl", "afnemer-demo.pem"):
        assert (tmp_path / "pki" / name).is_file()
    assert main(["pki", "make", "--out", str(tmp_path / "pki")]) == 0
    assert "nothing to do" in capsys.readouterr().out
    (tmp_path / "file").write_text("")
    assert main(["pki", "make", "--out", str(tmp_path / "file" / "pki")]) == 1
    assert capsys.readouterr().err.startswith(f"knoop-esb: cannot write the example PKI to {tmp_path / 'file' / 'pki'}: ")


def test_mapping_convert_into_a_closed_pipe_ends_quietly(tmp_path, stuf_schemas_dir):
    config = tmp_path / "knoop.toml"
    config.write_text(f'[schemas]\ndir = "{stuf_schemas_dir}"\n')
    source = Path(__file__).parent / "golden" / "transform" / "input" / "nv.json"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    proc = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "mapping", "convert", str(source)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=tmp_path)
    proc.stdout.close()  # as `| head` does once it has its lines
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert err == b""
