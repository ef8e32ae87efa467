"""Benchmarks for sqlgate; run each module from the repository root with ``python -m``."""
