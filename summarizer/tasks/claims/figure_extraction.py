"""Figure-guided extraction: the parser finds the figures, the model labels each one.

A small model asked for a whole claims document copies the worked example, loses
track of who said what and loops until the token budget runs out. Here the work is
cut into short, separate questions:

1. :func:`summarizer.tasks.claims.figures.find_figures` lists the article's candidate counts, with
   value, qualifier and sentence read from the text;
2. the model reads the article's cast once (:mod:`summarizer.tasks.claims.cast`): the actors it names,
   each an article span with a kind; claimants, their types and the parties sides may name come
   from it;
3. for each figure the model answers one short label (what the figure counts, about
   whom, who says so) under a grammar grounded in the article
   (:mod:`summarizer.tasks.claims.figure_grammar`); "none" drops the figure. Every request shares
   the instructions and the article, whose KV cache is computed once, and the
   requests are decoded in batches (:mod:`summarizer.engine.batch_decode`);
4. claims are assembled in the article's order: count and evidence from the text;
   period, location, perpetrator and verification, which the text states in set
   phrases, from the rule reader's draft of the same figure when the backend passes
   one (the model's tokens go to what needs judgement); repeats of a figure merged into its most specific mention
   (:mod:`summarizer.tasks.claims.repeats`);
5. the summary is written last, from the claims found, under a grammar that allows
   only the article's numbers (:mod:`summarizer.engine.summary_grammar`), or built from the
   claims without the model (``summary="claims"``).

No generation can run away: each label is bounded, and a label that does not finish
within its budget only loses that figure.
"""

from __future__ import annotations

import bisect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from summarizer.engine.batch_decode import BATCH_ROWS
from summarizer.tasks.claims.article_limits import MAX_FIGURES, likely_claims
from summarizer.tasks.claims.figures import Figure, find_figures, split_sentences
from summarizer.tasks.claims.lexicon import (
    GROUP_PHRASES,
    NON_PARTY_TYPES,
    OUTCOME_PHRASES,
    QUALIFIER_PHRASES,
    outcomes_named,
)
from summarizer.tasks.claims.repeats import dedupe, is_headline

if TYPE_CHECKING:
    from summarizer.engine.decode import DecodeParams, Decoder, Tokenizer
    from summarizer.engine.request_chat import RequestChat
    from summarizer.tasks.claims.cast import Cast

LABEL_TOKENS = 160  # a label is ~60-90 tokens, most of them forced keys
LABEL_BATCH = BATCH_ROWS  # labels decoded together (one forward pass per step for all of them)
SUMMARY_TOKENS = 120  # 1-3 short sentences; a summary cut off falls back to the claims-built one
MAX_EVIDENCE, MAX_SUMMARY, MAX_CLAIMS = 1000, 600, 200
SUMMARY_MODES = ("model", "claims")


@dataclass
class FigureRun:
    """What one article's figure-guided extraction produced."""

    document: dict[str, Any]
    labels: list[dict[str, Any] | None]  # per figure: the model's label (None: cut off)
    stats: dict[str, Any] = field(default_factory=dict)
    cast: list[dict[str, str]] = field(default_factory=list)  # the article's actors (tasks.claims.cast)

    @property
    def raw(self) -> str:
        return json.dumps({"cast": self.cast, "labels": self.labels, "document": self.document}, ensure_ascii=False)


# The one part that differs between an in-process model and a server: given the requests of one
# article, all of one kind ("label": a figure each; "summary") and a grammar each, generate at most
# ``budget`` tokens per request, add counts to ``totals``, and answer (text, stopped) per request in
# order; stopped False means cut off by the budget. (kind, requests, grammars, budget, totals) -> ...
Generate = Callable[[str, list[str], list[str], int, dict[str, float]], list[tuple[str, bool]]]


