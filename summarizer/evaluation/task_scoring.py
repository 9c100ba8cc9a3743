"""The default scorer of a user task: items aligned on key fields, item P/R/F1, per-field accuracy.

The claims task keeps its own scorer (:mod:`summarizer.tasks.claims.scoring`); any other task is scored here,
from what its ``task.toml`` says (:class:`summarizer.core.task.Task`):

* **Items.** The records of a document are its ``items`` array (or the document itself when the
  schema has no array of records).
* **Alignment**, per article: one-to-one between gold and predicted items (Hungarian assignment)
  on a similarity that is the weighted mean of the key fields' agreement (``scoring.keys``,
  ``scoring.weights``; default keys: the items' span fields). Text agrees by word overlap (F1 of
  the normalised words: a quote cut a word short still mostly agrees), anything else by equality
  after normalisation. A pair below ``scoring.threshold`` (default 0.5) is no match.
* **Item precision, recall, F1**: micro over all items, and macro over articles.
* **Per-field accuracy** on matched pairs, for every field of the items: normalised values equal
  (case, whitespace, quotes and dashes, surrounding punctuation; numbers by value; null = null).
* **Validity**: a prediction that is missing or fails the schema counts as zero items.
* **Grounding** (given the articles): the share of predicted span values found verbatim in the
  article, and the share of predicted grounded numbers that no number in it equals.

Pure functions: documents in, numbers out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from summarizer.core.numbers import is_usable_value, value_occurs
from summarizer.core.task import Task, field_value, iter_values
from summarizer.core.text import canonical, find_span
from summarizer.evaluation.metrics import BOOTSTRAP_N, BOOTSTRAP_SEED, bootstrap_ci, prf, ratio

_WORD = re.compile(r"\w+", re.UNICODE)
_EDGE_PUNCTUATION = " \t\n.,;:!?\"'()[]"


def normalized(value: Any) -> Any:
    """A value as compared: text folded (case, whitespace, quotes, dashes, surrounding punctuation),
    numbers as floats, anything else as is."""
    if isinstance(value, str):
        return canonical(value).casefold().strip(_EDGE_PUNCTUATION)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def same_value(gold: Any, pred: Any) -> bool:
    return normalized(gold) == normalized(pred)


def agreement(gold: Any, pred: Any) -> float:
    """How far two values agree, 0..1: word-overlap F1 for two texts, else 1 when equal."""
    if isinstance(gold, str) and isinstance(pred, str):
        a, b = _WORD.findall(normalized(gold)), _WORD.findall(normalized(pred))
        if not a or not b:
            return 1.0 if a == b else 0.0
        common = sum(min(a.count(w), b.count(w)) for w in set(a))
        return 2 * common / (len(a) + len(b))
    return 1.0 if same_value(gold, pred) else 0.0


def similarity(gold: dict, pred: dict, task: Task) -> float:
    """Weighted mean agreement of the task's key fields."""
    weights = dict(task.weights)
    total = math.fsum(weights.values())
    points = math.fsum(w * agreement(field_value(gold, k), field_value(pred, k)) for k, w in weights.items())
    return points / total if total else 0.0


def align(gold_items: Sequence[dict], pred_items: Sequence[dict], task: Task) -> list[tuple[int, int, float]]:
    """One-to-one (gold index, pred index, similarity) pairs at or above the task's threshold."""
    if not gold_items or not pred_items:
        return []
    from scipy.optimize import linear_sum_assignment

    sims = [
        [similarity(g, p, task) if isinstance(g, dict) and isinstance(p, dict) else 0.0 for p in pred_items]
        for g in gold_items
    ]
    rows, cols = linear_sum_assignment(sims, maximize=True)
    return [(int(r), int(c), sims[r][c]) for r, c in zip(rows, cols, strict=True) if sims[r][c] >= task.match_threshold]


def item_fields(task: Task, gold_items: Sequence[dict]) -> list[str]:
    """The fields scored per matched pair: the items' schema properties, else the gold items' keys."""
    from summarizer.core.task import schema_node

    node = schema_node(task.schema, (task.items, "*") if task.items else ())
    fields = list((node or {}).get("properties") or {})
    return fields or sorted({k for item in gold_items if isinstance(item, dict) for k in item})


def _grounding(items: Sequence[Any], article: str | None, task: Task) -> dict[str, int | None]:
    """Predicted span values found in the article, and grounded numbers it does not hold."""
    if article is None:
        return {"n_spans": None, "n_spans_grounded": None, "n_numbers": None, "n_numbers_invented": None}
    prefix = (task.items, "*") if task.items else ()
    document = {task.items: list(items)} if task.items else (items[0] if items else {})
    counts = {"n_spans": 0, "n_spans_grounded": 0, "n_numbers": 0, "n_numbers_invented": 0}
    for path, kind in task.grounded:
        if path[: len(prefix)] != prefix:
            continue
        for _, value in iter_values(document, path):
            if kind == "span" and isinstance(value, str) and value.strip():
                counts["n_spans"] += 1
                counts["n_spans_grounded"] += find_span(article, value) is not None
            elif kind == "number" and is_usable_value(value):
                counts["n_numbers"] += 1
                counts["n_numbers_invented"] += not value_occurs(value, article)
    return dict(counts)


