"""Whatever comes back from KVK (any status, any body), the client raises a KvkError or returns a
dict: never a stray exception. KVK is the internet here, so a mock transport plays it."""
from __future__ import annotations

import json

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from knoop_esb.routing.sources.kvk_api import KvkApiClient
from knoop_esb.routing.sources.kvk_errors import KvkError
from knoop_esb.routing.sources.kvk_http import KvkTransport, RetryPolicy
from knoop_esb.routing.sources.kvk_recorder import InMemoryRecorder

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["fout", "code", "omschrijving", "kvkNummer", "resultaten", "totaal", "signalen",
                         "totaalPaginas", "title", "detail", "vestigingen", "totaalAantalVestigingen"]),
        inner, max_size=4),
    max_leaves=10)
KEYS = ["fout", "code", "omschrijving", "kvkNummer", "resultaten", "totaal", "signalen", "totaalPaginas",
        "vestigingen", "totaalAantalVestigingen", "vestigingsnummer", "adres", "binnenlandsAdres", "plaats",
        "id", "_links", "links"]
objects = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)
# Top-level objects with KVK's keys whose values are lists of objects with KVK's keys: the shapes
# that get past the first checks and reach the code that walks them.
near_kvk = st.dictionaries(st.sampled_from(KEYS), st.one_of(json_values, st.lists(objects, max_size=3)), max_size=6)
bodies = st.one_of(near_kvk.map(lambda v: json.dumps(v).encode()),
                   json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40))
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 406, 429, 500, 502, 503])


@settings(max_examples=200, deadline=None)
@given(status=statuses, body=bodies, call=st.sampled_from(["zoeken", "zoeken_alle", "basisprofiel", "vestigingen", "signalen"]))
def test_elk_antwoord_is_dict_of_kvkerror(status, body, call):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    client = KvkApiClient(KvkTransport("https://api.kvk.nl", "sleutel", key_id="k", recorder=InMemoryRecorder(),
                                       retry=RetryPolicy(2, 1.0, 0.0001, 0.0001),
                                       http=httpx.Client(transport=transport)))
    try:
        if call == "zoeken":
            result = client.zoeken(naam="x")
        elif call == "zoeken_alle":
            result = list(client.zoeken_alle(naam="x"))
        elif call == "basisprofiel":
            result = client.basisprofiel("68750110")
        elif call == "vestigingen":
            result = client.vestigingen("68750110")
        else:
            from datetime import datetime, timezone

            result = list(client.signalen("a", datetime(2026, 1, 1, tzinfo=timezone.utc),
                                          datetime(2026, 1, 2, tzinfo=timezone.utc)))
        assert isinstance(result, (dict, list))
    except KvkError:
        pass
    finally:
        client.close()
