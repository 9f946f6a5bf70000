"""Benchmarks: each ``benchmarks/bench_<area>.py`` exposes ``run() -> dict`` of named figures."""
