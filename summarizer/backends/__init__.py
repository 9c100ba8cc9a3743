"""Extraction backends behind one small interface (see ``base.Backend``)."""

from summarizer.backends.base import Backend
from summarizer.backends.registry import get_backend, register_backend
from summarizer.core.records import Extraction, ExtractOptions

__all__ = ["Backend", "Extraction", "ExtractOptions", "get_backend", "register_backend"]
