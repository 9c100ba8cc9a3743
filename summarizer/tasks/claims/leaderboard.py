"""Rendering of evaluation results: a model's report.md, the leaderboard (Markdown, PNG).

Pure presentation: the numbers come from :mod:`summarizer.evaluation.evaluate` and are only
formatted here. Text that comes from a model or a dataset (model names, article ids,
failure reasons) is Markdown-escaped so a name cannot break a table.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from summarizer.core.io import write_bytes_atomic
from summarizer.reporting.formatting import ci_bounds, display_name, fmt, fmt_ci, model_name
from summarizer.reporting.markdown import md_escape, md_table

# (report key, label) of the headline numbers of one model.
REPORT_HEADLINE = (
    ("claim_precision", "Claim precision"),
    ("claim_recall", "Claim recall"),
    ("claim_f1", "Claim F1 (lenient)"),
    ("strict_f1", "Claim F1 (strict)"),
    ("attributed_f1", "Claim F1 (attributed: strict and the claimant right)"),
    ("macro_f1", "Claim F1 (macro over articles)"),
    ("count_accuracy", "Count accuracy (matched)"),
    ("mean_field_accuracy", "Mean field accuracy (matched)"),
    ("validity_rate", "Valid documents"),
    ("grounding_rate", "Grounded evidence"),
    ("hallucinated_number_rate", "Hallucinated numbers"),
    ("summary_invented_number_rate", "Invented numbers in summaries"),
    ("summaries_with_invented_number_rate", "Summaries inventing a number"),
    ("seconds_per_article", "Seconds per article"),
    ("tokens_per_second", "Generated tokens per second"),
)

# Leaderboard columns: (row key, header, CI key or None).
LEADERBOARD_COLUMNS = (
    ("claim_f1", "F1 (lenient)", "claim_f1_ci"),
    ("strict_f1", "F1 (strict)", "strict_f1_ci"),
    ("attributed_f1", "F1 (attributed)", "attributed_f1_ci"),
    ("count_accuracy", "count acc.", None),
    ("mean_field_accuracy", "mean field acc.", None),
    ("validity_rate", "validity", None),
    ("grounding_rate", "grounding", None),
    ("hallucinated_number_rate", "halluc. numbers", None),
    ("summary_invented_number_rate", "summary invented numbers", None),
    ("summaries_with_invented_number_rate", "summaries inventing", None),
    ("seconds_per_article", "s / article", None),
    ("tokens_per_second", "tokens / s", None),
)

ARTICLE_COLUMNS = (
    "n_gold",
    "n_pred",
    "precision",
    "recall",
    "f1",
    "strict_f1",
    "attributed_f1",
    "summary_invented_number_rate",
)


# -- one model -------------------------------------------------------------------------------
def render_report_markdown(report: Mapping[str, Any]) -> str:
    """report.md: headline numbers, per-article and per-field tables, failures, unlabelled articles."""
    ci = report.get("ci", {}) or {}
    parts = [f"# Evaluation of {md_escape(model_name(report))}\n"]
    parts.append(
        f"{report.get('n_articles', '?')} labelled articles; {report.get('n_generated', 0)} generated, "
        f"{report.get('n_cached', 0)} served from the run store.\n"
    )
    headline = [[label, fmt_ci(report[key], ci.get(key))] for key, label in REPORT_HEADLINE if key in report]
    parts.append(md_table(["metric", "value [95% CI]"], headline))
    parts.append(_per_article_markdown(report.get("per_article", [])))
    parts.append(_per_field_markdown(report.get("per_field", {})))
    parts.append(_failures_markdown(report))
    return "\n".join(part for part in parts if part)


def _per_article_markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return ""
    columns = [c for c in ARTICLE_COLUMNS if any(c in row for row in rows)]
    body = [[md_escape(row.get("id"))] + [fmt(row.get(c)) for c in columns] for row in rows]
    return "## Per article\n\n" + md_table(["article", *columns], body)


def _per_field_markdown(per_field: Any) -> str:
    if not isinstance(per_field, Mapping) or not per_field:
        return ""
    stats = [key for key in _ordered_keys(per_field.values()) if key != "field"]
    body = [
        [md_escape(name)] + [fmt(values.get(key)) if isinstance(values, Mapping) else fmt(values) for key in stats]
        for name, values in per_field.items()
    ]
    return "## Per field (matched claims)\n\n" + md_table(["field", *[md_escape(s) for s in stats]], body)


def _ordered_keys(dicts: Any) -> list[str]:
    keys: list[str] = []
    for item in dicts:
        for key in item if isinstance(item, Mapping) else ["value"]:
            if key not in keys:
                keys.append(key)
    return keys


def _failures_markdown(report: Mapping[str, Any]) -> str:
    parts = []
    failed = report.get("failed") or []
    if failed:
        parts.append("## Failed generations (counted as invalid)\n")
        parts += [f"- {md_escape(f['article'])}: {md_escape(f.get('reason') or 'no reason')}" for f in failed]
        parts.append("")
    unlabelled = report.get("unlabelled") or []
    if unlabelled:
        parts.append("## Unlabelled articles (left out of the scores)\n")
        parts += [f"- {md_escape(article_id)}" for article_id in unlabelled]
        parts.append("")
    problems = report.get("problems") or {}
    unreadable = [*problems.get("unreadable_gold", []), *problems.get("unreadable_articles", [])]
    if unreadable:
        parts.append("## Files that could not be read (left out)\n")
        parts += [f"- {md_escape(entry['path'])}: {md_escape(entry['reason'])}" for entry in unreadable]
        parts.append("")
    return "\n".join(parts)


# -- leaderboard --------------------------------------------------------------------------------
def render_leaderboard_markdown(board: Mapping[str, Any]) -> str:
    """leaderboard.md: models sorted by lenient claim F1, then the article x model F1 matrix."""
    rows = board.get("models", [])
    parts = [
        "# Leaderboard\n",
        f"{board.get('n_articles', '?')} labelled articles; sorted by lenient claim F1. "
        "Brackets: 95% bootstrap confidence interval over articles.\n",
    ]
    header = ["#", "model", *[label for _, label, _ in LEADERBOARD_COLUMNS]]
    body = [
        [str(rank), md_escape(model_name(row))]
        + [
            fmt_ci(row.get(key), row.get(ci_key)) if ci_key else fmt(row.get(key))
            for key, _, ci_key in LEADERBOARD_COLUMNS
        ]
        for rank, row in enumerate(rows, 1)
    ]
    parts.append(md_table(header, body, align_right_from=2))
    parts.append(_matrix_markdown(board.get("article_f1", {}), {row["model"]: model_name(row) for row in rows}))
    if board.get("unlabelled"):
        parts.append("Unlabelled articles (left out): " + ", ".join(md_escape(a) for a in board["unlabelled"]) + "\n")
    return "\n".join(parts)


def _matrix_markdown(matrix: Mapping[str, Any], names: Mapping[str, str]) -> str:
    articles, models, f1 = matrix.get("articles", []), matrix.get("models", []), matrix.get("f1", [])
    if not articles:
        return ""
    body = [[md_escape(a)] + [fmt(v) for v in values] for a, values in zip(articles, f1, strict=True)]
    header = ["article", *[md_escape(names.get(m) or display_name(m)) for m in models]]
    return "## Claim F1 per article\n\n" + md_table(header, body)


def write_leaderboard_png(board: Mapping[str, Any], path: Path) -> None:
    """Bar chart of lenient and strict claim F1 per model with 95% CI whiskers."""
    # The object API with an Agg canvas: no pyplot, no global backend switch, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = list(board.get("models", []))
    names = [model_name(row) for row in rows]
    figure = Figure(figsize=(max(5.0, 1.6 * len(rows) + 2.5), 4.2), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    width = 0.38
    for offset, (key, ci_key, label, colour) in enumerate(
        (("claim_f1", "claim_f1_ci", "lenient F1", "#1f6fb2"), ("strict_f1", "strict_f1_ci", "strict F1", "#c96a00"))
    ):
        xs = [i + (offset - 0.5) * width for i in range(len(rows))]
        values = [float(row.get(key) or 0.0) for row in rows]
        errors = _whiskers(values, [row.get(ci_key) for row in rows])
        axes.bar(xs, values, width, yerr=errors, capsize=4, label=label, color=colour)
    axes.set_xticks(range(len(rows)))
    axes.set_xticklabels([_short(name) for name in names], rotation=15 if len(rows) > 3 else 0)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel("claim F1 (95% CI)")
    axes.set_title(f"Claim F1 on {board.get('n_articles', '?')} articles")
    axes.legend(loc="upper right")
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png")
    write_bytes_atomic(path, image.getvalue())


def _whiskers(values: list[float], cis: list[Any]) -> list[list[float]]:
    lows, highs = [], []
    for value, ci in zip(values, cis, strict=True):
        bounds = ci_bounds(ci)
        lows.append(max(0.0, value - bounds[0]) if bounds else 0.0)
        highs.append(max(0.0, bounds[1] - value) if bounds else 0.0)
    return [lows, highs]


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else "…" + name[-(limit - 1) :]
