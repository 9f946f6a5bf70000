"""zeep loads the official StUF-BG WSDL once zeep_compat is applied (python-zeep #803/#987)."""
from pathlib import Path

import pytest
import zeep

from knoop_esb.digikoppeling import zeep_compat

SHARED = Path("/work/shared/stuf")
WSDL = SHARED / "bg0310/vraagAntwoord/bg0310_beantwoordVraag_vraagAntwoord.wsdl"
BG = "http://www.egem.nl/StUF/sector/bg/0310"
GML = "http://www.opengis.net/gml"


@pytest.fixture(scope="module")
def stuf_bg_client():
    if not WSDL.exists():
        pytest.skip(f"official StUF-BG WSDL not present at {WSDL}")
    zeep_compat.apply()
    return zeep.Client(str(WSDL))


def test_apply_is_idempotent():
    zeep_compat.apply()
    first = zeep.xsd.types.unresolved.UnresolvedCustomType.resolve
    zeep_compat.apply()
    assert zeep.xsd.types.unresolved.UnresolvedCustomType.resolve is first
    assert zeep_compat.is_applied()


def test_official_beantwoordvraag_wsdl_loads(stuf_bg_client):
    binding = stuf_bg_client.wsdl.bindings[f"{{{BG}}}SOAPBeantwoordVraag"]
    operation = binding.get("nnpLv01")
    assert operation.soapaction == f"{BG}/nnpLv01"
    assert operation.output.body.qname == f"{{{BG}}}nnpLa01"


def test_restricted_list_type_keeps_its_item_type(stuf_bg_client):
    count_extent = stuf_bg_client.get_type(f"{{{GML}}}CountExtentType")
    # gml:integerOrNull is a union of integer, NullEnumeration and anyURI: zeep keeps the text.
    assert count_extent.xmlvalue(["1", "unknown"]) == "1 unknown"
    assert count_extent.pythonvalue("3 4") == ["3", "4"]
