"""Score predicted claims documents against gold labels (contract claims-v1, "Scoring").

Pure functions: documents in, a report dict out; no files, no printing, no
randomness beyond a seeded bootstrap. The same input gives the same numbers,
bit for bit.

Alignment: :mod:`summarizer.tasks.claims.alignment` (pair similarity, Hungarian matching,
threshold ``MATCH_THRESHOLD`` = 0.5, field comparison).

Metrics and their conventions
-----------------------------
* A prediction that is ``None`` (missing, unreadable) or fails the schema is
  invalid and counts as zero claims; ``validity_rate`` = valid / articles.
* lenient: a matched pair is a true positive. strict: a matched pair whose
  ``STRICT_FIELDS`` all agree (count.upper included, so a range must be right at
  both ends). attributed: a strict match whose claimant agrees too (after the
  scorer's name normalisation and alias table): the figure and who says it.
* micro P/R/F1 pool the counts of all articles: P = tp / predicted,
  R = tp / gold, F1 = 2 tp / (predicted + gold). An article with neither gold nor
  predicted claims adds nothing to them.
* When a denominator is 0 the value is 1.0 if both gold and predicted counts are
  0 (nothing to find, nothing invented) and 0.0 otherwise. So a silent article
  with gold claims has P = R = F1 = 0; an article with no gold and no prediction
  has P = R = F1 = 1.
* macro metrics average the per-article values over all articles, empty ones
  included at 1.0 (correct silence is a correct answer; leaving those articles
  out would keep their false positives but drop their true negatives).
* per-field accuracy is over matched pairs; an error is ``missing`` (gold has a
  value, prediction null), ``invented`` (gold null, prediction has one) or
  ``wrong`` (both present, different). ``mean_field_accuracy`` averages the
  fields except ``outcome`` (equal by construction of the alignment).
* grounding rate: share of predicted evidence (valid documents, articles with
  text) that :func:`summarizer.core.text.find_span` finds. hallucinated-number rate:
  share of predicted ``count.value`` that :func:`summarizer.core.numbers.value_occurs`
  does not find (``count.upper`` is left out, as the contract names only the
  value; ``summarizer validate`` checks both). Both are ``None`` when nothing could
  be checked.
* summary invented-number rate: over valid predicted documents with article text,
  the share of the figures in the ``summary`` (:func:`summary_numbers`: digits,
  number words, vague words such as "dozens" = 12) that no figure of the article
  equals (:func:`summarizer.core.numbers.value_occurs`). A mention that is just "a"/"an"
  is left out: the parser reads "a submarine" as 1, but in a summary "a" is nearly
  always the article, and counting it would flood the rate with noise. (The article
  side keeps them: "one civilian" is grounded by "a civilian".) Also the share of
  checked summaries with at least one invented figure. ``None`` when no summary
  could be checked (for the first rate: when the checked summaries hold no figure).
* confidence intervals: percentile bootstrap over articles (resampled with
  replacement, ``random.Random(seed)``, 1000 resamples, 95%, linear
  interpolation between order statistics; :mod:`summarizer.evaluation.metrics`).
  Resamples on which a rate is undefined (``None``) are left out of that rate's interval.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.core.errors import InputError
from summarizer.core.numbers import NumberMention, find_numbers, value_occurs
from summarizer.core.text import acronyms
from summarizer.evaluation.metrics import (
    BOOTSTRAP_LEVEL,
    BOOTSTRAP_N,
    BOOTSTRAP_SEED,
    interval,
    mean,
    prf,
    ratio,
    resamples,
)
from summarizer.tasks.claims.alignment import (
    FIELDS,
    MATCH_THRESHOLD,
    SIMILARITY_WEIGHTS,
    STRICT_FIELDS,
    align,
    field_diffs,
    field_value,
    is_attributed_match,
    is_strict_match,
)
from summarizer.tasks.claims.normalize import claimant_key

CI_METRICS: tuple[str, ...] = (
    "claim_precision",
    "claim_recall",
    "claim_f1",
    "strict_precision",
    "strict_recall",
    "strict_f1",
    "macro_f1",
    "macro_strict_f1",
    "attributed_precision",
    "attributed_recall",
    "attributed_f1",
    "validity_rate",
    "grounding_rate",
    "hallucinated_number_rate",
    "summary_invented_number_rate",
    "summaries_with_invented_number_rate",
)
# In running text "a"/"an" are articles, not the count 1 the parser reads ("a submarine").
NOT_SUMMARY_NUMBERS = frozenset({"a", "an"})


# ---------------------------------------------------------------- one article


def _prediction_status(pred_doc) -> tuple[bool, str | None]:
    """(valid, reason it is not) for a predicted document."""
    if pred_doc is None:
        return False, "no readable prediction"
    from summarizer.core.validation import schema_problems

    problems = schema_problems(pred_doc)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return False, f"fails the schema: {problems[0].path}: {problems[0].message}{more}"
    return True, None


def _check_gold(article_id: str, gold_doc) -> None:
    from summarizer.core.validation import schema_problems

    problems = schema_problems(gold_doc)
    if problems:
        first = problems[0]
        raise InputError(f"gold label fails the schema: {first.path}: {first.message}", path=article_id)


def _grounding_counts(pred_claims: list[dict], article: str | None) -> dict:
    """How many evidences ground and how many values do not occur (None without an article)."""
    if article is None:
        return {"n_evidence": 0, "n_grounded": 0, "n_values": 0, "n_hallucinated": 0, "checked": False}
    from summarizer.core.text import find_span

    evidences = [c.get("evidence") for c in pred_claims]
    values = [field_value(c, "count.value") for c in pred_claims]
    return {
        "n_evidence": len(evidences),
        "n_grounded": sum(1 for e in evidences if isinstance(e, str) and find_span(article, e) is not None),
        "n_values": len(values),
        "n_hallucinated": sum(1 for v in values if v is None or not value_occurs(float(v), article)),
        "checked": True,
    }


def summary_numbers(summary: str) -> list[NumberMention]:
    """The figures a summary states, "a"/"an" left out."""
    return [m for m in find_numbers(summary) if m.text.lower() not in NOT_SUMMARY_NUMBERS]


def summary_invented_numbers(summary: str, article: str) -> list[NumberMention]:
    """The figures of ``summary`` that no figure of ``article`` equals, in order of appearance."""
    return [m for m in summary_numbers(summary) if not value_occurs(m.value, article)]


def _summary_counts(pred_doc, valid: bool, article: str | None) -> dict:
    """The summary's figures and those it invents; nothing checked for an invalid document or no article."""
    summary = pred_doc.get("summary") if valid else None
    if article is None or not isinstance(summary, str):
        return {
            "summary_checked": False,
            "n_summary_numbers": 0,
            "n_summary_invented": 0,
            "summary_invented_numbers": [],
        }
    invented = summary_invented_numbers(summary, article)
    return {
        "summary_checked": True,
        "n_summary_numbers": len(summary_numbers(summary)),
        "n_summary_invented": len(invented),
        # Offsets into the predicted summary, so a report can point at them (the review page does).
        "summary_invented_numbers": [
            {"text": m.text, "start": m.start, "end": m.end, "value": m.value} for m in invented
        ],
    }


