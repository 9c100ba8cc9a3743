"""The figure-guided strategy (``--strategy figures``, the claims task's default), on any model adapter.

The work is :func:`~summarizer.tasks.claims.figure_extraction.label_figures`: the parser finds the
figures, the model reads the cast and labels each figure, claims are built from the text. The model
call is the backend's (:mod:`summarizer.backends.adapter`): the batch decoder on the article's KV
cache in process, llama.cpp's parallel sequences, or one chat request per figure to a server. Each
kind of request says what its answer is (:func:`answer_formats`), for a server that may not keep to
the grammar. An article too long for the context is split into chunks whose documents are merged.
"""

from __future__ import annotations

from typing import Any

from summarizer.backends.adapter import AnswerFormat, Batch, Context, Part, extract_in_chunks, require_adapter
from summarizer.core.records import Extraction, ExtractOptions


def figure_strategy(backend: Any) -> FigureStrategy:
    """The figure strategy built for ``backend``; ModelError for a backend that is no model adapter."""
    return FigureStrategy(require_adapter(backend, "figures"))


class FigureStrategy:
    """Figures labelled through one adapter; shared by the articles in flight on it."""

    def __init__(self, adapter: Any):
        from summarizer.tasks.claims.figure_extraction import figure_chat

        self.adapter = adapter
        self.chat = figure_chat()

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        """At most ``options.max_figures`` figures asked across the article's chunks, and a chunk asked
        none not read (tasks/claims/article_limits); the article's figure counts in the stats."""
        from summarizer.tasks.claims.article_limits import plan_figures
        from summarizer.tasks.claims.figure_extraction import figure_counts

        article = article.strip()
        spans = self.adapter.article_spans(self.chat, article)
        plan = plan_figures(article, spans, options.max_figures)
        chunks = iter(plan.chunks)
        counts = {**figure_counts(plan.found, plan.asked), "chunks_unread": len(spans) - len(plan.chunks)}

        def write(context: Context) -> Part:
            part = self._label(context, next(chunks).figures)
            part.stats.update(counts)
            counts.clear()  # the article's counts, once: the parts' stats are added up
            return part

        return extract_in_chunks(self.adapter, self.chat, article, options, write, [c.span for c in plan.chunks])

    def _label(self, context: Context, figures: list[Any]) -> Part:
        from summarizer.tasks.claims.figure_extraction import label_figures
        from summarizer.tasks.claims.rules import rule_drafts

        text, options = context.article, context.options
        drafts = rule_drafts(text)
        formats = answer_formats(text, drafts, options.grounded)

        def generate(
            kind: str, requests: list[str], grammars: list[str], limit: int, totals: dict[str, float]
        ) -> list[tuple[str, bool]]:
            return self.adapter.generate(context, Batch(formats[kind], requests, grammars, limit), totals)

        def cast_read(cast: Any) -> None:  # the labels' sides: the cast's parties too, as in their grammars
            formats.update(answer_formats(text, drafts, options.grounded, cast))

        run = label_figures(text, generate, options.summary, options.grounded, drafts, figures, on_cast=cast_read)
        return Part(run.document, run.raw, run.stats)


SUMMARY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 600}


def answer_formats(
    article: str, drafts: list[dict[str, Any]], grounded: bool, cast: Any = None
) -> dict[str, AnswerFormat]:
    """What each kind of request of :func:`label_figures` answers: its JSON Schema and the checks of
    what its grammar guarantees, for a server that may not keep to the grammar. Claimants a cast
    allowed are article spans and its parties are the article's names: what is checked without it.
    A label's sides are, in its schema as in its grammar, null or one of the article's (and its
    ``cast``'s), so a JSON-Schema server's model cannot copy the prompt example's side."""
    from summarizer.engine.summary_grammar import invented_numbers
    from summarizer.tasks.claims.cast import kind_problems, kind_schema
    from summarizer.tasks.claims.figure_grammar import label_claimants, label_problems, label_schema, label_sides

    draft_sides = {d["victim_side"] for d in drafts if d.get("victim_side")}
    sides = label_sides(article, cast, sorted(draft_sides)) if grounded else None
    # With a cast, a claimant is one of the article's speakers, as in the grammar (without one, the
    # grammar takes any article span: checked after generation).
    claimants = label_claimants(article, cast, drafts) if grounded and cast is not None else None
    # Number words split into two text words ("thr" "ee") slip through the summary grammar; a summary
    # with a number the article does not state gives way to the claims-built one, as a cut-off one does.
    usable = (lambda value: not invented_numbers(value, article)) if grounded else None
    return {
        "actor": AnswerFormat("actor", kind_schema(), lambda value: (kind_problems(value), [])),
        "label": AnswerFormat(
            "label", label_schema(sides, claimants), lambda value: label_problems(value, article, draft_sides)
        ),
        "summary": AnswerFormat("summary", SUMMARY_SCHEMA, _summary_problems, usable),
    }


def _summary_problems(value: Any) -> tuple[list[str], list[str]]:
    if not isinstance(value, str) or not value.strip():
        return ["a summary is a non-empty JSON string"], []
    return [], []
