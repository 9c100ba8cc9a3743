"""How a task is scored and reported: its kit's evaluation module, or this one's generic parts.

A kit's ``evaluation`` module (:mod:`summarizer.core.kit`) has the names this module has:
``REPORT_FILES``, ``LEADERBOARD_FILES``, ``LEADERBOARD_KEY``, ``COMPARE_PAGES``, ``score``,
``write_reports``, ``leaderboard_row``, ``board_fields``, ``write_leaderboard``, ``print_report``,
``headline_tables`` and ``print_leaderboard``. This module is the generic task's: item F1 by
:mod:`summarizer.evaluation.task_scoring`, Markdown by :mod:`summarizer.reporting.task_report`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from summarizer.core.io import write_json_atomic, write_text_atomic
from summarizer.core.kit import kit_for
from summarizer.core.task import Task, load_task
from summarizer.evaluation.predictions import write_predictions

REPORT_FILES = ("report.json", "report.md")
LEADERBOARD_FILES = ("leaderboard.json", "leaderboard.md")
LEADERBOARD_KEY = "item_f1"  # the leaderboard's order, best first
COMPARE_PAGES = "<model>/report.md"  # what compare writes beside the leaderboard, as the CLI says it


def evaluation_of(task: Task | str | None) -> ModuleType:
    """The module that scores and reports ``task``: its kit's, else this one."""
    return kit_for(load_task(task)).evaluation_module() or sys.modules[__name__]


def score(gold: dict[str, dict], pred: dict[str, dict | None], task: Task, articles: dict[str, str] | None) -> dict:
    from summarizer.evaluation.task_scoring import score_task_documents

    return score_task_documents(gold, pred, task, articles)


def write_reports(result: Any, dataset: Any, out_dir: Path) -> list[Path]:
    """report.json, report.md and predictions/<id>.json for one model (``result``: an EvalResult)."""
    from summarizer.reporting.task_report import render_task_markdown

    paths = [out_dir / name for name in REPORT_FILES]
    write_predictions(result.extractions, out_dir / "predictions")
    write_json_atomic(paths[0], result.report)
    write_text_atomic(paths[1], render_task_markdown(result.report))
    return paths


def leaderboard_row(result: Any) -> dict[str, Any]:
    """A model's leaderboard row (see :mod:`summarizer.evaluation.task_scoring`)."""
    report = result.report
    keys = (
        "item_f1",
        "item_precision",
        "item_recall",
        "macro_item_f1",
        "mean_field_accuracy",
        "validity_rate",
        "grounding_rate",
        "hallucinated_number_rate",
        "seconds_per_article",
        "tokens_per_second",
    )
    return {
        "model": result.model,
        "name": report.get("name"),
        "slug": result.slug,
        **{k: report.get(k) for k in keys},
        "item_f1_ci": (report.get("ci") or {}).get("item_f1"),
        "n_failed": len(report.get("failed", [])),
    }


def board_fields(task: Task) -> dict[str, Any]:
    """What the leaderboard says beside its rows: the task's name."""
    return {"task": task.name}


def write_leaderboard(board: dict[str, Any], out_dir: Path) -> list[Path]:
    from summarizer.reporting.task_report import render_task_leaderboard_markdown

    paths = [out_dir / name for name in LEADERBOARD_FILES]
    write_json_atomic(paths[0], board)
    write_text_atomic(paths[1], render_task_leaderboard_markdown(board))
    return paths


def headline_tables(report: dict) -> Sequence[Any]:
    """The headline (rich tables) ``summarizer eval`` prints."""
    from summarizer.reporting.task_report import task_tables

    return task_tables(report)[:1]


def print_report(report: dict) -> None:
    """``summarizer score``'s tables, then its problems, on the terminal."""
    from summarizer.reporting.task_report import task_tables
    from summarizer.reporting.terminal import default_console, problem_lines

    console = default_console()
    console.print(*task_tables(report))
    for line in problem_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def print_leaderboard(board: dict) -> None:
    """leaderboard.md's table, as text."""
    from summarizer.reporting.task_report import render_task_leaderboard_markdown

    print(render_task_leaderboard_markdown(board))