def score_article(article_id: str, gold_doc: dict, pred_doc, article: str | None = None) -> dict:
    """The per-article row: counts, P/R/F1, validity, grounding and the alignment itself."""
    valid, reason = _prediction_status(pred_doc)
    gold_claims = list(gold_doc["claims"])
    pred_claims = list(pred_doc["claims"]) if valid else []
    # Compared with each full name the article gives a short form for read as that short form
    # (labellers and models write "FLH" and "Hill Liberation Front" alike); the rows keep what each wrote.
    spelled = acronyms(article) if article else {}
    gold_cmp, pred_cmp = _spelled_out(gold_claims, spelled), _spelled_out(pred_claims, spelled)
    matches = align(gold_cmp, pred_cmp)
    match_rows = [
        {
            "gold_index": gi,
            "pred_index": pi,
            "similarity": sim,
            "strict": is_strict_match(gold_cmp[gi], pred_cmp[pi]),
            "attributed": is_attributed_match(gold_cmp[gi], pred_cmp[pi]),
            "field_diffs": _as_written(field_diffs(gold_cmp[gi], pred_cmp[pi]), gold_claims[gi], pred_claims[pi]),
        }
        for gi, pi, sim in matches
    ]
    tp, strict_tp = len(match_rows), sum(1 for m in match_rows if m["strict"])
    attributed_tp = sum(1 for m in match_rows if m["attributed"])
    precision, recall, f1 = prf(tp, len(gold_claims), len(pred_claims))
    grounding = _grounding_counts(pred_claims, article)
    summary = _summary_counts(pred_doc, valid, article)
    return {
        "id": article_id,
        "n_gold": len(gold_claims),
        "n_pred": len(pred_claims),
        "tp": tp,
        "strict_tp": strict_tp,
        "attributed_tp": attributed_tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "strict_f1": prf(strict_tp, len(gold_claims), len(pred_claims))[2],
        "attributed_f1": prf(attributed_tp, len(gold_claims), len(pred_claims))[2],
        "valid": valid,
        "invalid_reason": reason,
        "grounding_rate": ratio(grounding["n_grounded"], grounding["n_evidence"], None),
        "hallucinated_number_rate": ratio(grounding["n_hallucinated"], grounding["n_values"], None),
        **{k: grounding[k] for k in ("n_evidence", "n_grounded", "n_values", "n_hallucinated")},
        "summary_invented_number_rate": ratio(summary["n_summary_invented"], summary["n_summary_numbers"], None),
        "summary_has_invented_number": summary["n_summary_invented"] > 0 if summary["summary_checked"] else None,
        **summary,
        "matches": match_rows,
        "missed": sorted(set(range(len(gold_claims))) - {m["gold_index"] for m in match_rows}),
        "spurious": sorted(set(range(len(pred_claims))) - {m["pred_index"] for m in match_rows}),
    }