def label_figures(
    article: str,
    generate: Generate,
    summary: str = "model",
    grounded: bool = True,
    drafts: list[dict[str, Any]] | None = None,
    figures: list[Figure] | None = None,
    max_figures: int = MAX_FIGURES,
    on_cast: Callable[[Cast | None], None] | None = None,
) -> FigureRun:
    """Figure-guided extraction of ``article`` with ``generate`` as the model.
    ``drafts``: claims a rule reader found in the article; a figure's period, location,
    perpetrator and verification come from the draft of the same figure. ``figures``: the figures
    to ask (a long article's chunk: the article's plan, tasks/claims/article_limits); else the
    ``max_figures`` of the article's most likely to be claims, and the stats say how many were left.
    ``on_cast``: told the article's cast (None: none read) before the labels are asked."""
    from summarizer.tasks.claims.figure_prompting import figure_request

    figures, counts = (figures, {}) if figures is not None else _most_likely(article, max_figures)
    figures, figure_drafts = figures_to_label(article, drafts or [], figures)
    totals: dict[str, float] = {}
    generate = _timed(generate)
    cast = read_article_cast(article, figures, generate, totals) if figures and grounded else None
    if on_cast is not None:
        on_cast(cast)
    requests = [figure_request(article, figure) for figure in figures]
    sentences = split_sentences(article)
    grammars = [
        _label_grammar(article, figure, grounded, draft, cast, sentences)
        for figure, draft in zip(figures, figure_drafts, strict=True)
    ]
    outputs = generate("label", requests, grammars, LABEL_TOKENS, totals)
    labels = [json.loads(text) if stopped else None for text, stopped in outputs]
    claims = [
        build_claim(label, figure, article, draft)
        for label, figure, draft in zip(labels, figures, figure_drafts, strict=True)
        if label and label["outcome"] != "none"
    ]
    claims = _without_repeats(claims)[:MAX_CLAIMS]
    text = _summary(article, claims, generate, totals, grounded) if summary == "model" else None
    document = {"summary": text or claims_summary(claims), "claims": claims}
    stats = {
        **{k: int(v) if float(v).is_integer() else v for k, v in totals.items()},
        "figures": len(labels),
        "labels_cut_off": labels.count(None),
        "actors": len(cast.actors) if cast else 0,
        **counts,
    }
    return FigureRun(document, labels, stats, cast.as_records() if cast else [])


def _timed(generate: Generate) -> Generate:
    """``generate`` adding each phase's wall seconds to the totals ("actor_seconds", "label_seconds",
    "summary_seconds"): where an article's time goes, on any backend."""

    def timed(
        kind: str, requests: list[str], grammars: list[str], budget: int, totals: dict[str, float]
    ) -> list[tuple[str, bool]]:
        started = time.perf_counter()
        try:
            return generate(kind, requests, grammars, budget, totals)
        finally:
            totals[f"{kind}_seconds"] = round(totals.get(f"{kind}_seconds", 0) + time.perf_counter() - started, 4)

    return timed


def _most_likely(article: str, limit: int) -> tuple[list[Figure], dict[str, int]]:
    """The ``limit`` figures of ``article`` most likely to be claims, and the article's figure stats."""
    candidates = find_figures(article)
    figures = likely_claims(article, candidates, limit)
    return figures, figure_counts(len(candidates), len(figures))


def figure_counts(found: int, asked: int) -> dict[str, int]:
    """An article's figure stats: how many the parser found and how many were left unasked."""
    return {"figures_found": found, "figures_unasked": found - asked}


def read_article_cast(article: str, figures: list[Figure], generate: Generate, totals: dict[str, float]) -> Cast:
    """The article's cast: the parser's candidate actors near the figures, each typed by the model
    in one short answer (a batch, like the figures); a cut-off answer leaves its candidate out."""
    from summarizer.core.countries import country_of
    from summarizer.tasks.claims.actors import Candidate, find_candidates
    from summarizer.tasks.claims.cast import KIND_TOKENS, MAX_ACTORS, canonical_names, cast_of, kind_grammar, read_kind
    from summarizer.tasks.claims.figure_prompting import actor_request

    candidates = find_candidates(article)
    near = _near_figures(candidates, figures, article)
    # A country or people of the table needs no question ("Russia says": a state); a generic mention
    # is asked under its specific name ("the ministry" as "Veldan's Defence Ministry").
    known = {c.text: "country" for c in near if country_of(c.text)}
    names = [c.text for c in candidates]
    specific = dict(zip(names, canonical_names([(n, "") for n in names], article), strict=True))
    by_text = {c.text: c for c in candidates}
    asked: list[Candidate] = []
    for c in near:
        target = by_text.get(specific[c.text], c)
        if len(asked) == MAX_ACTORS:
            break  # the first MAX_ACTORS are asked; a list of hundreds of names is not searched for more
        if c.text not in known and target not in asked:
            asked.append(target)
    requests = [actor_request(article, candidate) for candidate in asked]
    answers = generate("actor", requests, [kind_grammar()] * len(asked), KIND_TOKENS, totals) if asked else []
    totals["actors_asked"] = len(asked)
    kind_of = {
        **known,
        **{c.text: read_kind(t) if stopped else None for c, (t, stopped) in zip(asked, answers, strict=True)},
    }
    for c in near:  # a generic mention is the kind its specific name was found to be
        kind_of.setdefault(c.text, kind_of.get(specific[c.text]))
    return cast_of(names, [kind_of.get(n) for n in names], article)


