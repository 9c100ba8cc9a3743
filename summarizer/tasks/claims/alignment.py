"""Pair gold and predicted claims one to one, and compare a matched pair field by field.

Alignment
---------
Per article, gold and predicted claims are paired one-to-one by the Hungarian
algorithm (``scipy.optimize.linear_sum_assignment``) on :func:`similarity`:

* ``outcome`` must be equal, else the similarity is 0;
* otherwise it is the weighted share of these fields that agree (after
  :mod:`summarizer.tasks.claims.normalize`)::

      count.value 35   equipment 25   victim_group 15   victim_side 15   claimant 10

  ``equipment`` only weighs in when the outcome is ``equipment_destroyed``; for
  other outcomes the remaining weights (75 points) are the whole.
* a pair is a match when its similarity is at least ``MATCH_THRESHOLD`` = 0.5.
  For people: the right number plus any one other field, or group + side +
  claimant with a wrong number. For equipment: number + kind, kind + group +
  side, or number + group.

Ties between equally similar pairings are broken by the overlap of the evidence
words (a weight far too small to override any field), so the result does not
depend on claim order.

Field comparison
----------------
Each field has its comparator (:data:`COMPARATORS`): text after
:mod:`summarizer.tasks.claims.normalize`, numbers by value, enums exactly. A pair that
disagrees on a field names how (:func:`error_kind`): ``missing``, ``invented`` or ``wrong``.
Pure functions; :mod:`summarizer.tasks.claims.scoring` builds the report from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from summarizer.tasks.claims.normalize import fold, same_claimant, same_equipment, same_side, same_text

FIELDS: tuple[str, ...] = (
    "claimant",
    "claimant_type",
    "claimant_side",
    "outcome",
    "victim_side",
    "victim_group",
    "equipment",
    "count.value",
    "count.qualifier",
    "count.upper",
    "period",
    "location",
    "perpetrator_side",
    "verification",
)
# Integer points so that sums and the threshold test are exact in floating point.
SIMILARITY_WEIGHTS: dict[str, int] = {
    "count.value": 35,
    "equipment": 25,
    "victim_group": 15,
    "victim_side": 15,
    "claimant": 10,
}
MATCH_THRESHOLD = 0.5
STRICT_FIELDS: tuple[str, ...] = (
    "outcome",
    "count.value",
    "count.qualifier",
    "count.upper",
    "victim_side",
    "victim_group",
    "equipment",
)
TIE_BREAK_WEIGHT = 1e-6  # x evidence overlap (<= 1) x at most 200 claims < the smallest field difference


# ---------------------------------------------------------------- field comparison


def field_value(claim: dict, field: str):
    """The value of ``field`` ("count.value" reaches into ``count``); None when absent."""
    if field.startswith("count."):
        count = claim.get("count")
        return count.get(field[len("count.") :]) if isinstance(count, dict) else None
    return claim.get(field)


def _same_exact(a, b) -> bool:
    return a == b


def _same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return float(a) == float(b)  # 1180 and 1180.0 are the same figure


# Any: the values are JSON values of a field, and each comparator takes the kinds its field holds.
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "claimant": same_claimant,
    "claimant_type": _same_exact,
    "claimant_side": same_side,
    "outcome": _same_exact,
    "victim_side": same_side,
    "victim_group": _same_exact,
    "equipment": same_equipment,
    "count.value": _same_number,
    "count.qualifier": _same_exact,
    "count.upper": _same_number,
    "period": same_text,
    "location": same_text,
    "perpetrator_side": same_side,
    "verification": _same_exact,
}


def fields_agree(gold: dict, pred: dict, field: str) -> bool:
    return COMPARATORS[field](field_value(gold, field), field_value(pred, field))


def error_kind(gold_value, pred_value) -> str:
    """How a field is wrong: "missing", "invented" or "wrong" (call only when it is wrong)."""
    if pred_value is None:
        return "missing"
    if gold_value is None:
        return "invented"
    return "wrong"


def field_diffs(gold: dict, pred: dict) -> dict[str, dict]:
    """Every field on which a matched pair disagrees: {field: {gold, pred, error}}."""
    diffs = {}
    for field in FIELDS:
        if not fields_agree(gold, pred, field):
            g, p = field_value(gold, field), field_value(pred, field)
            diffs[field] = {"gold": g, "pred": p, "error": error_kind(g, p)}
    return diffs


def is_strict_match(gold: dict, pred: dict) -> bool:
    return all(fields_agree(gold, pred, field) for field in STRICT_FIELDS)


def is_attributed_match(gold: dict, pred: dict) -> bool:
    """A strict match whose claimant is right too (after normalisation): the figure, whose it is,
    and who says so. Attribution is what the tool is for."""
    return is_strict_match(gold, pred) and fields_agree(gold, pred, "claimant")


# ---------------------------------------------------------------- alignment


def _similarity_points(gold: dict, pred: dict) -> tuple[int, int]:
    """(points agreed, points possible) of the weighted fields for this pair."""
    weighted = [f for f in SIMILARITY_WEIGHTS if f != "equipment" or gold.get("outcome") == "equipment_destroyed"]
    agreed = sum(SIMILARITY_WEIGHTS[f] for f in weighted if fields_agree(gold, pred, f))
    return agreed, sum(SIMILARITY_WEIGHTS[f] for f in weighted)


def similarity(gold: dict, pred: dict) -> float:
    """Pair similarity in [0, 1]; 0 unless the outcomes are equal (weights in the module docstring)."""
    if gold.get("outcome") != pred.get("outcome"):
        return 0.0
    agreed, possible = _similarity_points(gold, pred)
    return agreed / possible


def _evidence_overlap(gold: dict, pred: dict) -> float:
    a = set(fold(str(gold.get("evidence") or "")).split())
    b = set(fold(str(pred.get("evidence") or "")).split())
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def align(
    gold_claims: Sequence[dict], pred_claims: Sequence[dict], threshold: float = MATCH_THRESHOLD
) -> list[tuple[int, int, float]]:
    """One-to-one matches ``(gold_index, pred_index, similarity)``, sorted by gold index.

    Maximises the total similarity of the pairs at or above ``threshold``; pairs
    below it are worth nothing to the assignment and are dropped afterwards.
    """
    if not gold_claims or not pred_claims:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    sims = np.array([[similarity(g, p) for p in pred_claims] for g in gold_claims])
    eligible = sims >= threshold
    ties = np.array([[_evidence_overlap(g, p) for p in pred_claims] for g in gold_claims])
    worth = np.where(eligible, sims + TIE_BREAK_WEIGHT * ties, 0.0)
    rows, cols = linear_sum_assignment(worth, maximize=True)
    pairs = [(int(r), int(c), float(sims[r, c])) for r, c in zip(rows, cols, strict=True) if eligible[r, c]]
    return sorted(pairs)
