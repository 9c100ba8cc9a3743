"""Any Hugging Face causal LM, decoded under a task's grammar (claims by default) by the project's own loop.

Per article: the task's prompt (``prompting``) -> grammar grounded on the article (``grammar``)
-> ``decode.Decoder.generate`` -> JSON. An article too long for the context left
after the prompt and the token budget is split into chunks, each extracted under a
grammar grounded on that chunk, and the documents are merged: that loop and the
checks of the output are :mod:`summarizer.engine.extraction`, shared with other backends.

torch and transformers are imported when a backend is created, not at import time.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Literal

from summarizer.backends.base import Backend, Extraction, ExtractOptions
from summarizer.backends.options import ranged, task_field
from summarizer.core.task import load_task
from summarizer.engine.extraction import (
    MIN_ARTICLE_TOKENS,
    Budget,
    cut_off_limit,
    drop_repeats,
    extract_document,
    parse_document,
    sum_stats,
    truncated_document,
)
from summarizer.engine.loading import context_size, load_model, model_identity, resolve_device, resolve_precision
from summarizer.tasks.claims.figure_extraction import LABEL_BATCH

# The modules whose code decides what a model's output becomes (grammars, figure finding,
# claim assembly): part of the run store's key, so a change to them is never served stale.
ENGINE_MODULES = (
    "engine/grammar",
    "engine/summary_grammar",
    "tasks/claims/figures",
    "tasks/claims/figure_grammar",
    "tasks/claims/figure_prompting",
    "tasks/claims/figure_extraction",
    "engine/sides",
    "tasks/claims/salvage",
    "engine/decode",
    "engine/batch_decode",
    "engine/speculation",
    "engine/extraction",
    "tasks/claims/lexicon",
    "core/task",
    "tasks/claims/rules",  # the rule drafts figure-guided extraction starts from (a module or a package)
)


@dataclass(frozen=True)
class TransformersOptions:
    """How the model is loaded and run (``--backend-opt key=value``; --device, --dtype ... set them too)."""

    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "bfloat16", "float32", "int8"] = "auto"
    trust_remote_code: bool = False  # run the model repository's own code
    revision: str | None = None  # hub branch, tag or commit
    max_context: int | None = ranged(None, minimum=1)  # caps the model's context (articles are chunked sooner)
    batch_size: int = ranged(LABEL_BATCH, minimum=1)  # figures labelled per forward pass (figure-guided extraction)
    # Replaces the task's schema in the grammar (a stricter subset, e.g. shorter strings, for tests).
    # Python callers only: a dict cannot be given as --backend-opt.
    schema: dict | None = None
    task: Any = task_field()  # what to extract (a Task; None: claims), set by --task


class TransformersBackend(Backend):
    """A causal LM from the hub or a folder, decoded under the task's (grounded) grammar."""

    name = "transformers"
    Options = TransformersOptions

    def __init__(self, model: str, options: TransformersOptions | None = None):
        from summarizer.engine.decode import Decoder
        from summarizer.engine.prompting import PromptBuilder, prompt_parts
        from summarizer.tasks.claims.figure_extraction import FigureExtractor

        options = options or TransformersOptions()
        self._model_name, self.options = model, options
        self.task = load_task(options.task)
        # Resolved and digested before loading, as identify() does: describe() agrees with it.
        self.identity = self.identify(model, options)
        self.source, self.revision = self.identity["source"], self.identity["revision"]
        self.tokenizer, self.model = load_model(
            model,
            device=options.device,
            dtype=options.dtype,
            trust_remote_code=options.trust_remote_code,
            revision=self.revision,
        )
        self.context = min(context_size(self.model, self.tokenizer), options.max_context or 10**9)
        self.schema = options.schema or self.task.schema
        self.schema_hash = self.identity["schema_hash"]
        self.prompts = PromptBuilder(self.tokenizer, prompt_parts(self.task))
        self.decoder = Decoder(self.model, self.tokenizer)
        self.decoder.cache_prefix(self.prompts.prefix_ids)
        # Figure-guided extraction is the claims task's own (its figure prompt is cached only for it).
        self.figures = (
            FigureExtractor(self.decoder, self.tokenizer, batch_size=options.batch_size)
            if self.task.is_claims
            else None
        )

    @property
    def model_id(self) -> str:
        return self._model_name

    @classmethod
    def identify(cls, model: str, options: TransformersOptions | None = None) -> dict[str, Any]:
        """describe() without loading the model: what its output depends on (the run store's key).

        The model's content (hub commit, digest of a folder's files, sha256 of a GGUF file),
        the precision it runs at, the task (prompt, schema, settings) and the context cap. Raises
        ModelError (one line) when the model cannot be had, before anything is loaded.
        """
        from summarizer.tasks.claims.figure_prompting import figure_prompt_hash

        options = options or TransformersOptions()
        schema, max_context = options.schema, options.max_context
        task = load_task(options.task)
        resolved_device = resolve_device(options.device)
        precision = resolve_precision(options.dtype, resolved_device)
        custom = schema is not None and schema != task.schema  # tests may decode under a stricter schema
        # The figure prompt is part of how claims are extracted; a user task never uses it.
        prompt = f"{task.prompt_hash}+{figure_prompt_hash()}" if task.is_claims else task.prompt_hash
        return {
            "backend": cls.name,
            "model": model,
            **model_identity(model, options.revision),
            "device": resolved_device,
            "dtype": precision,
            "prompt_hash": prompt,
            "engine_hash": engine_hash(),
            "task": task.name,
            "task_hash": task.hash,
            "schema_hash": _schema_digest(schema) if custom and schema is not None else task.schema_hash,
            "max_context": max_context,
        }

    def describe(self) -> dict[str, Any]:
        return dict(self.identity)

    # --- token budget -------------------------------------------------------------------

    def budget(self, max_new_tokens: int) -> tuple[int, int]:
        """(tokens for the article, tokens to generate) within the model's context."""
        return self._budget(self.prompts.overhead_tokens).split(max_new_tokens)

    def _budget(self, overhead_tokens: int) -> Budget:
        return Budget(self.model_id, self.context, overhead_tokens, self.prompts.article_tokens)

    # --- extraction ---------------------------------------------------------------------

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        started = time.perf_counter()
        if options.strategy == "figures" and self.task.is_claims:  # figures are claims' own; a task's: documents
            extraction = self._extract_figures(article, options)
        else:
            extraction = extract_document(
                article, options, self._budget(self.prompts.overhead_tokens), self._extract_text, self.task
            )
        extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
        return extraction

    def _extract_figures(self, article: str, options: ExtractOptions) -> Extraction:
        """Figure-guided extraction; an article too long for the context is split into chunks."""
        from summarizer.engine.chunking import merge_documents
        from summarizer.engine.decode import DecodeParams
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
        assert figures is not None  # extract() takes this path for the claims task only, which has one
        budget = self._budget(figures.prompts.overhead_tokens)
        if budget.room() < MIN_ARTICLE_TOKENS:
            raise budget.too_small()
        texts = budget.chunks(article, budget.room())
        runs = [
            figures.extract(text, params, summary=options.summary, grounded=options.grounded, drafts=rule_drafts(text))
            for text in texts
        ]
        document = runs[0].document if len(runs) == 1 else merge_documents([r.document for r in runs], self.task)
        stats = {**sum_stats([r.stats for r in runs]), "chunks": len(runs)}
        # Figure labels are not decoded under the document schema: checked against the task's.
        return parse_document(
            json.dumps(document, ensure_ascii=False), stats, raw="\n".join(r.raw for r in runs), task=self.task
        )

    def _extract_text(self, text: str, options: ExtractOptions, new_tokens: int) -> Extraction:
        """One document for ``text``, decoded under the grammar grounded on it."""
        from summarizer.engine.decode import DecodeParams
        from summarizer.engine.grammar import build_grammar

        grammar = build_grammar(self.schema, text if options.grounded else None, grounded=options.grounded)
        prompt = self.prompts.build(text)
        params = DecodeParams(
            max_new_tokens=new_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            seed=options.seed,
            fast_forward=options.fast_forward,
            speculate=options.speculate,
        )
        result = self.decoder.generate(prompt.ids, grammar, params)
        stats = {**dict(result.stats), "prompt_tokens": len(prompt.ids)}
        if result.stop_reason == "max_new_tokens":
            return truncated_document(
                result.text, f"cut off at {cut_off_limit(new_tokens, options.max_new_tokens)}", stats, self.task
            )
        return drop_repeats(parse_document(result.text, stats, task=self.task, schema=self.schema), self.task)


def _schema_digest(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def engine_hash() -> str:
    """sha256 of the engine modules' source (see ENGINE_MODULES), every file of a package among them."""
    from summarizer.core.resources import source_hash

    return source_hash(ENGINE_MODULES)
