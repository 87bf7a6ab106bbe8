"""Benchmarks: metrics per municipality, contact volumes, channel costs and comparisons."""
