"""suds-community as a backoffice client uses it, on the plain StUF binding with HTTP Basic: it
loads the published WSDL, sends its credentials after the node's 401 challenge, and (with the
attribute plugin of docs/clients.md) gets an La01."""
from __future__ import annotations

import ssl
import urllib.request
import uuid

import pytest

suds = pytest.importorskip("suds")
from suds import WebFault  # noqa: E402
from suds.client import Client  # noqa: E402
from suds.plugin import MessagePlugin  # noqa: E402
from suds.transport.https import HttpAuthenticated  # noqa: E402

from knoop_esb.stuf.ns import STUF  # noqa: E402
from tests.fixtures.node import NODE_OIN  # noqa: E402
from tests.test_stuf_binding_plain import INTERN, KVK, plain_node, wachtwoord_bestand  # noqa: E402,F401

STUF_ATTRIBUTEN = ("entiteittype", "scope", "noValue", "exact", "sleutelVerzendend", "sleutelOntvangend")


class QualifyStufAttributes(MessagePlugin):
    """suds writes attributes declared by ref (StUF:entiteittype, StUF:scope …) without their namespace."""

    def marshalled(self, context):
        envelope = context.envelope
        prefix = envelope.findPrefix(STUF) or "StUF"
        if envelope.resolvePrefix(prefix, None) is None:
            envelope.addPrefix(prefix, STUF)

        def visit(element):
            for attribute in element.attributes:
                if attribute.prefix is None and attribute.name in STUF_ATTRIBUTEN:
                    attribute.prefix = prefix
            for child in element.getChildren():
                visit(child)

        visit(envelope)


def _client(node, pki, plugins=()):
    class Transport(HttpAuthenticated):
        def u2handlers(self):
            return super().u2handlers() + [
                urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(pki.ca)))]

    return Client(node.url("/stuf/bg0310/BeantwoordVraag?wsdl"), cache=None, plugins=list(plugins),
                  transport=Transport(username="demo-intern", password="geheim-uit-bestand"))


def _mac_lv01(client):
    return client.service.macLv01(
        stuurgegevens={"berichtcode": "Lv01", "zender": {"organisatie": INTERN, "applicatie": "CRM"},
                       "ontvanger": {"organisatie": NODE_OIN, "applicatie": "KNOOP"},
                       "referentienummer": uuid.uuid4().hex, "tijdstipBericht": "20261123120000000",
                       "entiteittype": "MAC"},
        parameters={"sortering": 0, "indicatorVervolgvraag": False},
        gelijk={"_entiteittype": "MAC", "kvkNummer": KVK},
        scope={"object": {"_entiteittype": "MAC", "_scope": "alles"}})


def test_suds_loads_the_wsdl_with_every_operation(plain_node, pki):
    methods = set(_client(plain_node, pki).wsdl.services[0].ports[0].methods)
    assert {f"{e}Lv0{n}" for e in ("nnp", "mac", "ves") for n in (1, 3, 5)} <= methods


def test_suds_with_basic_auth_gets_an_la01(plain_node, pki):
    result = _mac_lv01(_client(plain_node, pki, [QualifyStufAttributes()]))
    assert result.stuurgegevens.berichtcode == "La01"
    assert result.antwoord.object[0].kvkNummer == KVK


def test_stock_suds_attributes_are_refused_with_a_clear_fout(plain_node, pki):
    # Unqualified StUF attributes are not schema-valid: a StUF055 Fo02, not a crash.
    with pytest.raises(WebFault, match="entiteittype"):
        _mac_lv01(_client(plain_node, pki))