def score_article(article_id: str, gold_doc: dict, pred_doc: Any, task: Task, article: str | None = None) -> dict:
    """One article's row: validity, item counts, P/R/F1, matched pairs' field agreement, grounding."""
    from summarizer.core.validation import schema_problems

    problems = schema_problems(pred_doc, task) if pred_doc is not None else None
    valid = problems == []
    reason = None
    if problems is None:
        reason = "no readable prediction"
    elif problems:
        reason = f"fails the schema: {problems[0].path}: {problems[0].message}"
    gold_items = [i for i in task.item_list(gold_doc) if isinstance(i, dict)]
    pred_items = [i for i in task.item_list(pred_doc) if isinstance(i, dict)] if valid else []
    pairs = align(gold_items, pred_items, task)
    precision, recall, f1 = prf(len(pairs), len(gold_items), len(pred_items))
    fields = {
        name: [same_value(field_value(gold_items[g], name), field_value(pred_items[p], name)) for g, p, _ in pairs]
        for name in item_fields(task, gold_items)
    }
    return {
        "id": article_id,
        "valid": valid,
        "invalid_reason": reason,
        "n_gold": len(gold_items),
        "n_pred": len(pred_items),
        "tp": len(pairs),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pairs": [[g, p, round(s, 4)] for g, p, s in pairs],
        "fields": fields,
        **_grounding(pred_items, article if valid else None, task),
    }


def aggregate(rows: Sequence[dict]) -> dict:
    """Micro and macro item P/R/F1, validity and grounding rates over article rows."""
    tp, n_gold, n_pred = (sum(r[k] for r in rows) for k in ("tp", "n_gold", "n_pred"))
    precision, recall, f1 = prf(tp, n_gold, n_pred)
    grounded = [r for r in rows if r["n_spans"] is not None]
    numbers = [r for r in rows if r["n_numbers"] is not None]
    return {
        "n_articles": len(rows),
        "n_gold_items": n_gold,
        "n_pred_items": n_pred,
        "n_matched": tp,
        "item_precision": precision,
        "item_recall": recall,
        "item_f1": f1,
        "macro_item_f1": ratio(math.fsum(r["f1"] for r in rows), len(rows), None),
        "validity_rate": ratio(sum(r["valid"] for r in rows), len(rows), None),
        "grounding_rate": ratio(
            sum(r["n_spans_grounded"] for r in grounded), sum(r["n_spans"] for r in grounded), None
        ),
        "hallucinated_number_rate": ratio(
            sum(r["n_numbers_invented"] for r in numbers), sum(r["n_numbers"] for r in numbers), None
        ),
    }


def per_field_accuracy(rows: Sequence[dict]) -> dict[str, dict]:
    """Per field: the share of matched pairs whose values agree (None with no pair)."""
    names = list(dict.fromkeys(name for row in rows for name in row["fields"]))
    table = {}
    for name in names:
        marks = [mark for row in rows for mark in row["fields"].get(name, [])]
        table[name] = {"accuracy": ratio(sum(marks), len(marks), None), "n": len(marks)}
    return table


def score_task_documents(
    gold: dict[str, dict],
    pred: dict[str, Any],
    task: Task,
    articles: dict[str, str] | None = None,
    *,
    n_bootstrap: int = BOOTSTRAP_N,
    seed: int = BOOTSTRAP_SEED,
) -> dict:
    """The report for a task's gold and predicted documents keyed by article id (every gold id
    scored; a missing prediction is an invalid, empty one)."""
    articles = articles or {}
    rows = [score_article(i, gold[i], pred.get(i), task, articles.get(i)) for i in sorted(gold)]
    per_field = per_field_accuracy(rows)
    accuracies = [entry["accuracy"] for entry in per_field.values() if entry["accuracy"] is not None]
    statistic = lambda sample: aggregate(sample)["item_f1"]  # noqa: E731
    return {
        "task": task.name,
        **aggregate(rows),
        "mean_field_accuracy": math.fsum(accuracies) / len(accuracies) if accuracies else None,
        "ci": {"item_f1": bootstrap_ci(rows, statistic, n=n_bootstrap, seed=seed)},
        "per_article": rows,
        "per_field": per_field,
        "ignored_predictions": sorted(set(pred) - set(gold)),
        "settings": {
            "keys": list(task.key_fields),
            "weights": dict(task.weights),
            "match_threshold": task.match_threshold,
            "items": task.items,
            "bootstrap": {"n": n_bootstrap, "seed": seed, "method": "percentile"},
        },
    }
