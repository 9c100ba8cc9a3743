"""Rendering of a user task's scores (:mod:`summarizer.evaluation.task_scoring`): terminal tables, report.md,
leaderboard.md. The claims task keeps its own renderers (score_report, leaderboard, review)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from summarizer.reporting.formatting import fmt, fmt_ci, model_name
from summarizer.reporting.markdown import md_escape, md_table

HEADLINE = (
    ("item_f1", "Item F1"),
    ("item_precision", "Item precision"),
    ("item_recall", "Item recall"),
    ("macro_item_f1", "Item F1 (macro over articles)"),
    ("mean_field_accuracy", "Mean field accuracy (matched items)"),
    ("validity_rate", "Valid documents"),
    ("grounding_rate", "Span values found in the article"),
    ("hallucinated_number_rate", "Grounded numbers not in the article"),
)
ARTICLE_COLUMNS = ("n_gold", "n_pred", "tp", "precision", "recall", "f1")
LEADERBOARD_COLUMNS = (
    "item_f1",
    "item_precision",
    "item_recall",
    "mean_field_accuracy",
    "validity_rate",
    "grounding_rate",
    "seconds_per_article",
    "tokens_per_second",
)


def _headline_rows(report: Mapping[str, Any]) -> list[list[str]]:
    ci = report.get("ci") or {}
    return [[label, fmt_ci(report.get(key), ci.get(key))] for key, label in HEADLINE]


def render_task_markdown(report: Mapping[str, Any]) -> str:
    """report.md of a user task: headline, per-article and per-field tables."""
    model = model_name(report) if "model" in report else "predictions"  # `summarizer score`: no model
    title = f"# {md_escape(report.get('task', 'task'))}: evaluation of {md_escape(model)}\n"
    counts = (
        f"{report.get('n_articles')} labelled articles, {report.get('n_gold_items')} gold items, "
        f"{report.get('n_pred_items')} predicted, {report.get('n_matched')} matched.\n"
    )
    parts = [title, counts, md_table(["metric", "value [95% CI]"], _headline_rows(report))]
    rows = report.get("per_article") or []
    parts.append(
        md_table(
            ["article", *ARTICLE_COLUMNS, "valid"],
            [[md_escape(r["id"]), *(fmt(r.get(c)) for c in ARTICLE_COLUMNS), fmt(r.get("valid"))] for r in rows],
            align_right_from=1,
        )
    )
    fields = report.get("per_field") or {}
    parts.append(
        md_table(
            ["field", "accuracy", "matched pairs"],
            [[md_escape(name), fmt(entry["accuracy"]), fmt(entry["n"])] for name, entry in fields.items()],
        )
    )
    return "\n".join(parts)


def render_task_leaderboard_markdown(board: Mapping[str, Any]) -> str:
    header = ["#", "model", *LEADERBOARD_COLUMNS]
    rows = [
        [
            str(rank),
            md_escape(model_name(row)),
            *(
                fmt_ci(row.get(c), row.get(f"{c}_ci")) if f"{c}_ci" in row else fmt(row.get(c))
                for c in LEADERBOARD_COLUMNS
            ),
        ]
        for rank, row in enumerate(board["models"], 1)
    ]
    return f"# Leaderboard: {board['n_articles']} articles, by item F1\n\n" + md_table(header, rows, align_right_from=2)


def task_tables(report: Mapping[str, Any]) -> Sequence[Any]:
    """rich tables for the terminal: the headline, then per field."""
    from rich.table import Table

    headline = Table(
        title=f"{report.get('task')}: {report.get('n_articles')} articles, {report.get('n_gold_items')} "
        f"gold items, {report.get('n_pred_items')} predicted, {report.get('n_matched')} matched"
    )
    headline.add_column("metric")
    headline.add_column("value [95% CI]", justify="right")
    for row in _headline_rows(report):
        headline.add_row(*row)
    fields = Table(title="Per field (matched items)")
    columns: tuple[tuple[str, Literal["left", "right"]], ...] = (
        ("field", "left"),
        ("accuracy", "right"),
        ("pairs", "right"),
    )
    for name, justify in columns:
        fields.add_column(name, justify=justify)
    for name, entry in (report.get("per_field") or {}).items():
        fields.add_row(name, fmt(entry["accuracy"]), fmt(entry["n"]))
    return [headline, fields]
