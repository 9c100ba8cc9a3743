"""A long article's figures are capped, with one warning (issue 22, item 14; timed in benchmarks/LONG_ARTICLES.md)."""

from __future__ import annotations

import warnings

import pytest

from summarizer.tasks.claims.article_limits import MAX_FIGURES, FigureCapWarning, cap_figures
from summarizer.tasks.claims.figure_extraction import figures_to_label


def test_the_first_figures_are_kept_in_order_with_a_warning():
    with pytest.warns(FigureCapWarning) as caught:
        assert cap_figures(list(range(5)), list("abcde"), limit=3) == ([0, 1, 2], ["a", "b", "c"])
    assert [str(w.message) for w in caught] == [
        "an article has 5 candidate figures; only the first 3 are labelled "
        f"(a document holds at most {MAX_FIGURES} claims)"
    ]


def test_under_the_cap_nothing_changes_and_nothing_is_said():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cap_figures([1, 2], [None, None]) == ([1, 2], [None, None])


def test_a_long_article_gets_at_most_the_cap_of_figures_to_label():
    article = " ".join(f"On day {n}, {n + 3} civilians were killed in the shelling." for n in range(300))
    with pytest.warns(FigureCapWarning, match=r"only the first 200 are labelled"):
        figures, drafts = figures_to_label(article, [])
    assert len(figures) == len(drafts) == MAX_FIGURES
    assert figures == sorted(figures, key=lambda f: f.start)  # the first ones, in article order
