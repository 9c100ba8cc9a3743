"""Bounds on what one article may cost, so a long article ends in bounded time and memory.

A 250 KB article held 813 candidate figures: labelling every one took the tiny model 6.5 minutes
and 2 GB, and a 5 MB article did not finish in 20 minutes. Two bounds hold it, whatever the
article's length (measured in ``benchmarks/LONG_ARTICLES.md``, ``benchmarks/long_article_bench.py``):

* **Figures asked per article.** At most ``max_figures`` (``ExtractOptions.max_figures``,
  ``--max-figures``; default :data:`MAX_FIGURES`, the claims schema's ``maxItems``: a document
  holds no more claims) across all its chunks: those most likely to be claims, a figure whose
  sentence has a word of harm before one whose has none, each in article order, then labelled in
  article order. The article's stats say how many were found (``figures_found``) and left unasked
  (``figures_unasked``); the CLI says so in one line naming the article.
* **Chunks read per article.** A chunk of a long article holding no figure asked is not read by
  the model at all (no prefill, cast or summary), so the model reads at most as many chunks as
  hold the figures asked; the chunks' figure budgets are the article's, shared out.

What remains grows linearly with the article: reading it, finding its figures and cutting it
into chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from summarizer.core.records import DEFAULT_MAX_FIGURES
from summarizer.tasks.claims.figures import Figure, find_figures
from summarizer.tasks.claims.lexicon import names_harm

MAX_FIGURES = DEFAULT_MAX_FIGURES  # = claims.schema.json's maxItems for claims


def likely_claims(article: str, figures: list[Figure], limit: int = MAX_FIGURES) -> list[Figure]:
    """At most ``limit`` of ``figures``, in article order: first those whose sentence has a word of
    harm ("killed", "fled", "destroyed" ...), then the rest, each kind in article order (a report
    leads with its main figures)."""
    if len(figures) <= limit:
        return list(figures)
    harmless = [not names_harm(article[slice(*f.sentence)]) for f in figures]
    chosen = sorted(range(len(figures)), key=lambda i: (harmless[i], i))[:limit]
    return [figures[i] for i in sorted(chosen)]


@dataclass(frozen=True)
class ChunkFigures:
    """One chunk to label: its text and the article's figures asked in it (offsets in the chunk)."""

    span: tuple[int, int]  # (start, end) in the article
    text: str
    figures: list[Figure]


@dataclass
class FigurePlan:
    """Which chunks of an article are read and which figures each is asked."""

    chunks: list[ChunkFigures] = field(default_factory=list)
    found: int = 0  # the article's candidate figures
    asked: int = 0

    @property
    def unasked(self) -> int:
        return self.found - self.asked


def plan_figures(article: str, spans: list[tuple[int, int]], limit: int = MAX_FIGURES) -> FigurePlan:
    """The figures of ``article`` to ask, each in the first chunk (``spans``: its chunks' offsets, in
    order) that holds it whole; chunks asked nothing are left out, but one chunk is always read
    (its summary says the article gives no figures)."""
    figures = find_figures(article)
    plan = FigurePlan(found=len(figures))
    by_chunk: list[list[Figure]] = [[] for _ in spans]
    at = 0
    for figure in likely_claims(article, figures, limit):
        while at < len(spans) and spans[at][1] < figure.end:  # figures are in order: so is their first chunk
            at += 1
        if at < len(spans) and spans[at][0] <= figure.start:
            by_chunk[at].append(_in_chunk(figure, *spans[at]))
    read = [(span, asked) for span, asked in zip(spans, by_chunk, strict=True) if asked] or [(spans[0], [])]
    plan.chunks = [ChunkFigures((start, end), article[start:end], asked) for (start, end), asked in read]
    plan.asked = sum(len(asked) for asked in by_chunk)
    return plan


def _in_chunk(figure: Figure, start: int, end: int) -> Figure:
    """``figure`` with offsets in the chunk ``start:end``; a sentence the cut splits ends at the cut."""
    sentence = (max(figure.sentence[0], start) - start, min(figure.sentence[1], end) - start)
    return replace(figure, start=figure.start - start, end=figure.end - start, sentence=sentence)
