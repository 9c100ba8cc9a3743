"""Command-line interface: ``summarizer COMMAND``. Each command is a thin layer over one library call."""

from __future__ import annotations

import sys

# Importing the command modules registers their commands on ``app``.
from summarizer.cli import bench, dev, evaluate, ledger, schema, score, summarize, validate  # noqa: F401
from summarizer.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    # A file name that is not UTF-8 reaches Python as lone surrogates; print it escaped
    # rather than fail with UnicodeEncodeError halfway through a run.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    app()