def _near_figures(candidates: list[Any], figures: list[Figure], article: str) -> list[Any]:
    """Candidates mentioned in a figure's sentence or the sentences either side of it (where
    whoever gives a figure is named), in the article's order: any of its mentions, not only the
    first (a party the lede names may give a figure paragraphs later)."""
    sentences = split_sentences(article)
    index = {span: i for i, span in enumerate(sentences)}
    near = {i + d for f in figures if f.sentence in index for i in [index[f.sentence]] for d in (-1, 0, 1)}
    return [c for c in candidates if any(index.get(s, -9) in near for s in c.sentences or (c.sentence,))]


def _summary(
    article: str, claims: list[dict[str, Any]], generate: Generate, totals: dict[str, float], grounded: bool
) -> str | None:
    from summarizer.engine.summary_grammar import summary_grammar
    from summarizer.tasks.claims.figure_prompting import summary_request

    request = summary_request([claim_line(c) for c in claims])
    [(text, stopped)] = generate("summary", [request], [summary_grammar(article, grounded)], SUMMARY_TOKENS, totals)
    if not stopped:
        return None  # cut off: the claims-built summary stands in
    summary = " ".join(json.loads(text).split())
    return clip_summary(summary) or None


@lru_cache(maxsize=1)
def figure_chat() -> RequestChat:
    """The chat of every request of figure-guided extraction (:func:`figure_messages`): instructions
    and worked example, the article, then one request (an actor, a figure or the summary)."""
    from summarizer.engine.request_chat import RequestChat
    from summarizer.tasks.claims.figure_prompting import figure_messages

    return RequestChat("figures", figure_messages, request_tokens=LABEL_TOKENS)


class FigureExtractor:
    """Labels the figures of articles with one decoder and tokenizer, ``batch_size`` figures per forward
    pass (the in-process model call the transformers backend makes, without the backend)."""

    def __init__(self, decoder: Decoder, tokenizer: Tokenizer, batch_size: int = LABEL_BATCH) -> None:
        from summarizer.engine.batch_decode import ArticleBatches

        self.decoder = decoder
        self.batches = ArticleBatches(decoder, tokenizer, batch_size)
        self.batch_size = batch_size
        self.prompts = self.batches.prompts(figure_chat())  # the instructions' KV cache, kept from now on

    def extract(
        self,
        article: str,
        params: DecodeParams,
        summary: str = "model",
        grounded: bool = True,
        drafts: list[dict[str, Any]] | None = None,
        figures: list[Figure] | None = None,
        max_figures: int = MAX_FIGURES,
    ) -> FigureRun:
        """``params``: :class:`summarizer.engine.decode.DecodeParams` (its budget caps each generation).
        ``drafts``, ``figures``, ``max_figures``: see :func:`label_figures`."""
        started = time.perf_counter()

        def generate(
            _kind: str, requests: list[str], grammars: list[str], budget: int, totals: dict[str, float]
        ) -> list[tuple[str, bool]]:
            return self.batches.generate(figure_chat(), article, requests, grammars, params, budget, totals)

        run = label_figures(article, generate, summary, grounded, drafts, figures, max_figures)
        run.stats["seconds"] = round(time.perf_counter() - started, 4)
        return run


def _label_grammar(
    article: str,
    figure: Figure,
    grounded: bool,
    draft: dict[str, Any] | None,
    cast: Cast | None = None,
    sentences: list[tuple[int, int]] | None = None,
) -> str:
    """A figure the rule reader read keeps its outcome, group and equipment (and a side it found);
    the model gives the rest. Any other figure is the model's to judge, "none" included.
    ``sentences``: the article's, when the caller has them (see :func:`figure_window`)."""
    from summarizer.tasks.claims.figure_grammar import figure_grammar

    outcomes = outcomes_named(article[slice(*figure.sentence)])
    window = figure_window(article, figure, sentences)
    return figure_grammar(article, grounded, outcomes, draft, cast, window, figure.sentence, figure.end)


def figure_window(article: str, figure: Figure, sentences: list[tuple[int, int]] | None = None) -> tuple[int, int]:
    """The figure's sentence and the sentences either side of it: where its claimant is named.
    ``sentences``: the article's (:func:`split_sentences`), split once per article by a caller
    with many figures (split per figure, a long article's labels took quadratic time)."""
    sentences = split_sentences(article) if sentences is None else sentences
    at = bisect.bisect_left(sentences, figure.sentence)
    if at == len(sentences) or sentences[at] != figure.sentence:
        return figure.sentence
    return sentences[max(0, at - 1)][0], sentences[min(len(sentences) - 1, at + 1)][1]


