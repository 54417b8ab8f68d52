"""Benchmarks and evaluations: scripts that print figures (run with `python -m bench.NAME`)."""