def _spelled_out(claims: list, spelled: dict[str, str]) -> list:
    """``claims`` with each claimant that is a full name the article gives a short form for
    ("Hill Liberation Front (FLH)") written as that short form: one body, two ways of writing it
    (claims-v1, claimant names), and the scorer's aliases know bodies by their short forms."""
    if not spelled:
        return claims
    short_of = {claimant_key(full): short for short, full in spelled.items()}
    out = []
    for claim in claims:
        name = claim.get("claimant") if isinstance(claim, dict) else None
        short = short_of.get(claimant_key(name)) if isinstance(name, str) else None
        out.append({**claim, "claimant": short} if short else claim)
    return out


def _as_written(diffs: dict[str, dict], gold: dict, pred: dict) -> dict[str, dict]:
    """Field differences with the claimants as gold and prediction wrote them."""
    if "claimant" in diffs:
        diffs["claimant"] = {**diffs["claimant"], "gold": gold.get("claimant"), "pred": pred.get("claimant")}
    return diffs


# ---------------------------------------------------------------- many articles


def aggregate(rows: Sequence[dict]) -> dict:
    """Headline numbers from per-article rows (also what each bootstrap resample computes)."""

    def total(key: str) -> int:
        return sum(row[key] for row in rows)

    n_gold, n_pred, tp, strict_tp = total("n_gold"), total("n_pred"), total("tp"), total("strict_tp")
    precision, recall, f1 = prf(tp, n_gold, n_pred)
    strict_precision, strict_recall, strict_f1 = prf(strict_tp, n_gold, n_pred)
    attributed_tp = total("attributed_tp")
    attributed_precision, attributed_recall, attributed_f1 = prf(attributed_tp, n_gold, n_pred)
    return {
        "claim_precision": precision,
        "claim_recall": recall,
        "claim_f1": f1,
        "strict_precision": strict_precision,
        "strict_recall": strict_recall,
        "strict_f1": strict_f1,
        "attributed_precision": attributed_precision,
        "attributed_recall": attributed_recall,
        "attributed_f1": attributed_f1,
        "macro_precision": mean(row["precision"] for row in rows),
        "macro_recall": mean(row["recall"] for row in rows),
        "macro_f1": mean(row["f1"] for row in rows),
        "macro_strict_f1": mean(row["strict_f1"] for row in rows),
        "validity_rate": ratio(sum(1 for row in rows if row["valid"]), len(rows), None),
        "grounding_rate": ratio(total("n_grounded"), total("n_evidence"), None),
        "hallucinated_number_rate": ratio(total("n_hallucinated"), total("n_values"), None),
        "summary_invented_number_rate": ratio(total("n_summary_invented"), total("n_summary_numbers"), None),
        "summaries_with_invented_number_rate": ratio(
            sum(1 for row in rows if row["summary_has_invented_number"]), total("summary_checked"), None
        ),
        "n_articles": len(rows),
        "n_valid": sum(1 for row in rows if row["valid"]),
        "n_gold_claims": n_gold,
        "n_pred_claims": n_pred,
        "n_matched": tp,
        "n_strict_matched": strict_tp,
        "n_attributed_matched": attributed_tp,
        "n_summaries_checked": total("summary_checked"),
        "n_summary_numbers": total("n_summary_numbers"),
        "n_summary_invented": total("n_summary_invented"),
    }


