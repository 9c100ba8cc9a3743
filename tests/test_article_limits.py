"""A long article's work is bounded: at most ``max_figures`` figures asked, those most likely to be
claims, and only the chunks that hold them read (issue 22, item 14; timed in benchmarks/LONG_ARTICLES.md)."""

from __future__ import annotations

import json

from summarizer.tasks.claims.article_limits import MAX_FIGURES, likely_claims, plan_figures
from summarizer.tasks.claims.figure_extraction import figures_to_label, label_figures
from summarizer.tasks.claims.figures import find_figures

# Figures 3, 40, 12 and 9: the second and fourth sentences name no harm.
ARTICLE = (
    "Officials said 3 civilians were killed. The town counted 40 schools. "
    "Medics said 12 people were injured. Aid came in 9 trucks."
)


def values(figures) -> list[float]:
    return [f.value for f in figures]


def test_the_cap_keeps_figures_in_harm_sentences_first_then_the_rest_each_in_article_order():
    figures = find_figures(ARTICLE)
    assert values(figures) == [3, 40, 12, 9]
    assert values(likely_claims(ARTICLE, figures, 1)) == [3]
    assert values(likely_claims(ARTICLE, figures, 2)) == [3, 12]  # 40 is earlier but names no harm
    assert values(likely_claims(ARTICLE, figures, 3)) == [3, 40, 12]  # labelled in article order
    assert likely_claims(ARTICLE, figures, 4) == figures


def test_the_default_cap_is_what_one_document_holds():
    from summarizer.core.task import load_task

    assert MAX_FIGURES == load_task("claims").schema["properties"]["claims"]["maxItems"] == 200
    article = " ".join(f"Medics said {n + 3} civilians were killed." for n in range(300))
    figures, drafts = figures_to_label(article, [])
    assert len(figures) == len(drafts) == 200
    assert values(figures) == [n + 3 for n in range(200)]


def test_a_plan_asks_each_figure_in_the_first_chunk_that_holds_it_and_skips_chunks_with_none():
    cut = ARTICLE.index("Medics")
    spans = [(0, cut - 1), (ARTICLE.index("The town"), len(ARTICLE)), (cut, len(ARTICLE))]
    plan = plan_figures(ARTICLE, spans, limit=2)  # 3 and 12
    assert (plan.found, plan.asked, plan.unasked) == (4, 2, 2)
    assert [c.text for c in plan.chunks] == [ARTICLE[: cut - 1], ARTICLE[spans[1][0] :]]
    [three], [twelve] = (c.figures for c in plan.chunks)
    assert (three.text, three.start, three.sentence) == ("3", 15, (0, 39))
    chunk = plan.chunks[1].text
    assert (twelve.text, chunk[twelve.start : twelve.end], chunk[slice(*twelve.sentence)]) == (
        "12",
        "12",
        "Medics said 12 people were injured.",
    )


def test_a_plan_with_no_figure_reads_the_first_chunk_only():
    article = "Nothing was counted here. Nor here."
    plan = plan_figures(article, [(0, 25), (26, len(article))])
    assert [(c.text, c.figures) for c in plan.chunks] == [("Nothing was counted here.", [])]
    assert (plan.found, plan.unasked) == (0, 0)


def none_labels(_kind, requests, _grammars, _budget, _totals):
    return [(json.dumps({"outcome": "none"}), True) for _ in requests]


def test_labelling_asks_at_most_max_figures_and_says_how_many_were_left():
    asked: list[int] = []

    def generate(kind, requests, grammars, budget, totals):
        asked.append(len(requests))
        return none_labels(kind, requests, grammars, budget, totals)

    run = label_figures(ARTICLE, generate, summary="claims", grounded=False, max_figures=3)
    assert asked == [3]
    assert (run.stats["figures"], run.stats["figures_found"], run.stats["figures_unasked"]) == (3, 4, 1)


class TwoChunks:
    """An adapter whose context holds ARTICLE in two chunks, cut before "Medics"; it answers every
    figure "none" and notes the chunks it was asked to read."""

    task = None
    cut = ARTICLE.index("Medics")

    def __init__(self):
        self.read: list[tuple[str, int]] = []  # (chunk, figures asked in it)

    def article_spans(self, chat, article):
        return [(0, self.cut - 1), (self.cut, len(article))]

    def generate(self, context, batch, totals):
        if batch.form.name == "label":
            self.read.append((context.article, len(batch.requests)))
        answer = {"label": json.dumps({"outcome": "none"}), "summary": json.dumps("None.")}
        return [(answer.get(batch.form.name, json.dumps("state")), True) for _ in batch.requests]


def test_the_chunks_of_an_article_share_its_cap_and_its_counts_are_given_once():
    from summarizer.core.records import ExtractOptions
    from summarizer.core.task import load_task
    from summarizer.tasks.claims.strategy import FigureStrategy

    adapter = TwoChunks()
    adapter.task = load_task("claims")
    cut = TwoChunks.cut
    extraction = FigureStrategy(adapter).extract(ARTICLE, ExtractOptions(max_figures=3, grounded=False))
    assert adapter.read == [(ARTICLE[: cut - 1], 2), (ARTICLE[cut:], 1)]  # 3 and 40, then 12
    stats = extraction.stats.as_dict()
    assert (stats["chunks"], stats["figures_found"], stats["figures_unasked"], stats["chunks_unread"]) == (2, 4, 1, 0)
    adapter.read.clear()
    extraction = FigureStrategy(adapter).extract(ARTICLE, ExtractOptions(max_figures=1, grounded=False))
    assert adapter.read == [(ARTICLE[: cut - 1], 1)]  # 3, in the first chunk: the second is not read
    stats = extraction.stats.as_dict()
    assert (stats["chunks"], stats["chunks_unread"], stats["figures_unasked"]) == (1, 1, 3)
