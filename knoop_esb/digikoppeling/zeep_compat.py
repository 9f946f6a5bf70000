"""Make zeep load the official StUF-BG 03.10 WSDLs.

The StUF-BG schemas import GML 3.1.1, whose ``gml:CountExtentType`` is a ``simpleType`` that
*restricts a list type* (``gml:integerOrNullList``). zeep 4.3 builds such a restriction by calling
the list class with the restricting type's QName as its item type, so resolving the schema ends in
``AttributeError: 'lxml.etree.QName' object has no attribute 'resolve'`` (python-zeep #803, #987).

:func:`apply` replaces that one resolve step so a restriction of a list keeps the base list's item
type. It is idempotent and changes nothing else; every zeep client in the node calls it first.
"""
from __future__ import annotations

import threading

from zeep.xsd.types import collection as _collection
from zeep.xsd.types import unresolved as _unresolved

__all__ = ["apply", "is_applied"]

_lock = threading.Lock()
_MARK = "_knoop_esb_patched"
_original_resolve = _unresolved.UnresolvedCustomType.resolve


def _resolve(self):
    base = self.base_type.resolve()
    if isinstance(base, _collection.ListType):
        # A restriction of a list (facets like length) is still that list of the same items.
        xsd_type = type(self.name, (base.__class__,), {"__module__": "zeep.xsd.dynamic_types"})
        return xsd_type(base.item_type)
    return _original_resolve(self)


setattr(_resolve, _MARK, True)


def is_applied() -> bool:
    return getattr(_unresolved.UnresolvedCustomType.resolve, _MARK, False)


def apply() -> None:
    """Patch zeep once per process (safe to call any number of times, from any thread)."""
    with _lock:
        if not is_applied():
            _unresolved.UnresolvedCustomType.resolve = _resolve
