"""Shared test set-up. Each area keeps its fixtures in ``tests/fixtures/<area>.py``; they are all
loaded here so any test can use any area's fixtures (servers, PKI, schemas, databases)."""
from pathlib import Path

pytest_plugins = sorted(
    f"tests.fixtures.{p.stem}" for p in (Path(__file__).parent / "fixtures").glob("*.py") if p.stem != "__init__"
)
