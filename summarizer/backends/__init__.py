"""Extraction backends behind one small interface (see ``base.Backend``)."""

from summarizer.backends.base import Backend, Extraction, ExtractOptions, get_backend, register_backend

__all__ = ["Backend", "Extraction", "ExtractOptions", "get_backend", "register_backend"]
