"""Helpers for trying the pipeline offline and for the test suite (a tiny random-weight model)."""

from __future__ import annotations

__all__ = ["build_tiny_model"]


def __getattr__(name: str):
    # Lazy, so that `python -m summarizer.testing.tiny_model` does not import the module twice.
    if name == "build_tiny_model":
        from summarizer.testing.tiny_model import build_tiny_model

        return build_tiny_model
    raise AttributeError(name)
