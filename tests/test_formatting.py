"""One fmt for every table: each output keeps its own placeholder for a missing value."""

from __future__ import annotations

import pytest

from summarizer.reporting.formatting import EN_DASH, HYPHEN, NOT_AVAILABLE, ci_bounds, fmt, fmt_ci, fmt_interval

CASES = [
    # (value, keyword arguments, expected)
    (None, {}, "–"),
    (None, {"missing": HYPHEN}, "-"),
    (None, {"missing": NOT_AVAILABLE}, "n/a"),
    (0.80912, {}, "0.809"),
    (0.80912, {"digits": 1}, "0.8"),
    (3, {}, "3"),
    (True, {}, "yes"),
    (False, {"missing": HYPHEN}, "no"),
    (12345.678, {"digits": 2, "grouping": True, "unit": " ms"}, "12,345.68 ms"),
    (1234567, {"grouping": True}, "1,234,567"),
    ("rules", {}, "rules"),
]


@pytest.mark.parametrize("value, kwargs, expected", CASES)
def test_fmt(value, kwargs, expected):
    assert fmt(value, **kwargs) == expected


def test_intervals_as_lists_or_mappings_and_missing_ones():
    assert ci_bounds({"low": 0.1, "high": 1}) == (0.1, 1.0) and ci_bounds([None, 1]) is None
    assert fmt_interval([0.714, 0.8971]) == "[0.714, 0.897]" and fmt_interval(None, HYPHEN) == "-"
    assert fmt_ci(0.809, [0.714, 0.897]) == "0.809 [0.714, 0.897]" and fmt_ci(0.5, None) == "0.500"
    assert fmt_ci(None, None) == EN_DASH
