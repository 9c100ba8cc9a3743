"""The package version (one place: the package, the run store and the wheel read it)."""

__version__ = "0.1.0"
