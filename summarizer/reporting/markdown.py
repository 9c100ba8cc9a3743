"""Markdown tables for the reports (report.md, leaderboard.md) of every task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(value).split())
    for char in "\\|*`[]<>":
        text = text.replace(char, "\\" + char)
    return text


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align_right_from: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if i >= align_right_from else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
