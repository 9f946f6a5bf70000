"""`knoop-esb schemas install SOURCE` from a directory, a zip (nested one level) and an http URL;
incomplete bundles are refused with a one-line error and leave the previous install alone."""
import shutil
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knoop_esb.cli import main
from knoop_esb.stuf.install import InstallFout, install, installed_info, missing_files
from knoop_esb.stuf.schemas import MARKER, WRAPPERS, SchemaRegistry
from tests.fixtures.stuf import SHARED_STUF

pytestmark = pytest.mark.skipif(not SHARED_STUF.is_dir(), reason="needs the StUF bundle beside the repo")


def _zip(tree: Path, zip_path: Path, prefix: str) -> Path:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and path.suffix != ".pdf":  # keeps the test quick; the installer skips them anyway
                archive.write(path, f"{prefix}{path.relative_to(tree).as_posix()}")
    return zip_path


def _assert_installed(dest: Path):
    assert (dest / MARKER).is_file()
    for wrapper in WRAPPERS:
        assert (dest / wrapper.bestand).is_file()
    assert (dest / "bg0310/vraagAntwoord/bg0310_msg_vraagAntwoord.xsd").is_file()
    assert (dest / "0301/stuf0301.xsd").is_file()
    assert not list(dest.rglob("*.pdf"))
    counts = SchemaRegistry(dest).compile_all()
    assert counts["vraagAntwoord"] > 500 and counts["mutatie"] > 300 and counts["stuf0301"] >= 10


def test_install_from_directory_is_idempotent(tmp_path):
    dest = tmp_path / "data" / "schemas"
    first = install(str(SHARED_STUF), dest, progress=False)
    _assert_installed(dest)
    assert first.bestanden > 50 and first.dir == dest
    assert installed_info(dest)["source"] == str(SHARED_STUF.resolve())
    (dest / "stray.txt").write_text("left from an old install")
    second = install(str(SHARED_STUF), dest, progress=False)
    _assert_installed(dest)
    assert second.bestanden == first.bestanden
    assert not (dest / "stray.txt").exists()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["schemas"]


def test_install_from_zip_nested_one_level(tmp_path):
    zip_path = _zip(SHARED_STUF, tmp_path / "bg0310_20170705.zip", "bg0310_20170705/")
    dest = tmp_path / "schemas"
    result = install(str(zip_path), dest, progress=False)
    _assert_installed(dest)
    assert result.bron.endswith("bg0310_20170705.zip")


def test_install_from_flat_zip(tmp_path):
    dest = tmp_path / "schemas"
    install(str(_zip(SHARED_STUF, tmp_path / "flat.zip", "")), dest, progress=False)
    _assert_installed(dest)


@pytest.fixture
def zip_server(tmp_path):
    served = tmp_path / "www"
    served.mkdir()
    _zip(SHARED_STUF, served / "bundle.zip", "StUF-BG/docs/")
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_install_from_url(tmp_path, zip_server):
    dest = tmp_path / "schemas"
    install(f"{zip_server}/bundle.zip", dest, progress=False)
    _assert_installed(dest)
    with pytest.raises(InstallFout, match="HTTP 404"):
        install(f"{zip_server}/nope.zip", tmp_path / "other", progress=False)


@pytest.fixture
def incomplete(tmp_path):
    tree = tmp_path / "bundle"
    shutil.copytree(SHARED_STUF, tree, ignore=shutil.ignore_patterns("*.pdf", "*.txt"))
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (tree / "bg0310/entiteiten/bg0310_simpleTypes.xsd").unlink()
    return tree


def test_incomplete_bundle_names_what_is_missing(incomplete, tmp_path):
    assert missing_files(incomplete) == [
        "bg0310/entiteiten/bg0310_simpleTypes.xsd (imported by bg0310/entiteiten/bg0310_ent_basis.xsd)"
    ]
    with pytest.raises(InstallFout) as exc:
        install(str(incomplete), tmp_path / "schemas", progress=False)
    assert "bg0310/entiteiten/bg0310_simpleTypes.xsd" in str(exc.value)
    assert not (tmp_path / "schemas").exists()


def test_cli_install_incomplete_is_one_line_exit_1_and_keeps_previous(incomplete, tmp_path, capsys):
    dest = tmp_path / "schemas"
    assert main(["schemas", "install", str(SHARED_STUF), "--dest", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"into {dest}" in out and "vraagAntwoord: compiled" in out
    before = (dest / MARKER).read_text()
    assert main(["schemas", "install", str(incomplete), "--dest", str(dest)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("knoop-esb: ") and "bg0310_simpleTypes.xsd" in err
    assert (dest / MARKER).read_text() == before


def test_cli_check(tmp_path, capsys, monkeypatch):
    dest = tmp_path / "schemas"
    monkeypatch.setenv("KNOOP_SCHEMAS_DIR", str(dest))
    config = tmp_path / "knoop.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("KNOOP_CONFIG", str(config))
    assert main(["schemas", "check"]) == 1
    assert "schemas install" in capsys.readouterr().err
    assert main(["schemas", "install", str(SHARED_STUF)]) == 0
    capsys.readouterr()
    assert main(["schemas", "check"]) == 0
    assert "ok (source" in capsys.readouterr().out


@pytest.mark.parametrize("source", ["/nonexistent/stuf", "http://127.0.0.1:9/bundle.zip"])
def test_bad_sources(tmp_path, source):
    with pytest.raises(InstallFout):
        install(source, tmp_path / "schemas", progress=False)


def test_not_a_zip_and_no_bundle(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InstallFout, match="not a readable zip"):
        install(str(junk), tmp_path / "schemas", progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InstallFout, match="no StUF-BG 03.10 bundle"):
        install(str(empty), tmp_path / "schemas", progress=False)


def test_zip_with_escaping_path_is_refused(tmp_path):
    zip_path = _zip(SHARED_STUF, tmp_path / "evil.zip", "")
    with zipfile.ZipFile(zip_path, "a") as archive:
        archive.writestr("../../evil.xsd", "<x/>")
    with pytest.raises(InstallFout, match="unsafe path"):
        install(str(zip_path), tmp_path / "schemas", progress=False)
    assert not (tmp_path.parent / "evil.xsd").exists()
