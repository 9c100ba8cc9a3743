"""Benchmarks: speed of the in-process engine and of servers (not part of the library)."""
