"""The arithmetic every scorer shares: ratios, P/R/F1 and percentile bootstrap intervals.

Conventions (the claims scorer's, :mod:`summarizer.tasks.claims.scoring`, and the user-task
scorer's, :mod:`summarizer.evaluation.task_scoring`):

* P = tp / predicted, R = tp / gold, F1 = 2 tp / (predicted + gold). When a denominator
  is 0 the value is 1.0 if both gold and predicted counts are 0 (nothing to find, nothing
  invented) and 0.0 otherwise.
* confidence intervals: percentile bootstrap over articles (resampled with replacement,
  ``random.Random(seed)``, 1000 resamples, 95%, linear interpolation between order
  statistics). Resamples on which a statistic is undefined (``None``) are left out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import overload

BOOTSTRAP_N = 1000
BOOTSTRAP_SEED = 0
BOOTSTRAP_LEVEL = 0.95


@overload
def ratio(numerator: float, denominator: float, empty: float) -> float: ...
@overload
def ratio(numerator: float, denominator: float, empty: None) -> float | None: ...
def ratio(numerator: float, denominator: float, empty: float | None) -> float | None:
    """numerator / denominator, or ``empty`` when the denominator is 0."""
    return numerator / denominator if denominator else empty


def prf(tp: int, n_gold: int, n_pred: int) -> tuple[float, float, float]:
    """Precision, recall, F1 with the conventions of the module docstring."""
    both_empty = 1.0 if n_gold == 0 and n_pred == 0 else 0.0
    return (ratio(tp, n_pred, both_empty), ratio(tp, n_gold, both_empty), ratio(2 * tp, n_gold + n_pred, both_empty))


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None; None when there are none."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


# ---------------------------------------------------------------- bootstrap


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def resamples(k: int, n: int, seed: int) -> Iterable[list[int]]:
    """``n`` lists of ``k`` article indices drawn with replacement; the same for the same seed."""
    rng = random.Random(seed)
    for _ in range(n):
        yield rng.choices(range(k), k=k)


def interval(values: list[float], level: float) -> list[float] | None:
    """The central ``level`` percentile interval ``[lo, hi]`` of ``values``; None when empty."""
    if not values:
        return None
    values = sorted(values)
    tail = (1 - level) / 2
    return [_percentile(values, tail), _percentile(values, 1 - tail)]


def bootstrap_ci(
    per_article: Sequence[dict],
    statistic: Callable[[list[dict]], float | None],
    n: int = BOOTSTRAP_N,
    seed: int = BOOTSTRAP_SEED,
    level: float = BOOTSTRAP_LEVEL,
) -> list[float] | None:
    """Percentile bootstrap interval ``[lo, hi]`` of ``statistic`` over resampled articles.

    ``statistic`` gets a list of per-article rows. None when there are no articles
    or the statistic is undefined on every resample.
    """
    if not per_article:
        return None
    rows = list(per_article)
    values = [statistic([rows[i] for i in sample]) for sample in resamples(len(rows), n, seed)]
    return interval([v for v in values if v is not None], level)
