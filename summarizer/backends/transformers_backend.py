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
import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from summarizer.backends.base import Backend, Extraction, ExtractOptions, register_backend
from summarizer.errors import ModelError
from summarizer.models import resolve_model
from summarizer.salvage import salvage_document, without_repeats

# Files of which a model folder must have at least one for a tokenizer to load from it
# (transformers otherwise builds an empty tokenizer from the config without a word).
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model", "tokenizer_config.json")
MIN_ARTICLE_TOKENS = 256  # a chunk smaller than this would cut most paragraphs apart
CHUNK_MARGIN_TOKENS = 16  # token counts of pieces and of the whole differ by a few tokens
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "bfloat16", "float32")


def _looks_like_path(name: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else with a slash, a dot or a tilde up front is a path."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name or Path(name).exists()


def _hub_offline() -> bool:
    flags = (os.environ.get(name, "").strip().lower() for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))
    return any(flag in {"1", "true", "yes", "on"} for flag in flags)


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP connect to the hub: without it, an offline machine spends a minute in retries."""
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        socket.create_connection((url.hostname or "huggingface.co", url.port or 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _not_found(name: str) -> ModelError:
    why = " (HF_HUB_OFFLINE is set)" if _hub_offline() else " (offline?)"
    return ModelError(
        f"cannot load model {name}: not found on the Hugging Face hub and no local folder of that name{why}. "
        "Download it once with network access, or pass --model /path/to/model"
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def resolve_device(device: str) -> str:
    import torch

    if device not in DEVICES:
        raise ModelError(f"unknown device {device!r} (use {', '.join(DEVICES)})")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda was asked for but no CUDA GPU is available to torch")
    return device


def resolve_dtype(dtype: str, device: str):
    import torch

    if dtype not in DTYPES:
        raise ModelError(f"unknown dtype {dtype!r} (use {', '.join(DTYPES)})")
    if dtype == "auto":
        dtype = "bfloat16" if device == "cuda" else "float32"  # bf16 matmuls on CPU are slow
    return getattr(torch, dtype)


def _check_local_folder(name: str) -> None:
    folder = Path(name).expanduser()
    if not folder.is_dir():
        raise ModelError(f"cannot load model {name!r}: no such folder. Pass --model with a model folder, a hub id or a preset")
    if not any((folder / f).is_file() for f in TOKENIZER_FILES):
        raise ModelError(f"cannot load model {name!r}: the folder has no tokenizer files ({', '.join(TOKENIZER_FILES[:3])}, ...)")


def _from_pretrained(loader, name: str, label: str, **kwargs):
    """Load from the local cache first (never touches the network), then from the hub unless offline."""
    local = _looks_like_path(name)
    try:
        return loader.from_pretrained(name, local_files_only=True, **kwargs)
    except Exception as error:  # transformers raises OSError/ValueError/hub errors; all mean "not here"
        if local:
            raise ModelError(f"cannot load model {label}: {_first_line(error)}") from None
        if _hub_offline() or not _hub_reachable():
            raise _not_found(label) from None
    try:
        return loader.from_pretrained(name, **kwargs)
    except OSError:  # hub errors (not found, gated, no network) are OSErrors
        raise _not_found(label) from None
    except Exception as error:
        raise ModelError(f"cannot load model {label}: {_first_line(error)}") from None


def load_model(name: str, *, device: str = "auto", dtype: str = "auto", trust_remote_code: bool = False,
               revision: str | None = None) -> tuple[Any, Any]:
    """(tokenizer, model) for a preset, hub id or local folder; ModelError (one line) when it cannot be had."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve_model(name)
    label = repr(name) if source == name else f"{name!r} ({source})"
    if _looks_like_path(source):
        _check_local_folder(source)
        source = str(Path(source).expanduser())
    device = resolve_device(device)
    common = {"revision": revision, "trust_remote_code": trust_remote_code}
    tokenizer = _from_pretrained(AutoTokenizer, source, label, **common)
    if len(tokenizer) < 2 or not tokenizer.encode("a", add_special_tokens=False):
        raise ModelError(f"cannot load model {label}: its tokenizer is empty (no tokenizer files?)")
    with _no_weight_loading_bar():
        # transformers prefers *.safetensors when a model has both; *.bin only as a fallback.
        model = _from_pretrained(AutoModelForCausalLM, source, label, dtype=resolve_dtype(dtype, device), **common)
    return tokenizer, model.to(device).eval()


@contextmanager
def _no_weight_loading_bar():
    """transformers draws a bar per load even for local files; the CLI has its own. Downloads keep theirs."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def context_size(model: Any, tokenizer: Any) -> int:
    """The model's maximum number of positions (prompt plus generated tokens)."""
    sizes = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    sizes = [s for s in sizes if isinstance(s, int) and 0 < s < 10_000_000]  # tokenizers say 1e30 for "unknown"
    return min(sizes) if sizes else 2048


