"""The figure-guided strategy (``--strategy figures``, the claims task's default) on each backend.

The work is :func:`~summarizer.tasks.claims.figure_extraction.label_figures` everywhere: the parser
finds the figures, the model labels each one, claims are built from the text. Only the model call
differs: in process it is the batch decoder on the article's KV cache (transformers), llama.cpp's
parallel sequences (llama-cpp), or one chat request per figure (a server: ``openai_figures``).
An article too long for the context is split into chunks whose documents are merged.
"""

from __future__ import annotations

import json
from typing import Any

from summarizer.core.records import Extraction, ExtractOptions


def figure_strategy(backend: Any) -> Any:
    """The figure strategy built for ``backend`` (at load: its figure prompt is cached once)."""
    from summarizer.core.errors import ModelError

    if backend.name == "transformers":
        return TransformersFigures(backend)
    if backend.name == "llama-cpp":
        return LlamaFigures(backend)
    if backend.name == "openai":
        from summarizer.tasks.claims.openai_figures import ServerFigures

        return ServerFigures(backend, backend.options.in_flight)
    raise ModelError(f"--strategy figures does not run on the {backend.name} backend (use --strategy document)")


def _merged(runs: list[Any], task: Any) -> Extraction:
    """One Extraction of the figure runs of an article's chunks, checked against the task's schema
    (figure labels are not decoded under the document schema)."""
    from summarizer.engine.chunking import merge_documents
    from summarizer.engine.extraction import parse_document, sum_stats

    document = runs[0].document if len(runs) == 1 else merge_documents([r.document for r in runs], task)
    stats = {**sum_stats([r.stats for r in runs]), "chunks": len(runs)}
    return parse_document(
        json.dumps(document, ensure_ascii=False), stats, raw="\n".join(r.raw for r in runs), task=task
    )


class TransformersFigures:
    """Figures labelled in process by the batch decoder, ``batch_size`` per forward pass."""

    def __init__(self, backend: Any):
        from summarizer.tasks.claims.figure_extraction import FigureExtractor

        self.backend = backend
        self.figures = FigureExtractor(backend.decoder, backend.tokenizer, batch_size=backend.options.batch_size)

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        from summarizer.engine.decode import DecodeParams
        from summarizer.engine.extraction import MIN_ARTICLE_TOKENS
        from summarizer.tasks.claims.figure_extraction import label_chunks
        from summarizer.tasks.claims.rules import rule_drafts

        params = DecodeParams(
            max_new_tokens=options.max_new_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            seed=options.seed,
            fast_forward=options.fast_forward,
            speculate=options.speculate,
        )
        figures = self.figures
        budget = self.backend._budget(figures.prompts.overhead_tokens)
        if budget.room() < MIN_ARTICLE_TOKENS:
            raise budget.too_small()
        spans = budget.chunk_spans(article, budget.room())
        runs = label_chunks(
            article,
            spans,
            options.max_figures,
            lambda text, asked: figures.extract(
                text, params, options.summary, options.grounded, rule_drafts(text), asked
            ),
        )
        return _merged(runs, self.backend.task)


class LlamaFigures:
    """Figures labelled by llama.cpp, on parallel sequences after the article's shared prefix."""

    def __init__(self, backend: Any):
        from summarizer.tasks.claims.figure_prompting import FigurePrompts

        self.backend = backend
        self.prompts = FigurePrompts(backend.tokenizer)

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        from summarizer.engine.extraction import MIN_ARTICLE_TOKENS
        from summarizer.tasks.claims.figure_extraction import label_chunks, label_figures
        from summarizer.tasks.claims.rules import rule_drafts

        backend, prompts = self.backend, self.prompts
        budget = backend._budget(prompts.overhead_tokens)
        if budget.room() < MIN_ARTICLE_TOKENS:
            raise budget.too_small()

        def label(text: str, asked: list[Any]) -> Any:
            backend.decoder.start(prompts.prefix_ids)
            article_ids = prompts.article_ids(text)

            def generate(
                _kind: str,
                requests: list[str],
                grammars: list[str],
                limit: int,
                totals: dict[str, float],
                article_ids: list[int] = article_ids,
            ) -> list[tuple[str, bool]]:
                ids = [article_ids + prompts.request_ids(request) for request in requests]
                answers = backend.decoder.generate(
                    ids, grammars, backend._params(options, limit), min(limit, options.max_new_tokens)
                )
                totals["generated_tokens"] = totals.get("generated_tokens", 0) + sum(len(a.tokens) for a in answers)
                totals["forced_tokens"] = totals.get("forced_tokens", 0) + sum(a.forced for a in answers)
                totals["generations"] = totals.get("generations", 0) + len(answers)
                return [(a.text, a.stopped) for a in answers]

            run = label_figures(text, generate, options.summary, options.grounded, rule_drafts(text), asked)
            run.stats["prompt_tokens"] = len(article_ids)
            return run

        spans = budget.chunk_spans(article, budget.room())
        return _merged(label_chunks(article, spans, options.max_figures, label), backend.task)