def figures_to_label(
    article: str,
    drafts: list[dict[str, Any]],
    figures: list[Figure] | None = None,
    limit: int = MAX_FIGURES,
) -> tuple[list[Figure], list[dict[str, Any] | None]]:
    """The figures to ask, each with its draft: ``figures``, else the ``limit`` of every candidate
    figure (the parser leaves out years, dates, money, shares and distances) most likely to be
    claims. None is skipped for want of a harm word the list knows: "torched", "lynched" and words
    no list has are the model's to read, and "none" is always allowed."""
    if figures is None:
        figures = likely_claims(article, find_figures(article), limit)
    spans = _draft_spans(drafts, article)
    return figures, [draft_for(figure, drafts, article, spans) for figure in figures]


def _draft_spans(drafts: list[dict[str, Any]], article: str) -> list[tuple[int, int] | None]:
    """Where each draft's evidence is in the article: found once per draft, not once per figure."""
    from summarizer.core.text import find_span

    return [find_span(article, draft.get("evidence") or "") for draft in drafts]


def draft_for(
    figure: Figure,
    drafts: list[dict[str, Any]],
    article: str,
    spans: list[tuple[int, int] | None] | None = None,
) -> dict[str, Any] | None:
    """The draft claim of the same figure: same value, evidence around the figure.
    ``spans``: the drafts' evidence offsets (:func:`_draft_spans`), when the caller has them."""
    spans = _draft_spans(drafts, article) if spans is None else spans
    for draft, span in zip(drafts, spans, strict=True):
        if draft["count"]["value"] == figure.count["value"] and span and span[0] <= figure.start < span[1]:
            return draft
    return None


def build_claim(
    label: dict[str, Any], figure: Figure, article: str, draft: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A claim in the schema's key order: the model's label; count and evidence from the text;
    period, location, perpetrator and verification from the rule reader's draft, if any."""

    def span(key: str) -> str | None:
        value = label.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    draft = draft or {}
    claimant_type, claimant_side = label["claimant_type"], span("claimant_side")
    if claimant_type in NON_PARTY_TYPES:
        claimant_side = None  # the contract: neutral bodies have none
    return {
        "claimant": span("claimant"),
        "claimant_type": claimant_type,
        "claimant_side": claimant_side,
        "outcome": label["outcome"],
        "victim_side": span("victim_side"),
        "victim_group": label["victim_group"],
        "equipment": span("equipment"),
        "count": figure.count,
        "period": draft.get("period"),
        "location": draft.get("location"),
        "perpetrator_side": draft.get("perpetrator_side"),
        "verification": draft.get("verification", "not_stated"),
        "evidence": evidence(article, figure),
    }


def evidence(article: str, figure: Figure) -> str:
    """The figure's sentence; a sentence too long for the schema is cut to a window around the figure."""
    start, end = figure.sentence
    text = article[start:end].strip()
    if len(text) <= MAX_EVIDENCE:
        return text
    half = MAX_EVIDENCE // 2 - 20
    lo, hi = max(start, figure.start - half), min(end, figure.end + half)
    return article[lo:hi].strip()


def _without_repeats(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each figure the article repeats (a headline and the body) once, in its most specific mention."""
    flagged = [{**claim, "_headline": is_headline(claim["evidence"])} for claim in claims]
    return [{k: v for k, v in claim.items() if k != "_headline"} for claim in dedupe(flagged)]


def claim_line(claim: dict[str, Any]) -> str:
    """One claim as a short line: "Health ministry: at least 31 civilians killed"."""
    count = claim["count"]
    figure = QUALIFIER_PHRASES[count["qualifier"]] + f"{count['value']:,}"
    if count["upper"] is not None:
        figure += f" to {count['upper']:,}"
    what = claim["equipment"] or GROUP_PHRASES.get(claim["victim_group"], claim["victim_group"])
    return f"{claim['claimant'] or 'Unattributed'}: {figure} {what} {OUTCOME_PHRASES[claim['outcome']]}"


def claims_summary(claims: list[dict[str, Any]]) -> str:
    """A summary built from the claims alone (no model): grounded because the claims are."""
    if not claims:
        return "The article states no casualty, displacement or destruction figures."
    # Every number comes from a claim, so from the article; no count of claims (not an article number).
    return clip_summary("; ".join(claim_line(c) for c in claims[:4]) + ".")


def clip_summary(text: str, limit: int | None = MAX_SUMMARY) -> str:
    """At most ``limit`` characters (None: no limit), cut at a sentence end (or a word) so no number is split."""
    from summarizer.engine.summary_grammar import clip_text

    return clip_text(text, limit)