def per_field_accuracy(rows: Sequence[dict]) -> dict[str, dict]:
    """For every field, over all matched pairs: n, correct, accuracy, missing, invented, wrong."""
    matches = [m for row in rows for m in row["matches"]]
    table = {}
    for field in FIELDS:
        errors = [m["field_diffs"][field]["error"] for m in matches if field in m["field_diffs"]]
        n = len(matches)
        table[field] = {
            "n": n,
            "correct": n - len(errors),
            "accuracy": ratio(n - len(errors), n, None),
            "missing": errors.count("missing"),
            "invented": errors.count("invented"),
            "wrong": errors.count("wrong"),
        }
    return table


def bootstrap_cis(
    per_article: Sequence[dict],
    metrics: Sequence[str] = CI_METRICS,
    n: int = BOOTSTRAP_N,
    seed: int = BOOTSTRAP_SEED,
    level: float = BOOTSTRAP_LEVEL,
) -> dict[str, list[float] | None]:
    """:func:`~summarizer.evaluation.metrics.bootstrap_ci` of several :func:`aggregate` metrics at once
    (same resamples, one pass)."""
    if not per_article:
        return {metric: None for metric in metrics}
    rows = list(per_article)
    draws: dict[str, list[float]] = {metric: [] for metric in metrics}
    for sample in resamples(len(rows), n, seed):
        numbers = aggregate([rows[i] for i in sample])
        for metric in metrics:
            if numbers[metric] is not None:
                draws[metric].append(numbers[metric])
    return {metric: interval(draws[metric], level) for metric in metrics}


def score_documents(
    gold: dict[str, dict],
    pred: dict[str, dict | None],
    articles: dict[str, str] | None = None,
    *,
    n_bootstrap: int = BOOTSTRAP_N,
    seed: int = BOOTSTRAP_SEED,
) -> dict:
    """The full report for gold and predicted documents keyed by article id.

    Every gold id is scored; a gold id absent from ``pred`` (or mapped to None)
    is an invalid, empty prediction. Predicted ids with no gold are listed under
    ``ignored_predictions`` and not scored. ``articles`` (id -> text) enables the
    grounding, hallucinated-number and summary invented-number rates. Raises
    :class:`InputError` for a gold document that fails the schema.
    """
    for article_id in sorted(gold):
        _check_gold(article_id, gold[article_id])
    articles = articles or {}
    rows = [score_article(i, gold[i], pred.get(i), articles.get(i)) for i in sorted(gold)]
    per_field = per_field_accuracy(rows)
    field_accuracies = [per_field[f]["accuracy"] for f in FIELDS if f != "outcome"]
    return {
        **aggregate(rows),
        "count_accuracy": per_field["count.value"]["accuracy"],
        "mean_field_accuracy": mean(field_accuracies),
        "ci": bootstrap_cis(rows, n=n_bootstrap, seed=seed),
        "per_article": rows,
        "per_field": per_field,
        "ignored_predictions": sorted(set(pred) - set(gold)),
        "settings": {
            "match_threshold": MATCH_THRESHOLD,
            "similarity_weights": dict(SIMILARITY_WEIGHTS),
            "strict_fields": list(STRICT_FIELDS),
            "bootstrap": {"n": n_bootstrap, "seed": seed, "level": BOOTSTRAP_LEVEL, "method": "percentile"},
        },
    }
