"""``python -m benchmarks [NAME ...]`` (what ``make bench`` runs): runs every ``bench_*.py``'s
``run()`` and writes the figures to docs/benchmarks.md, so the numbers in the docs are always the
ones this code produced on a named machine and date."""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "benchmarks.md"


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _render_value(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3f}"
    if isinstance(value, (dict, list)):
        return f"`{json.dumps(value)}`"
    return str(value)


def _render(name: str, figures: dict, seconds: float) -> list[str]:
    doc = figures.pop("_doc", "")
    lines = [f"## {name}", ""]
    if doc:
        lines += [doc, ""]
    tables = {k: v for k, v in figures.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    scalars = {k: v for k, v in figures.items() if k not in tables}
    if scalars:
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| {k} | {_render_value(v)} |" for k, v in scalars.items()]
        lines.append("")
    for title, rows in tables.items():
        cols = list(rows[0])
        lines += [f"**{title}**", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(_render_value(r.get(c, "")) for c in cols) + " |" for r in rows]
        lines.append("")
    # Per section: a partial run (``python -m benchmarks vraag``) keeps the other sections' figures,
    # which another Python may have measured.
    lines += [f"_(ran in {seconds:.1f} s on Python {platform.python_version()})_", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="bench names (e.g. transform vraag wss); default all")
    parser.add_argument("--no-write", action="store_true", help="print only, do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = args.names or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    out = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m benchmarks`) on {dt.date.today().isoformat()}, {_machine()}.",
        "Each section is one `benchmarks/bench_<name>.py`; its text says what was measured and the target.",
        "",
    ]
    failed = 0
    kept = _kept_sections(DOC.read_text()) if DOC.exists() and not args.names else []
    for name in names:
        print(f"== bench {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"benchmarks.bench_{name}").run()
        except Exception:  # a broken benchmark is reported, the others still run
            failed += 1
            traceback.print_exc()
            out += [f"## {name}", "", "FAILED to run; see the `make bench` output.", ""]
            continue
        out += _render(name, dict(figures), time.perf_counter() - started)
        print(json.dumps(figures, indent=2, default=str), file=sys.stderr)
    text = "\n".join(out + kept)
    if args.no_write or args.names:
        print(text)
    if not args.no_write:
        if args.names and DOC.exists():
            text = _merge(DOC.read_text(), out, names)
        DOC.write_text(text)
        print(f"wrote {DOC}", file=sys.stderr)
    return 1 if failed else 0


# Sections written by hand, kept by every run: what one run cannot measure (the same benchmarks
# under another Python).
KEPT = ("python versions",)


def _kept_sections(existing: str) -> list[str]:
    kept: list[str] = []
    keeping = False
    for line in existing.splitlines():
        if line.startswith("## "):
            keeping = line[3:].strip() in KEPT
        if keeping:
            kept.append(line)
    return kept


def _merge(existing: str, new_lines: list[str], names: list[str]) -> str:
    """Replace only the sections of the benchmarks that ran; keep the others' last figures."""
    sections: dict[str, list[str]] = {}
    head: list[str] = []
    current = None
    for line in existing.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = [line]
        elif current is None:
            head.append(line)
        else:
            sections[current].append(line)
    current = None
    for line in new_lines:
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = [line]
        elif current is not None:
            sections[current].append(line)
    new_head = [l for l in new_lines if not l.startswith("## ")][:5]
    return "\n".join(new_head + [l for name in sorted(sections) for l in sections[name]])


if __name__ == "__main__":
    sys.exit(main())
