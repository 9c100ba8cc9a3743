"""How numbers and intervals look in tables: one ``fmt`` for the terminal, Markdown, HTML and the
benchmark report. Each output keeps the placeholder its readers know for a missing value."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

EN_DASH = "–"  # report.md, leaderboards, the review page
HYPHEN = "-"  # terminal tables (`summarizer score`)
NOT_AVAILABLE = "n/a"  # the benchmark's RESULTS.md


def display_name(model: str) -> str:
    """A model's short name for tables, the plot and the review page: the file or folder name of a
    local path (``/root/.cache/x/qwen-0.5b.gguf`` -> ``qwen-0.5b.gguf``); a hub id or preset as given.
    report.json keeps the full path."""
    path = Path(model).expanduser()
    local = path.is_absolute() or model.startswith(("./", "../", "~")) or path.suffix == ".gguf" or path.exists()
    return (path.name or model) if local else model


def model_name(entry: Mapping[str, Any]) -> str:
    """How a report or a leaderboard row names its model in tables, the plot and the review page: the
    name the user gave (``--name``, kept as ``name``), else the model's :func:`display_name`."""
    return str(entry.get("name") or display_name(str(entry.get("model", "?"))))


def fmt(value: Any, digits: int = 3, *, missing: str = EN_DASH, unit: str = "", grouping: bool = False) -> str:
    """A value for a table cell: floats to ``digits`` places, ints as they are, booleans as yes/no,
    None as ``missing``. ``grouping``: thousands separators; ``unit`` follows a number."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    separator = "," if grouping else ""
    if isinstance(value, float):
        return f"{value:{separator}.{digits}f}{unit}"
    if isinstance(value, int):
        return f"{value:{separator}}{unit}"
    return f"{value}{unit}"


def ci_bounds(ci: Any) -> tuple[float, float] | None:
    """(low, high) of a confidence interval given as [low, high] or {"low", "high"}."""
    if isinstance(ci, Mapping):
        ci = (ci.get("low"), ci.get("high"))
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci):
        return float(ci[0]), float(ci[1])
    return None


def fmt_interval(ci: Any, missing: str = EN_DASH) -> str:
    """``[low, high]`` to 3 places, or ``missing``."""
    bounds = ci_bounds(ci)
    return missing if bounds is None else f"[{bounds[0]:.3f}, {bounds[1]:.3f}]"


def fmt_ci(value: Any, ci: Any) -> str:
    """A value followed by its interval: ``0.809 [0.714, 0.897]`` (the value alone without one)."""
    return fmt(value) if ci_bounds(ci) is None else f"{fmt(value)} {fmt_interval(ci)}"
