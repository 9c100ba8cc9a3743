"""Bounds on what one article may cost, so a long article ends in bounded time and memory.

A 250 KB article held 813 candidate figures: labelling every one took the tiny model 6.5 minutes
and 2 GB, and a 5 MB article did not finish. The claims document holds at most
:data:`MAX_FIGURES` claims (the schema's ``maxItems``), so figures past that many could never all
be kept: the first :data:`MAX_FIGURES`, in article order, are labelled, with one warning.
Measured in ``benchmarks/LONG_ARTICLES.md`` (``benchmarks/long_article_bench.py``).
"""

from __future__ import annotations

import warnings
from typing import TypeVar

from summarizer.core.errors import SummarizerWarning

MAX_FIGURES = 200  # = claims.schema.json's maxItems for claims

T = TypeVar("T")
U = TypeVar("U")


class FigureCapWarning(SummarizerWarning):
    """An article had more candidate figures than one document can hold; the rest were not labelled."""


def cap_figures(figures: list[T], drafts: list[U], limit: int = MAX_FIGURES) -> tuple[list[T], list[U]]:
    """The first ``limit`` figures and their drafts, in article order; a warning when any are left out."""
    if len(figures) > limit:
        warnings.warn(
            f"an article has {len(figures)} candidate figures; only the first {limit} are labelled "
            f"(a document holds at most {MAX_FIGURES} claims)",
            FigureCapWarning,
            stacklevel=2,
        )
    return figures[:limit], drafts[:limit]
