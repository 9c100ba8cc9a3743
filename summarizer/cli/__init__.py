"""Command-line interface: ``summarizer COMMAND``. Each command is a thin layer over one library call."""

from __future__ import annotations

from summarizer.cli.app import app

# Importing the command modules registers their commands on ``app``.
from summarizer.cli import schema, validate, score, summarize, dev, evaluate, bench  # noqa: E402,F401

__all__ = ["app", "main"]


def main() -> None:
    app()
