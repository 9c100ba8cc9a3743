"""Render a score report (the dict from :func:`summarizer.tasks.claims.scoring.score_documents`) for a terminal.

Rendering only: every number shown here was computed by :mod:`summarizer.tasks.claims.scoring`.
Three rich tables (headline with confidence intervals, per article, per field)
and, when the report carries them, the files that were listed instead of scored.
"""

from __future__ import annotations

from summarizer.reporting.formatting import HYPHEN, fmt_interval
from summarizer.reporting.formatting import fmt as format_value
from summarizer.reporting.terminal import default_console, problem_lines

HEADLINE_ROWS: tuple[tuple[str, str], ...] = (
    ("claim_precision", "claim precision"),
    ("claim_recall", "claim recall"),
    ("claim_f1", "claim F1"),
    ("strict_precision", "strict precision"),
    ("strict_recall", "strict recall"),
    ("strict_f1", "strict F1"),
    ("macro_f1", "macro F1 (over articles)"),
    ("macro_strict_f1", "macro strict F1"),
    ("attributed_precision", "attributed precision"),
    ("attributed_recall", "attributed recall"),
    ("attributed_f1", "attributed F1 (strict + claimant)"),
    ("validity_rate", "validity rate"),
    ("grounding_rate", "grounding rate"),
    ("hallucinated_number_rate", "hallucinated-number rate"),
    ("summary_invented_number_rate", "summary invented-number rate"),
    ("summaries_with_invented_number_rate", "summaries inventing a number"),
    ("count_accuracy", "count accuracy (matched)"),
    ("mean_field_accuracy", "mean field accuracy (matched)"),
)


def fmt(value, digits: int = 3) -> str:
    """A number for a terminal table cell; "-" for an undefined (None) value."""
    return format_value(value, digits, missing=HYPHEN)


def fmt_ci(interval) -> str:
    return fmt_interval(interval, missing=HYPHEN)


def headline_table(report: dict):
    from rich.table import Table

    level = report.get("settings", {}).get("bootstrap", {}).get("level", 0.95)
    table = Table(
        title=(
            f"Scores: {report['n_articles']} articles, {report['n_gold_claims']} gold claims, "
            f"{report['n_pred_claims']} predicted, {report['n_matched']} matched"
        )
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column(f"{level:.0%} CI (bootstrap over articles)", justify="right")
    for key, label in HEADLINE_ROWS:
        table.add_row(label, fmt(report.get(key)), fmt_ci(report.get("ci", {}).get(key)))
    return table


def article_table(report: dict):
    from rich.table import Table

    table = Table(
        title="Per article",
        caption=(
            "sF1 = strict F1, aF1 = attributed F1, ground = grounding rate, halluc = hallucinated-number rate, "
            "summ = summary invented-number rate"
        ),
    )
    table.add_column("id", no_wrap=True, overflow="fold")
    for heading in ("gold", "pred", "tp", "P", "R", "F1", "sF1", "aF1", "valid", "ground", "halluc", "summ"):
        table.add_column(heading, justify="right")
    for row in report["per_article"]:
        table.add_row(
            row["id"],
            fmt(row["n_gold"]),
            fmt(row["n_pred"]),
            fmt(row["tp"]),
            fmt(row["precision"]),
            fmt(row["recall"]),
            fmt(row["f1"]),
            fmt(row["strict_f1"]),
            fmt(row.get("attributed_f1")),
            fmt(row["valid"]),
            fmt(row["grounding_rate"]),
            fmt(row["hallucinated_number_rate"]),
            fmt(row.get("summary_invented_number_rate")),
        )
    return table


def field_table(report: dict):
    from rich.table import Table

    table = Table(title=f"Per field, over {report['n_matched']} matched pairs")
    table.add_column("field")
    for heading in ("n", "correct", "accuracy", "missing", "invented", "wrong"):
        table.add_column(heading, justify="right")
    for field, cells in report["per_field"].items():
        table.add_row(field, *(fmt(cells[k]) for k in ("n", "correct", "accuracy", "missing", "invented", "wrong")))
    return table


def render_report(report: dict, console=None) -> None:
    """Print the three tables, then the problem lines, to ``console`` (stdout by default)."""
    console = console or default_console()
    console.print(headline_table(report))
    if report["per_article"]:
        console.print(article_table(report))
        console.print(field_table(report))
    for line in problem_lines(report):
        # Plain, unwrapped lines: file names must stay whole and copyable.
        console.print(line, markup=False, highlight=False, soft_wrap=True)
