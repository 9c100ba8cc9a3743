"""Any Hugging Face causal LM, decoded under the claims grammar by the project's own loop.

Per article: prompt (``prompting``) -> grammar grounded on the article (``grammar``)
-> ``decode.Decoder.generate`` -> JSON. An article too long for the context left
after the prompt and the token budget is split into chunks (``chunking``), each
extracted under a grammar grounded on that chunk, and the documents are merged.

torch and transformers are imported when a backend is created, not at import time.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from summarizer.backends.base import Backend, Extraction, ExtractOptions, register_backend
from summarizer.errors import ModelError
from summarizer.loading import context_size, load_model, model_identity, resolve_device, resolve_dtype

MIN_ARTICLE_TOKENS = 256  # a chunk smaller than this would cut most paragraphs apart
CHUNK_MARGIN_TOKENS = 16  # token counts of pieces and of the whole differ by a few tokens


@register_backend
class TransformersBackend(Backend):
    """A causal LM from the hub or a folder, decoded under the (grounded) claims grammar."""

    name = "transformers"

    def __init__(self, model: str, *, device: str = "auto", dtype: str = "auto", trust_remote_code: bool = False,
                 revision: str | None = None, max_context: int | None = None, schema: dict | None = None):
        """``max_context`` caps the model's context (chunk sooner); ``schema`` replaces the claims
        schema in the grammar (a stricter subset of it, e.g. shorter strings, for tests)."""
        from summarizer.decode import Decoder
        from summarizer.prompting import PromptBuilder
        from summarizer.resources import load_schema

        self._model_name = model
        # Resolved and digested before loading, as identify() does: describe() agrees with it.
        self.identity = self.identify(model, device=device, dtype=dtype, revision=revision,
                                      max_context=max_context, schema=schema)
        self.source, self.revision = self.identity["source"], self.identity["revision"]
        self.tokenizer, self.model = load_model(model, device=device, dtype=dtype,
                                                trust_remote_code=trust_remote_code, revision=self.revision)
        self.context = min(context_size(self.model, self.tokenizer), max_context or 10**9)
        self.schema = schema or load_schema()
        self.schema_hash = self.identity["schema_hash"]
        self.prompts = PromptBuilder(self.tokenizer)
        self.decoder = Decoder(self.model, self.tokenizer)
        self.decoder.cache_prefix(self.prompts.prefix_ids)

    @property
    def model_id(self) -> str:
        return self._model_name

    @classmethod
    def identify(cls, model: str, *, device: str = "auto", dtype: str = "auto", revision: str | None = None,
                 max_context: int | None = None, schema: dict | None = None, **_loading: Any) -> dict[str, Any]:
        """describe() without loading the model: what its output depends on (the run store's key).

        The model's content (hub commit, digest of a folder's files, sha256 of a GGUF file),
        the precision it runs at, the prompt, the schema and the context cap. Raises
        ModelError (one line) when the model cannot be had, before anything is loaded.
        """
        from summarizer.prompting import prompt_hash
        from summarizer.resources import schema_hash

        resolved_device = resolve_device(device)
        precision = str(resolve_dtype(dtype, resolved_device)).removeprefix("torch.")
        custom = schema is not None and schema != _default_schema()  # tests may decode under a stricter schema
        return {"backend": cls.name, "model": model, **model_identity(model, revision),
                "device": resolved_device, "dtype": precision, "prompt_hash": prompt_hash(),
                "schema_hash": _schema_digest(schema) if custom else schema_hash(), "max_context": max_context}

    def describe(self) -> dict[str, Any]:
        return dict(self.identity)

    # --- token budget -------------------------------------------------------------------

    def budget(self, max_new_tokens: int) -> tuple[int, int]:
        """(tokens for the article, tokens to generate) within the model's context.

        The generation budget gives way first: an article needs room to be seen at all.
        """
        room = self.context - self.prompts.overhead_tokens - CHUNK_MARGIN_TOKENS
        if room < MIN_ARTICLE_TOKENS + 64:
            raise ModelError(f"model {self.model_id!r}: its context of {self.context} tokens is too small for the prompt "
                             f"({self.prompts.overhead_tokens} tokens)")
        new_tokens = min(max_new_tokens, room - MIN_ARTICLE_TOKENS)
        return room - new_tokens, new_tokens

    # --- extraction ---------------------------------------------------------------------

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        from summarizer.chunking import split_article

        started = time.perf_counter()
        article_budget, new_tokens = self.budget(options.max_new_tokens)
        if self.prompts.article_tokens(article) <= article_budget:
            extraction = self._extract_text(article, options, new_tokens)
            extraction.stats["chunks"] = 1
        else:
            chunks = split_article(article, article_budget, self.prompts.article_tokens)
            extraction = self._extract_chunks([c.text for c in chunks], options, new_tokens)
        extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
        return extraction

    def _extract_text(self, text: str, options: ExtractOptions, new_tokens: int) -> Extraction:
        from summarizer.decode import DecodeParams
        from summarizer.grammar import build_grammar

        grammar = build_grammar(self.schema, text if options.grounded else None, grounded=options.grounded)
        prompt = self.prompts.build(text)
        params = DecodeParams(max_new_tokens=new_tokens, temperature=options.temperature, top_p=options.top_p,
                              seed=options.seed, fast_forward=options.fast_forward)
        result = self.decoder.generate(prompt.ids, grammar, params)
        stats = {**dict(result.stats), "prompt_tokens": len(prompt.ids)}
        if result.stop_reason == "max_new_tokens":
            limit = f"--max-new-tokens {new_tokens}" if new_tokens == options.max_new_tokens else \
                f"{new_tokens} new tokens (all the model's context left)"
            return Extraction(result.text, None, "truncated", f"cut off at {limit}", stats)
        return _parse(result.text, stats)

    def _extract_chunks(self, texts: list[str], options: ExtractOptions, new_tokens: int) -> Extraction:
        from summarizer.chunking import merge_documents

        parts: list[Extraction] = []
        for number, text in enumerate(texts, 1):
            parts.append(self._extract_text(text, options, new_tokens))
            if parts[-1].status != "ok":  # no document for the article then: stop spending tokens
                break
        stats = {**_sum_stats([p.stats for p in parts]), "chunks": len(texts)}
        raw = "\n".join(p.raw for p in parts)
        if parts[-1].status != "ok":
            return Extraction(raw, None, parts[-1].status, f"chunk {number} of {len(texts)}: {parts[-1].reason}", stats)
        return Extraction(raw, merge_documents([p.document for p in parts]), "ok", None, stats)


def _parse(text: str, stats: dict) -> Extraction:
    """The grammar makes the text a valid document; check anyway, so a bug never yields a broken one."""
    from summarizer.validation import schema_problems

    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return Extraction(text, None, "invalid", f"output is not JSON: {error.msg} at character {error.pos}", stats)
    problems = schema_problems(document)
    if problems:
        return Extraction(text, None, "invalid", f"{problems[0].path}: {problems[0].message}", stats)
    return Extraction(text, document, "ok", None, stats)


def _default_schema() -> dict:
    from summarizer.resources import load_schema

    return load_schema()


def _schema_digest(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:16]


def _sum_stats(all_stats: list[dict]) -> dict:
    total: dict[str, Any] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total
