"""Ratios, P/R/F1 conventions and the percentile bootstrap shared by the scorers."""

from __future__ import annotations

import pytest

from summarizer.evaluation.metrics import bootstrap_ci, prf


@pytest.mark.parametrize(
    "tp, n_gold, n_pred, expected",
    [
        (2, 4, 2, (1.0, 0.5, 2 / 3)),
        (0, 0, 0, (1.0, 1.0, 1.0)),  # nothing to find, nothing invented
        (0, 3, 0, (0.0, 0.0, 0.0)),  # silent on an article with claims
        (0, 0, 2, (0.0, 0.0, 0.0)),  # invented claims on an article without any
    ],
)
def test_prf_conventions(tp, n_gold, n_pred, expected):
    assert prf(tp, n_gold, n_pred) == pytest.approx(expected)


def _mean_f1(rows):
    return sum(r["f1"] for r in rows) / len(rows)


def test_bootstrap_ci_by_hand():
    # Two articles with F1 0 and 1: a resample's mean is 0, 1/2 or 1, with chance 1/4 each
    # for 0 and 1, so with 1000 resamples the 2.5th and 97.5th percentiles are 0 and 1.
    rows = [{"f1": 0.0}, {"f1": 1.0}]
    assert bootstrap_ci(rows, _mean_f1, n=1000, seed=0) == [0.0, 1.0]
    assert bootstrap_ci([{"f1": 0.4}] * 3, _mean_f1) == [pytest.approx(0.4), pytest.approx(0.4)]
    assert bootstrap_ci([], _mean_f1) is None


def test_bootstrap_ci_is_seeded():
    rows = [{"f1": x / 10} for x in range(10)]
    first = bootstrap_ci(rows, _mean_f1, n=200, seed=3)
    assert first == bootstrap_ci(rows, _mean_f1, n=200, seed=3)
    assert first != bootstrap_ci(rows, _mean_f1, n=200, seed=4)
    # random.Random(3) draws the same 200 resamples on every platform (Python keeps seeded sequences stable):
    # their means' 2.5th and 97.5th percentiles are 0.2695 and 0.6, either side of the articles' mean 0.45.
    assert first == [pytest.approx(0.2695), pytest.approx(0.6)]
