"""Golden La01 files: what the node answers to the questions a permits application asks, against
the built-in KVK test source. Variable stuurgegevens (referentienummer, tijdstipBericht,
crossRefnummer) are blanked. Regenerate with KNOOP_GOLDEN_UPDATE=1 after a deliberate change."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV, STUF
from tests.fixtures.node import soap_envelope, soap_post
from tests.fixtures.vraag import AFNEMER, lv01

GOLDEN = Path(__file__).parent / "golden" / "vraag"
PAD = "/stuf/bg0310/BeantwoordVraag"

VRAGEN = {
    "mac_kvknummer": lambda: lv01("MAC", {"kvkNummer": "68750110"}, referentie="golden-1"),
    "ves_vestigingsnummer": lambda: lv01("VES", {"vestigingsNummer": "000037143557"}, referentie="golden-2"),
    "ves_kvknummer_sortering2": lambda: lv01("VES", {"oefentActiviteitenUitVoor/gerelateerde/kvkNummer": "90003942"},
                                             sortering=2, maximum=2, referentie="golden-3"),
    "ves_handelsnaam_woonplaats": lambda: lv01(
        "VES", {"handelsnaam": ("Katrien", False), "verblijfsadres/wpl.woonplaatsNaam": "'s-Hertogenbosch"},
        sortering=2, maximum=100, scope=["vestigingsNummer", "handelsnaam", "verblijfsadres/aoa.postcode"],
        referentie="golden-4"),
    "nnp_niet_gevonden": lambda: lv01("NNP", {"inn.nnpId": "999999990"}, referentie="golden-5"),
}


def _normaliseer(la01: etree._Element) -> bytes:
    la01 = etree.fromstring(etree.tostring(la01))
    for naam in ("referentienummer", "tijdstipBericht", "crossRefnummer"):
        for el in la01.iter(f"{{{STUF}}}{naam}"):
            el.text = "…"
    etree.cleanup_namespaces(la01)  # spyne declares its own prefixes on the body element
    etree.indent(la01)
    return etree.tostring(la01, encoding="UTF-8")


@pytest.mark.parametrize("naam", sorted(VRAGEN))
def test_golden_la01(vraag_node, schema_registry, naam):
    body = VRAGEN[naam]()
    with vraag_node.client() as client:
        envelope = soap_envelope(body, to=vraag_node.url(PAD), sender_oin=AFNEMER)
        response = soap_post(client, vraag_node.url(PAD), envelope, f"{BG}/{etree.QName(body).localname}")
    assert response.status_code == 200, response.text
    la01 = etree.fromstring(response.content).find(f"{{{SOAP11_ENV}}}Body")[0]
    schema_registry.validate(la01)
    gekregen = _normaliseer(la01)
    bestand = GOLDEN / f"{naam}.xml"
    if os.environ.get("KNOOP_GOLDEN_UPDATE") or not bestand.exists():
        bestand.write_bytes(gekregen)
    assert gekregen.decode() == bestand.read_text(encoding="utf-8")
