"""benchmarks/__main__.py records the Python each section ran on, and keeps the hand-written
comparison across Pythons when it rewrites docs/benchmarks.md."""
from __future__ import annotations

import platform

from benchmarks import __main__ as bench_main


def test_each_section_names_the_python_it_ran_on():
    lines = bench_main._render("vraag", {"_doc": "what", "requests_per_s": 12.5}, 3.0)
    assert lines[-2] == f"_(ran in 3.0 s on Python {platform.python_version()})_"


def test_the_python_versions_section_survives_a_full_rewrite():
    existing = "\n".join([
        "# Benchmarks", "", "head", "",
        "## kvk", "", "old figures", "",
        "## python versions", "", "| bench | 3.11 | 3.13 |", "|---|---|---|", "| vraag | 1 | 2 |", "",
        "## wus", "", "old figures",
    ])
    kept = bench_main._kept_sections(existing)
    assert kept == ["## python versions", "", "| bench | 3.11 | 3.13 |", "|---|---|---|", "| vraag | 1 | 2 |", ""]
    assert bench_main._kept_sections("# Benchmarks\n\n## kvk\nfigures\n") == []