@register_backend
class TransformersBackend(Backend):
    """A causal LM from the hub or a folder, decoded under the (grounded) claims grammar."""

    name = "transformers"

    def __init__(self, model: str, *, device: str = "auto", dtype: str = "auto", trust_remote_code: bool = False,
                 revision: str | None = None, max_context: int | None = None, schema: dict | None = None,
                 batch_size: int = 8):
        """``max_context`` caps the model's context (chunk sooner); ``schema`` replaces the claims
        schema in the grammar (a stricter subset of it, e.g. shorter strings, for tests);
        ``batch_size``: figures labelled per forward pass (figure-guided extraction)."""
        from summarizer.decode import Decoder
        from summarizer.figure_extraction import FigureExtractor
        from summarizer.prompting import PromptBuilder
        from summarizer.resources import load_schema, schema_hash

        self._model_name = model
        self.source = resolve_model(model)
        self.tokenizer, self.model = load_model(model, device=device, dtype=dtype,
                                                trust_remote_code=trust_remote_code, revision=revision)
        self.revision = getattr(self.model.config, "_commit_hash", None) or revision
        self.context = min(context_size(self.model, self.tokenizer), max_context or 10**9)
        self.schema = schema or load_schema()
        # Known once: describe() runs for every article (it is part of the run store's cache key).
        custom = self.schema != load_schema()  # tests may decode under a stricter schema
        self.schema_hash = hashlib.sha256(json.dumps(self.schema, sort_keys=True).encode()).hexdigest()[:16] \
            if custom else schema_hash()
        self.prompts = PromptBuilder(self.tokenizer)
        self.decoder = Decoder(self.model, self.tokenizer)
        self.decoder.cache_prefix(self.prompts.prefix_ids)
        self.figures = FigureExtractor(self.decoder, self.tokenizer, batch_size=batch_size)

    @property
    def model_id(self) -> str:
        return self._model_name

    def describe(self) -> dict[str, Any]:
        from summarizer.prompting import prompt_hash

        from summarizer.figure_prompting import figure_prompt_hash

        return {**super().describe(), "source": self.source, "revision": self.revision,
                "prompt_hash": f"{prompt_hash()}+{figure_prompt_hash()}", "schema_hash": self.schema_hash,
                "context": self.context}

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
        if options.strategy == "figures":
            extraction = self._extract_figures(article, options)
            extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
            return extraction
        article_budget, new_tokens = self.budget(options.max_new_tokens)
        if self.prompts.article_tokens(article) <= article_budget:
            extraction = self._extract_text(article, options, new_tokens)
            extraction.stats["chunks"] = 1
        else:
            chunks = split_article(article, article_budget, self.prompts.article_tokens)
            extraction = self._extract_chunks([c.text for c in chunks], options, new_tokens)
        extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
        return extraction

    def _extract_figures(self, article: str, options: ExtractOptions) -> Extraction:
        """Figure-guided extraction; an article too long for the context is split into chunks."""
        from summarizer.chunking import merge_documents, split_article
        from summarizer.decode import DecodeParams

        params = DecodeParams(max_new_tokens=options.max_new_tokens, temperature=options.temperature,
                              top_p=options.top_p, seed=options.seed, fast_forward=options.fast_forward)
        room = self.context - self.figures.prompts.overhead_tokens - CHUNK_MARGIN_TOKENS
        if room < MIN_ARTICLE_TOKENS:
            raise ModelError(f"model {self.model_id!r}: its context of {self.context} tokens is too small for the "
                             f"prompt ({self.figures.prompts.overhead_tokens} tokens)")
        texts = [article]
        if self.prompts.article_tokens(article) > room:
            texts = [c.text for c in split_article(article, room, self.prompts.article_tokens)]
        runs = [self.figures.extract(text, params, summary=options.summary, grounded=options.grounded)
                for text in texts]
        document = runs[0].document if len(runs) == 1 else merge_documents([r.document for r in runs])
        stats = {**_sum_stats([r.stats for r in runs]), "chunks": len(runs)}
        return _parse(json.dumps(document, ensure_ascii=False), stats, raw="\n".join(r.raw for r in runs))

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
            return _truncated(result.text, f"cut off at {limit}", stats)
        parsed = _parse(result.text, stats)
        if parsed.document is not None:  # a model that loops may repeat a claim within the budget too
            parsed.document["claims"] = without_repeats(parsed.document["claims"])
        return parsed

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


def _truncated(text: str, reason: str, stats: dict) -> Extraction:
    """A cut-off document keeps its summary and complete claims (still ``truncated``)."""
    from summarizer.validation import schema_problems

    document = salvage_document(text)
    if document is not None and schema_problems(document):
        document = None  # a custom schema the salvaged part does not satisfy
    kept = f"; kept its {len(document['claims'])} complete claims" if document is not None else ""
    return Extraction(text, document, "truncated", reason + kept, stats)


def _parse(text: str, stats: dict, raw: str | None = None) -> Extraction:
    """The grammar makes the text a valid document; check anyway, so a bug never yields a broken one.
    ``raw`` is what to record as the model's output when it is not ``text`` itself."""
    from summarizer.validation import schema_problems

    from summarizer.figure_extraction import clip_summary

    raw = text if raw is None else raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return Extraction(raw, None, "invalid", f"output is not JSON: {error.msg} at character {error.pos}", stats)
    if isinstance(document, dict) and isinstance(document.get("summary"), str):
        document["summary"] = clip_summary(document["summary"])  # the grounded grammar cannot count characters
    problems = schema_problems(document)
    if problems:
        return Extraction(raw, None, "invalid", f"{problems[0].path}: {problems[0].message}", stats)
    return Extraction(raw, document, "ok", None, stats)


def _sum_stats(all_stats: list[dict]) -> dict:
    total: dict[str, Any] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total
