"""The Lv01 ``<scope>`` as the transform emitter's :class:`~knoop_esb.transform.scope.Scope`.

The emitter owns what a scope means for an object; this module only adds the vraag-side rule the
emitter cannot see: StUF:scope together with content is StUF097 (StUF 03.01 §6.3.3). Without a
``<scope>`` the node chooses: everything except metagegevens.
"""
from __future__ import annotations

from lxml import etree

from knoop_esb.stuf import foutcodes
from knoop_esb.stuf.fouten import StufFout
from knoop_esb.stuf.ns import STUF, q
from knoop_esb.transform.scope import Scope, uit_object

ZONDER_SCOPE = Scope(metagegevens=False)
# Selection, sortering and paging look at these objects; the answer is cut to the vraag's scope.
VOLLEDIG = Scope()


def parse(scope: etree._Element | None, entiteittype: str) -> Scope:
    if scope is None:
        return ZONDER_SCOPE
    obj = next((c for c in scope if isinstance(c.tag, str)), None)
    if obj is None:
        return ZONDER_SCOPE
    if obj.get(q(STUF, "scope")) and any(isinstance(c.tag, str) for c in obj):
        raise StufFout(foutcodes.STUF097)
    return uit_object(obj)
