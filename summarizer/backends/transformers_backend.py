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

from summarizer.backends.adapter import Batch, Context
from summarizer.backends.base import Backend
from summarizer.backends.options import ranged, task_field
from summarizer.backends.strategies import (
    ITEM_SOURCES,
    build_strategies,
    kit_sources,
    prompt_identity,
    run_strategy,
)
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import load_task
from summarizer.engine.batch_decode import BATCH_ROWS
from summarizer.engine.decode import DecodeParams
from summarizer.engine.extraction import (
    Budget,
    cut_off_limit,
    drop_repeats,
    extract_document,
    parse_document,
    truncated_document,
)
from summarizer.engine.loading import context_size, load_model, model_identity, resolve_device, resolve_precision
from summarizer.engine.request_chat import RequestChat

# The modules whose code decides what a model's output becomes (grammars, decoding, the extraction
# loop): part of the run store's key, so a change to them is never served stale. The task kit's
# own modules (claims: figure finding, claim assembly, the rule drafts) are added per task.
ENGINE_MODULES = (
    "engine/grammar",
    "engine/summary_grammar",
    "engine/sides",
    "core/countries",
    "core/data/countries.tsv",  # the one country and people table sides and grammars read
    "engine/chunking",
    "engine/decode",
    "engine/batch_decode",
    "engine/request_chat",
    "engine/speculation",
    "engine/extraction",
    "core/task",
    "core/kit",
)


@dataclass(frozen=True)
class TransformersOptions:
    """How the model is loaded and run (``--backend-opt key=value``; --device, --dtype ... set them too)."""

    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "bfloat16", "float32", "int8"] = "auto"
    trust_remote_code: bool = False  # run the model repository's own code
    revision: str | None = None  # hub branch, tag or commit
    max_context: int | None = ranged(None, minimum=1)  # caps the model's context (articles are chunked sooner)
    batch_size: int = ranged(BATCH_ROWS, minimum=1)  # rows decoded per forward pass (a strategy's batched requests)
    # Replaces the task's schema in the grammar (a stricter subset, e.g. shorter strings, for tests).
    # Python callers only: a dict cannot be given as --backend-opt.
    schema: dict | None = None
    task: Any = task_field()  # what to extract (a Task; None: claims), set by --task


class TransformersBackend(Backend):
    """A causal LM from the hub or a folder, decoded under the task's (grounded) grammar."""

    name = "transformers"
    Options = TransformersOptions

    def __init__(self, model: str, options: TransformersOptions | None = None):
        from summarizer.engine.batch_decode import ArticleBatches
        from summarizer.engine.decode import Decoder
        from summarizer.engine.prompting import PromptBuilder, prompt_parts

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
        self.batches = ArticleBatches(self.decoder, self.tokenizer, batch_size=options.batch_size)
        # The strategies beyond the document one (claims: figure-guided extraction), on this adapter.
        self.strategies = build_strategies(self)

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
        options = options or TransformersOptions()
        schema, max_context = options.schema, options.max_context
        task = load_task(options.task)
        resolved_device = resolve_device(options.device)
        precision = resolve_precision(options.dtype, resolved_device)
        custom = schema is not None and schema != task.schema  # tests may decode under a stricter schema
        # The prompt files the kit's strategies read (claims: the figure prompt) are part of it too.
        prompt = prompt_identity(task)
        return {
            "backend": cls.name,
            "model": model,
            **model_identity(model, options.revision),
            "device": resolved_device,
            "dtype": precision,
            "prompt_hash": prompt,
            "engine_hash": engine_hash(task),
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
        extraction = run_strategy(self.task, self.strategies, article, options, self._extract_document)
        extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
        return extraction

    def _extract_document(self, article: str, options: ExtractOptions) -> Extraction:
        """The document strategy: one generation per chunk of the article, merged."""
        return extract_document(
            article, options, self._budget(self.prompts.overhead_tokens), self._extract_text, self.task
        )

    def _extract_text(self, text: str, options: ExtractOptions, new_tokens: int) -> Extraction:
        """One document for ``text``, decoded under the grammar grounded on it."""
        from summarizer.engine.grammar import build_grammar

        grammar = build_grammar(self.schema, text if options.grounded else None, grounded=options.grounded)
        prompt = self.prompts.build(text)
        result = self.decoder.generate(prompt.ids, grammar, DecodeParams.of(options, new_tokens))
        stats = {**dict(result.stats), "prompt_tokens": len(prompt.ids)}
        if result.stop_reason == "max_new_tokens":
            return truncated_document(
                result.text, f"cut off at {cut_off_limit(new_tokens, options.max_new_tokens)}", stats, self.task
            )
        return drop_repeats(parse_document(result.text, stats, task=self.task, schema=self.schema), self.task)

    # --- the adapter (summarizer.backends.adapter): short requests about one article ------------

    def article_spans(self, chat: RequestChat, article: str) -> list[tuple[int, int]]:
        return self._budget(self.batches.prompts(chat).overhead_tokens).request_spans(article)

    def generate(self, context: Context, batch: Batch, totals: dict[str, float]) -> list[tuple[str, bool]]:
        """The requests decoded ``batch_size`` at a time on the article's KV cache (the grammar holds
        the model to the batch's answer format: nothing to check afterwards)."""
        params = DecodeParams.of(context.options, context.options.max_new_tokens)
        return self.batches.generate(
            context.chat, context.article, list(batch.requests), list(batch.grammars), params, batch.limit, totals
        )


def _schema_digest(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def engine_hash(task: Any = None) -> str:
    """sha256 of the engine modules' source (see ENGINE_MODULES) and of the task kit's
    (``task``: a Task, None: the default task), every file of a package among them."""
    from summarizer.core.resources import source_hash

    return source_hash((*ENGINE_MODULES, *ITEM_SOURCES, *kit_sources(load_task(task))))
