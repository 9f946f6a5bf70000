"""spyne 2.14.0 on Python 3.12 and 3.13: import this module before anything imports spyne.

spyne 2.14.0 (the newest release) vendors an old ``six`` (``spyne.util.six``) whose meta-path
importer, which serves ``spyne.util.six.moves.*``, has only the PEP 302 ``find_module`` /
``load_module``. Python 3.12 stopped falling back to those, so ``spyne.util.six.moves`` does not
import and neither does spyne. ``install()`` gives that importer the PEP 451 methods
(``find_spec``, ``create_module``, ``exec_module``) the moment ``spyne.util.six`` has run, before
spyne's package ``__init__`` goes on to import from ``moves``. Aliasing ``spyne.util.six`` to PyPI's
``six`` is no fix: spyne's copy is customised and has functions the real one lacks.

Python 3.13 also removed ``cgi``, which ``spyne.protocol.soap.soap11`` and ``spyne.server.wsgi``
import for ``cgi.parse_header``: the ``legacy-cgi`` dependency (pyproject, Python >= 3.13 only)
provides it, so nothing here handles that.

Both are fixed on spyne's master (arskom/spyne #704: six with ``find_spec``; #713: no ``cgi``)
but not released: the first spyne release after 2.14.0 that carries them makes this module and
``legacy-cgi`` unnecessary. The methods are added on 3.11 too, so every version imports
``moves`` the same (PEP 451) way.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

SIX = "spyne.util.six"


def add_pep451(importer_class: type) -> None:
    """Give six's ``_SixMetaPathImporter`` class the PEP 451 finder/loader methods, built on its
    own ``find_module`` / ``load_module`` (as six 1.16 does)."""
    if "find_spec" in vars(importer_class):
        return

    def find_spec(self, fullname, path=None, target=None):
        if self.find_module(fullname, path) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = self.load_module(spec.name)
        # The import system sets ``__spec__`` on what create_module returns. For a moved module
        # (``moves.collections_abc`` is the real ``collections.abc``) keep the module's own spec,
        # as the PEP 302 path on 3.11 did; exec_module puts it back.
        self.__dict__.setdefault("_own_specs", {})[spec.name] = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # load_module already made the module; only the spec the import system set is undone.
        own = self.__dict__.get("_own_specs", {}).pop(module.__spec__.name, None)
        if own is not None:
            module.__spec__ = own

    importer_class.find_spec = find_spec
    importer_class.create_module = create_module
    importer_class.exec_module = exec_module


class _PatchAfterSix(importlib.abc.MetaPathFinder):
    """Finds ``spyne.util.six`` as the path finder would, and runs add_pep451 on its importer
    class right after the module's code ran (which registers the importer on sys.meta_path)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != SIX:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _SixLoader(spec.loader)
        return spec


class _SixLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        add_pep451(module._SixMetaPathImporter)
        _uninstall()


_finder = _PatchAfterSix()


def _uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def install() -> None:
    """Make the next import of spyne work; idempotent, and a no-op once spyne's six ran."""
    six = sys.modules.get(SIX)
    if six is not None:
        add_pep451(six._SixMetaPathImporter)
    elif _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


install()
