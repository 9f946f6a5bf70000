"""Make zeep load the official StUF-BG 03.10 WSDLs.

The StUF-BG schemas import GML 3.1.1, whose ``gml:CountExtentType`` is a ``simpleType`` that
*restricts a list type* (``gml:integerOrNullList``). zeep 4.3 builds such a restriction by calling
the list class with the restricting type's QName as its item type, so resolving the schema ends in
``AttributeError: 'lxml.etree.QName' object has no attribute 'resolve'`` (python-zeep #803, #987).

:func:`apply` replaces that one resolve step so a restriction of a list keeps the base list's item
type. It is idempotent and changes nothing else; every zeep client in the node calls it first.

Second trap: parsing a *repeating sequence whose members are all optional* (BG's VES-antwoord and
MAC-antwoord: ``<sequence maxOccurs="unbounded">`` of handelsnaam/handelsnaamVerkort/volgorde)
never ends in zeep 4.3: an iteration that consumes no element is appended and repeated forever.
:func:`apply` also makes such a sequence stop at the first iteration that consumed nothing. The
same sequence with a *required* first member (the mutatie schema's MAC-/VES-kennisgeving) raises
in strict mode at the element after its last occurrence: an occurrence that would start with an
unexpected element, once the sequence may end there, ends it instead.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from zeep.xsd.elements import indicators as _indicators
from zeep.exceptions import UnexpectedElementError
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

_original_sequence_parse = _indicators.Sequence.parse_xmlelements


def _sequence_parse(self, xmlelements, schema, name=None, context=None):
    """zeep's Sequence.parse_xmlelements plus one rule: an occurrence that consumed nothing ends it."""
    if not self.accepts_multiple:
        return _original_sequence_parse(self, xmlelements, schema, name, context)
    result = []
    for _unused in _indicators.max_occurs_iter(self.max_occurs):
        before = len(xmlelements)
        if not before:
            break
        item_result = OrderedDict()
        geeindigd = False
        for elm_name, element in self.elements:
            try:
                item_subresult = element.parse_xmlelements(xmlelements, schema, name, context=context)
            except UnexpectedElementError:
                if len(xmlelements) == before and (result or not self.min_occurs):
                    geeindigd = True  # the next element is not another occurrence: the sequence ended
                    break
                if schema.settings.strict:
                    raise
                item_subresult = None
            if isinstance(element, _indicators.OrderIndicator):
                item_result.update(item_subresult)
            else:
                item_result[elm_name] = item_subresult
            if not xmlelements:
                break
        if geeindigd or len(xmlelements) == before:
            break
        if item_result:
            result.append(item_result)
    return {name: result}


setattr(_sequence_parse, _MARK, True)


def is_applied() -> bool:
    return getattr(_unresolved.UnresolvedCustomType.resolve, _MARK, False)


def apply() -> None:
    """Patch zeep once per process (safe to call any number of times, from any thread)."""
    with _lock:
        if not is_applied():
            _unresolved.UnresolvedCustomType.resolve = _resolve
        if not getattr(_indicators.Sequence.parse_xmlelements, _MARK, False):
            _indicators.Sequence.parse_xmlelements = _sequence_parse
