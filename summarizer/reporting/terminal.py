"""What every task's terminal output shares: the console, and the files listed instead of scored."""

from __future__ import annotations

PROBLEM_HEADINGS: tuple[tuple[str, str], ...] = (
    ("missing_predictions", "missing prediction (scored as empty)"),
    ("invalid_predictions", "invalid prediction (scored as empty)"),
    ("stray_predictions", "prediction with no gold (ignored)"),
    ("unreadable_gold", "unreadable gold (left out)"),
    ("unreadable_articles", "unreadable article (no grounding check)"),
)


def problem_lines(report: dict) -> list[str]:
    """One line per file that was listed rather than scored.

    ``problems`` is the score command's dict of lists, or a plain list of lines
    (as the evaluation puts there from the dataset loader).
    """
    problems = report.get("problems") or {}
    if isinstance(problems, list):
        return [str(line) for line in problems]
    lines = []
    for key, heading in PROBLEM_HEADINGS:
        for entry in problems.get(key, []):
            reason = f": {entry['reason']}" if entry.get("reason") else ""
            lines.append(f"{heading}: {entry['id']}{reason}")
    return lines


def default_console():
    """Stdout; 120 columns when it is not a terminal (a pipe or file would otherwise get 80 and squash ids)."""
    import os

    from rich.console import Console

    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=120)
    return console
