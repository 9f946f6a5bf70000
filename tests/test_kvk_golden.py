"""Golden shape check: the test source answers with the same keys and JSON types as KVK's real
answers recorded in MinBZK/kvk-connect's fixtures (read at test time from /work/shared; skipped
when that copy is absent). Values differ (other companies); shapes must not."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

FIXTURES = Path("/work/shared/kvk/fixtures-kvk-connect")


def _fixture(name: str) -> dict:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return json.loads(path.read_text(encoding="utf-8"))


def shape_differences(expected, actual, where: str = "$") -> list[str]:
    """Keys of ``expected`` missing from ``actual`` and JSON type mismatches, recursively; list
    items of ``expected`` are compared with the union of ``actual``'s items."""
    if expected is None or actual is None:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: object expected, got {type(actual).__name__}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += shape_differences(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: array expected, got {type(actual).__name__}"]
        if not expected or not actual:
            return []
        merged = _merge(actual)
        return [p for item in expected[:3] for p in shape_differences(item, merged, f"{where}[]")]
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if isinstance(expected, bool) == isinstance(actual, bool) else [f"{where}: boolean mismatch"]
    if isinstance(expected, (int, float)):
        return [] if isinstance(actual, (int, float)) else [f"{where}: number expected, got {actual!r}"]
    return [] if isinstance(actual, str) else [f"{where}: string expected, got {actual!r}"]


def _merge(items: list):
    if not all(isinstance(i, dict) for i in items):
        return items[0]
    merged: dict = {}
    for item in items:
        for key, value in item.items():
            merged.setdefault(key, value)
    return merged


def test_basisprofiel_vorm(kvk_client):
    actual = kvk_client.basisprofiel("68750110", geo_data=True)
    assert shape_differences(_fixture("test_input_basisprofiel.json"), actual) == []


def test_vestigingsprofiel_vorm(kvk_client):
    # the fixture has a postbus address and an ended registration, like the ceased VOF's vestiging
    actual = kvk_client.vestigingsprofiel("990099100029", geo_data=True)
    assert shape_differences(_fixture("test_input_vestigingsprofielen.json"), actual) == []


def test_vestigingen_vorm(kvk_client):
    assert shape_differences(_fixture("test_input_vestigingen.json"), kvk_client.vestigingen_lijst("68750110")) == []


def test_abonnementen_vorm(kvk_client):
    assert shape_differences(_fixture("test_input_mutatie_abonnement.json"), kvk_client.abonnementen()) == []


def test_signalen_vorm(kvk_client):
    abonnement = kvk_client.abonnementen()["abonnementen"][0]["id"]
    vanaf = datetime(2026, 2, 1, tzinfo=timezone.utc)
    actual = kvk_client.signalen_pagina(abonnement, vanaf, vanaf + timedelta(hours=2), aantal=100)
    assert shape_differences(_fixture("test_input_mutatiesignalen_api.json"), actual) == []


def test_vormvergelijking_vindt_afwijkingen():
    assert shape_differences({"a": {"b": 1}}, {"a": {}}) == ["$.a.b: missing"]
    assert shape_differences({"a": [{"b": "x"}]}, {"a": [{"b": 2}]}) == ["$.a[].b: string expected, got 2"]
