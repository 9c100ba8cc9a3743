"""The claims task's scorer and pages, as its kit's ``evaluation`` module (the names of
:mod:`summarizer.evaluation.generic`): the claims scorer (:mod:`.scoring`), report.md and the
leaderboard (:mod:`.leaderboard`), the review page (:mod:`.review`) and the terminal tables
(:mod:`.terminal`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from summarizer.core.io import write_json_atomic, write_text_atomic
from summarizer.core.task import Task
from summarizer.evaluation.predictions import document_of, generation_info, write_predictions

REPORT_FILES = ("report.json", "report.md", "review.html")
LEADERBOARD_FILES = ("leaderboard.json", "leaderboard.md", "leaderboard.png")
LEADERBOARD_KEY = "claim_f1"
COMPARE_PAGES = "leaderboard.png, <model>/review.html"
# The terminal table keeps the columns that decide; leaderboard.md has them all.
TERMINAL_COLUMNS = (
    ("claim_f1", "F1 [95% CI]", "claim_f1_ci"),
    ("strict_f1", "strict F1", None),
    ("attributed_f1", "attributed F1", None),
    ("validity_rate", "valid", None),
    ("grounding_rate", "grounded", None),
    ("summary_invented_number_rate", "summ. invented", None),
    ("seconds_per_article", "s/article", None),
)


def score(gold: dict[str, dict], pred: dict[str, dict | None], task: Task, articles: dict[str, str] | None) -> dict:
    from summarizer.tasks.claims.scoring import score_documents

    return score_documents(gold, pred, articles)


def write_reports(result: Any, dataset: Any, out_dir: Path) -> list[Path]:
    """report.json, report.md, review.html and predictions/<id>.json for one model."""
    from summarizer.reporting.formatting import model_name
    from summarizer.tasks.claims.leaderboard import render_report_markdown
    from summarizer.tasks.claims.review import render_review

    ids = list(result.extractions)
    page = render_review(
        {i: dataset.articles[i] for i in ids},
        {i: dataset.labels[i] for i in ids},
        {i: document_of(result.extractions[i]) for i in ids},
        result.report,
        title=f"Review: {model_name(result.report)}",
        statuses={i: generation_info(result.extractions[i]) for i in ids},
    )
    paths = [out_dir / name for name in REPORT_FILES]
    write_predictions(result.extractions, out_dir / "predictions")
    write_json_atomic(paths[0], result.report)
    write_text_atomic(paths[1], render_report_markdown(result.report))
    write_text_atomic(paths[2], page)
    return paths


def leaderboard_row(result: Any) -> dict[str, Any]:
    report = result.report
    ci = report.get("ci", {})
    return {
        "model": result.model,
        "name": report.get("name"),
        "slug": result.slug,
        "claim_f1": report["claim_f1"],
        "claim_f1_ci": ci.get("claim_f1"),
        "strict_f1": report["strict_f1"],
        "strict_f1_ci": ci.get("strict_f1"),
        "attributed_f1": report.get("attributed_f1"),
        "attributed_f1_ci": ci.get("attributed_f1"),
        "claim_precision": report.get("claim_precision"),
        "claim_recall": report.get("claim_recall"),
        "count_accuracy": report.get("count_accuracy"),
        "mean_field_accuracy": report.get("mean_field_accuracy"),
        "validity_rate": report.get("validity_rate"),
        "grounding_rate": report.get("grounding_rate"),
        "hallucinated_number_rate": report.get("hallucinated_number_rate"),
        "summary_invented_number_rate": report.get("summary_invented_number_rate"),
        "summaries_with_invented_number_rate": report.get("summaries_with_invented_number_rate"),
        "seconds_per_article": report.get("seconds_per_article"),
        "tokens_per_second": report.get("tokens_per_second"),
        "n_failed": len(report.get("failed", [])),
    }


def board_fields(task: Task) -> dict[str, Any]:
    return {}  # the claims leaderboard has always named no task


def write_leaderboard(board: dict[str, Any], out_dir: Path) -> list[Path]:
    from summarizer.tasks.claims.leaderboard import render_leaderboard_markdown, write_leaderboard_png

    paths = [out_dir / name for name in LEADERBOARD_FILES]
    write_json_atomic(paths[0], board)
    write_text_atomic(paths[1], render_leaderboard_markdown(board))
    write_leaderboard_png(board, paths[2])
    return paths


def headline_tables(report: dict) -> Sequence[Any]:
    from summarizer.tasks.claims.terminal import headline_table

    return [headline_table(report)]


def print_report(report: dict) -> None:
    from summarizer.tasks.claims.terminal import render_report

    render_report(report)


def print_leaderboard(board: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from summarizer.reporting.formatting import fmt, fmt_ci, model_name
    from summarizer.reporting.terminal import default_console

    table = Table(title=f"Leaderboard: {board['n_articles']} articles, by claim F1")
    table.add_column("model", overflow="fold")
    for _, label, ci in TERMINAL_COLUMNS:
        # Short values under long headers: on a narrow terminal the headers fold, not the model names.
        table.add_column(label, justify="right", no_wrap=ci is not None, overflow="fold")
    for row in board["models"]:
        cells = [fmt_ci(row.get(k), row.get(c)) if c else fmt(row.get(k)) for k, _, c in TERMINAL_COLUMNS]
        table.add_row(escape(model_name(row)), *cells)
    default_console().print(table)
