"""knoop_esb.spyne_compat: spyne 2.14.0's vendored six importer gets the PEP 451 methods, and every
module that imports spyne loads it first. (That spyne then serves requests on this Python is what
the rest of the suite shows: every node test goes through it.)"""
from __future__ import annotations

import importlib
import importlib.util
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from knoop_esb import spyne_compat

REPO = Path(__file__).resolve().parent.parent
SPYNE_IMPORT = re.compile(r"^\s*(import spyne|from spyne[. ])", re.M)
COMPAT_IMPORT = re.compile(r"^\s*import knoop_esb\.spyne_compat\b", re.M)


class LegacyImporter:
    """Shaped like six's ``_SixMetaPathImporter``: the PEP 302 ``find_module`` / ``load_module``
    only, serving a package of its own and a submodule that is another, real module."""

    def __init__(self, known: dict[str, types.ModuleType]) -> None:
        self.known_modules = known

    def find_module(self, fullname, path=None):
        return self if fullname in self.known_modules else None

    def load_module(self, fullname):
        if fullname in sys.modules:
            return sys.modules[fullname]
        module = self.known_modules[fullname]
        sys.modules[fullname] = module
        return module

    def is_package(self, fullname):
        return hasattr(self.known_modules[fullname], "__path__")


@pytest.fixture
def legacy_importer():
    package = types.ModuleType("knoop_test_moves")
    package.__path__ = []
    names = ("knoop_test_moves", "knoop_test_moves.json")
    importer_class = type("Importer", (LegacyImporter,), {})
    importer = importer_class({names[0]: package, names[1]: json})
    sys.meta_path.append(importer)
    try:
        yield importer_class
    finally:
        sys.meta_path.remove(importer)
        for name in names:
            sys.modules.pop(name, None)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="3.11 still falls back to find_module")
def test_a_pep302_only_importer_serves_nothing_since_312(legacy_importer):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("knoop_test_moves.json")


def test_add_pep451_makes_the_importer_serve_its_modules(legacy_importer):
    spyne_compat.add_pep451(legacy_importer)
    spyne_compat.add_pep451(legacy_importer)  # idempotent

    assert importlib.import_module("knoop_test_moves.json") is json
    assert importlib.import_module("knoop_test_moves").__spec__.name == "knoop_test_moves"
    # The moved module keeps its own spec (the import system set the alias's spec on it).
    assert json.__spec__.name == "json"
    assert importlib.util.find_spec("knoop_test_moves.nothing") is None


def test_spyne_imports_through_the_shim_in_a_fresh_interpreter():
    script = """
import sys, collections.abc
own_spec = collections.abc.__spec__
import knoop_esb.spyne_compat as compat
assert compat._finder in sys.meta_path
import spyne
from spyne.util import six
from spyne.util.six.moves.urllib.parse import quote
from spyne.protocol.soap import Soap11
assert compat._finder not in sys.meta_path, "the finder removes itself once six ran"
assert "find_spec" in vars(six._SixMetaPathImporter)
assert collections.abc.__spec__ is own_spec
assert quote("a b") == "a%20b"
print("ok", spyne.__version__)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "2.14.0"]


def test_install_after_spyne_is_a_no_op_that_keeps_it_working():
    from spyne.util import six

    spyne_compat.install()
    assert spyne_compat._finder not in sys.meta_path
    assert "find_spec" in vars(six._SixMetaPathImporter)


def test_every_module_importing_spyne_loads_the_shim_first():
    checked = []
    for path in sorted(p for top in ("knoop_esb", "tests", "benchmarks") for p in (REPO / top).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        first_spyne = SPYNE_IMPORT.search(text)
        if first_spyne is None or path == Path(__file__).resolve():
            continue
        compat = COMPAT_IMPORT.search(text)
        assert compat is not None and compat.start() < first_spyne.start(), (
            f"{path.relative_to(REPO)} imports spyne without `import knoop_esb.spyne_compat` before it")
        checked.append(path.name)
    assert {"protocol.py", "services.py"} <= set(checked)
