"""The project's own grammar-constrained decode loop (instead of ``model.generate``).

One generation, for a prompt and an llguidance grammar:

* the prompt is prefilled into a KV cache, starting from a cached shared prefix when
  :meth:`Decoder.cache_prefix` was called and the prompt begins with it;
* whenever the grammar forces the next tokens (JSON keys, punctuation, enum tails),
  they are appended to the tokens of the next forward pass (fast-forward), so one
  pass covers the sampled token and everything forced after it;
* the mask for the next token is computed on a worker thread while the model runs
  (llguidance releases the GIL), into one bitmask buffer allocated once, and applied
  to the logits through preallocated buffers (no per-step allocation for masking);
* tokens past the tokenizer's vocabulary (padded model vocab) are never allowed:
  llguidance leaves their bits at 0.

torch, transformers and llguidance are imported when a Decoder is built, not when
this module is imported.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from summarizer.core.errors import GrammarError, ModelError

if TYPE_CHECKING:
    import torch
    from llguidance import LLMatcher

    from summarizer.core.records import ExtractOptions

StopReason = Literal["stop", "max_new_tokens"]
# A Hugging Face model and tokenizer are duck-typed (any causal LM, and the tests' fakes), and a
# transformers KV cache (DynamicCache) has methods that differ between versions: all three are Any.
Model = Any
Tokenizer = Any
KVCache = Any


@dataclass(frozen=True)
class DecodeParams:
    max_new_tokens: int = 2048
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    seed: int = 0
    fast_forward: bool = True  # append grammar-forced tokens to the next forward pass
    speculate: bool = True  # append article-lookup drafts to a pass, keep what decoding would have chosen

    @classmethod
    def of(cls, options: ExtractOptions, max_new_tokens: int, *, speculate: bool | None = None) -> DecodeParams:
        """An article's decoding options (``options``) with one generation's budget; ``speculate``
        False where the decoder cannot speculate."""
        return cls(
            max_new_tokens=max_new_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            seed=options.seed,
            fast_forward=options.fast_forward,
            speculate=options.speculate if speculate is None else speculate,
        )


@dataclass
class DecodeResult:
    text: str
    token_ids: list[int]  # generated tokens, forced ones included, stop token excluded
    stop_reason: StopReason  # "max_new_tokens": cut off, the text is not a complete document
    stats: dict[str, Any] = field(default_factory=dict)


def model_vocab_size(model: Model) -> int:
    """Rows of the model's output layer: may exceed ``len(tokenizer)`` (padded vocab)."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    if head is not None and getattr(head, "out_features", None):
        return int(head.out_features)
    config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    return int(config.vocab_size)


def model_stop_token_ids(model: Model, tokenizer: Tokenizer) -> list[int]:
    """End-of-turn tokens: ``generation_config.eos_token_id`` (int or list), else the tokenizer's EOS."""
    generation_config = getattr(model, "generation_config", None)
    eos = getattr(generation_config, "eos_token_id", None)
    if eos is None:
        eos = getattr(model.config, "eos_token_id", None)
    if eos is None:
        eos = tokenizer.eos_token_id
    ids = [eos] if isinstance(eos, int) else list(eos or [])
    if not ids:
        raise ModelError("the model declares no end-of-sequence token; pass stop_token_ids")
    return [int(i) for i in ids]


def cache_argument(model: Model) -> str:
    """The name under which the model's forward takes the KV cache: ``cache`` since
    transformers 5.x deprecated ``past_key_values`` (removed in 5.40), else the old name."""
    import inspect

    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def new_cache(model: Any) -> KVCache:
    """An empty KV cache for ``model``."""
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # older transformers: no config argument
        return DynamicCache()


def forward_logits(
    model: Any, token_ids: list[int], cache: KVCache, keep: int = 1, *, device: Any = None, cache_arg: str | None = None
) -> torch.Tensor:
    """Run ``model`` on ``token_ids`` after what ``cache`` holds; logits of the last ``keep``
    positions (float32), one row each (a vector when ``keep`` is 1). ``device`` and ``cache_arg``
    are looked up when not given (a decode loop passes them: it runs this once per step)."""
    import torch

    device = device if device is not None else next(model.parameters()).device
    ids = torch.tensor([token_ids], dtype=torch.long, device=device)
    # no_grad, not inference_mode: the logits are masked in place afterwards.
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True, logits_to_keep=keep, **{cache_arg or cache_argument(model): cache})
    logits: torch.Tensor = out.logits
    return logits[0, -1].float() if keep == 1 else logits[0, -keep:].float()


class _MaskApplier:
    """Turns llguidance's packed bitmask into -inf logits using buffers allocated once."""

    def __init__(self, vocab_size: int, device: torch.device) -> None:
        import torch

        words = (vocab_size + 31) // 32
        self.vocab_size = vocab_size
        self.shifts = torch.arange(32, dtype=torch.int32, device=device)
        self.words = torch.empty((words, 1), dtype=torch.int32, device=device)
        self.bits = torch.empty((words, 32), dtype=torch.int32, device=device)
        self.blocked = torch.empty((words, 32), dtype=torch.bool, device=device)

    def apply(self, logits: torch.Tensor, bitmask_row: torch.Tensor) -> None:
        import torch

        self.words.copy_(bitmask_row.view(-1, 1), non_blocking=True)
        torch.bitwise_right_shift(self.words, self.shifts, out=self.bits)
        torch.bitwise_and(self.bits, 1, out=self.bits)
        torch.eq(self.bits, 0, out=self.blocked)
        logits.masked_fill_(self.blocked.view(-1)[: self.vocab_size], float("-inf"))


class Decoder:
    """Grammar-constrained generation with one model and tokenizer (batch size 1)."""

    def __init__(
        self, model: Model, tokenizer: Tokenizer, *, stop_token_ids: list[int] | None = None, overlap_mask: bool = True
    ) -> None:
        import llguidance.hf
        import llguidance.torch

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.vocab_size = model_vocab_size(model)
        if len(tokenizer) > self.vocab_size:
            raise ModelError(f"the tokenizer has {len(tokenizer)} tokens but the model only {self.vocab_size}")
        self.stop_token_ids = list(stop_token_ids) if stop_token_ids else model_stop_token_ids(model, tokenizer)
        try:
            self.ll_tokenizer = llguidance.hf.from_tokenizer(
                tokenizer, n_vocab=self.vocab_size, eos_token=self.stop_token_ids
            )
        except Exception as exc:  # llguidance raises plain exceptions for tokenizers it cannot read
            raise ModelError(f"llguidance cannot use this tokenizer: {exc}") from exc
        self.device: torch.device = next(model.parameters()).device
        self.cache_arg = cache_argument(model)
        self._bitmask = llguidance.torch.allocate_token_bitmask(1, self.vocab_size)
        self._mask = _MaskApplier(self.vocab_size, self.device)
        self._fill_bitmask = llguidance.torch.fill_next_token_bitmask
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llg-mask") if overlap_mask else None
        # Prefilled prompt prefixes and their KV caches: the shared instructions, and
        # under figure-guided extraction also instructions + the current article.
        self._prefixes: list[tuple[list[int], Any, bool]] = []  # (ids, KV cache, kept)

    # --- prompt prefix cache ---------------------------------------------------
    def cache_prefix(self, prefix_ids: list[int], keep: bool = True) -> None:
        """Prefill ``prefix_ids`` once; later prompts that start with them reuse its KV cache.

        A new prefix extends the longest cached one it starts with (an article after the
        shared instructions). ``keep``: held until the decoder goes (shared instructions);
        otherwise only until the next prefix that is not kept (one article at a time).
        """
        prefix_ids = list(prefix_ids)
        if not prefix_ids:
            self._prefixes = []
            return
        if any(ids == prefix_ids for ids, _, _ in self._prefixes):
            return
        cache, reused = self._start_cache(prefix_ids)
        if reused < len(prefix_ids):
            self._forward(prefix_ids[reused:], cache)
        if not keep:
            self._prefixes = [entry for entry in self._prefixes if entry[2]]
        self._prefixes.append((prefix_ids, cache, keep))

    def _start_cache(self, prompt_ids: list[int]) -> tuple[KVCache, int]:
        """A cache to continue from and how many prompt tokens it already holds."""
        best = None
        for ids, cache, _ in self._prefixes:
            n = len(ids)
            if len(prompt_ids) >= n and prompt_ids[:n] == ids and (best is None or n > len(best[0])):
                best = (ids, cache)
        if best is None:
            return self._new_cache(), 0
        # A copy: generation appends to the cache, the stored prefix must stay as it is.
        return copy.deepcopy(best[1]), len(best[0])

    def _new_cache(self) -> KVCache:
        return new_cache(self.model)

    # --- model -----------------------------------------------------------------
    def _forward(self, token_ids: list[int], cache: KVCache, keep: int = 1) -> torch.Tensor:
        return forward_logits(self.model, token_ids, cache, keep, device=self.device, cache_arg=self.cache_arg)

    # --- generation ------------------------------------------------------------
    def new_matcher(self, grammar: str) -> LLMatcher:
        from llguidance import LLMatcher

        matcher = LLMatcher(self.ll_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            lines = matcher.get_error().strip().splitlines() or ["unknown error"]
            raise GrammarError(f"the grammar engine cannot compile the grammar: {lines[0]}")
        return matcher

    def generate(self, prompt_ids: list[int], grammar: str, params: DecodeParams | None = None) -> DecodeResult:
        import torch

        params = params or DecodeParams()
        if not prompt_ids:
            raise ValueError("the prompt is empty")
        started = time.perf_counter()
        run = _Run(self, self.new_matcher(grammar), params, prompt_ids)
        cache, reused = self._start_cache(list(prompt_ids))
        if reused == len(prompt_ids):  # the whole prompt is cached: re-run its last token for the logits
            crop_cache(cache, reused - 1)
            reused -= 1
        pending = list(prompt_ids[reused:]) + run.fast_forward()
        generator = None
        if params.temperature > 0:
            generator = torch.Generator(device=self.device).manual_seed(params.seed)
        prefill_seconds = None
        stop_reason: StopReason | None = None
        while stop_reason is None:
            if run.finished():
                stop_reason = "stop"
                break
            if len(run.tokens) >= params.max_new_tokens:
                stop_reason = "max_new_tokens"
                break
            draft = run.draft()
            logits = run.forward_with_mask(pending + draft, cache, keep=len(draft) + 1)
            if prefill_seconds is None:
                prefill_seconds = time.perf_counter() - started
            pending, stop_reason = run.verify(logits, draft, cache, generator)
        stats = {
            "prompt_tokens": len(prompt_ids),
            "generated_tokens": len(run.tokens),
            "forced_tokens": run.forced,
            "forward_passes": run.passes,
            "fast_forward_runs": run.ff_runs,
            "draft_tokens": run.drafted,
            "accepted_draft_tokens": run.accepted,
            "seconds": time.perf_counter() - started,
            "prefill_seconds": prefill_seconds or 0.0,
            "reused_prefix_tokens": reused,
        }
        return DecodeResult(self._text(run.tokens), run.tokens, stop_reason, stats)

    def _text(self, tokens: list[int]) -> str:
        # llguidance's bytes are exactly what the grammar matched; a truncated run may
        # end inside a UTF-8 sequence, hence the replacement.
        return self.ll_tokenizer.decode_bytes(tokens).decode("utf-8", errors="replace")

    def close(self) -> None:
        """Stop the mask worker thread (the decoder still works afterwards, without overlap)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def __enter__(self) -> Decoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Run:
    """The state of one generation: matcher, tokens so far and counters."""

    def __init__(
        self, decoder: Decoder, matcher: LLMatcher, params: DecodeParams, prompt_ids: Sequence[int] = ()
    ) -> None:
        from summarizer.engine.speculation import ArticleLookup

        self.decoder = decoder
        self.matcher = matcher
        self.params = params
        self.prompt_ids = list(prompt_ids)
        self.lookup = ArticleLookup(self.prompt_ids) if params.speculate else None
        self.tokens: list[int] = []
        self.forced = 0
        self.ff_runs = 0
        self.passes = 0
        self.drafted = 0
        self.accepted = 0
        self._mask_ready = False

    def consume(self, tokens: list[int]) -> None:
        if not self.matcher.consume_tokens(tokens):
            raise GrammarError(f"the grammar rejected a token: {self.matcher.get_error().strip().splitlines()[0]}")
        self._mask_ready = False

    def fast_forward(self) -> list[int]:
        """Consume the tokens the grammar forces now (within the budget) and return them."""
        if not self.params.fast_forward or self.matcher.is_stopped():
            return []
        budget = self.params.max_new_tokens - len(self.tokens)
        forced = self.matcher.compute_ff_tokens()[:budget]
        if forced:
            self.consume(forced)
            self.tokens.extend(forced)
            self.forced += len(forced)
            self.ff_runs += 1
        return forced

    def finished(self) -> bool:
        """Grammar complete: stopped, or accepting with nothing but a stop token allowed next."""
        if self.matcher.is_stopped():
            return True
        if not self.matcher.is_accepting():
            return False
        self._compute_mask()
        return only_stop_allowed(self.decoder._bitmask[0], self.decoder.stop_token_ids)

    def draft(self) -> list[int]:
        """Article tokens that may come next, cut to the budget and to what the grammar accepts now."""
        if self.lookup is None:
            return []
        from summarizer.engine.speculation import grammar_draft

        limit = self.params.max_new_tokens - len(self.tokens)
        draft = grammar_draft(self.matcher, self.lookup.propose(self.prompt_ids[-3:] + self.tokens[-3:], limit))
        self.drafted += len(draft)
        return draft

    def verify(
        self, logits: torch.Tensor, draft: list[int], cache: KVCache, generator: torch.Generator | None
    ) -> tuple[list[int], StopReason | None]:
        """Choose tokens position by position from one pass's logits while they equal the draft.

        Each position is masked by the grammar and chosen exactly as without a draft, so
        the output does not depend on the draft. Returns the tokens to feed next (not in
        the cache yet) and the stop reason when a stop token was chosen. Rejected draft
        positions are cropped from the cache.
        """
        rows = logits.view(-1, logits.shape[-1])
        start = cache.get_seq_length() - len(draft)  # where the draft begins in the cache
        for i in range(len(draft) + 1):
            if i > 0:
                self._compute_mask()
                self._apply_mask(rows[i])
            token = _sample(rows[i], self.params, generator)
            self.consume([token])
            if token in self.decoder.stop_token_ids:
                return [], "stop"
            self.tokens.append(token)
            if i == len(draft) or token != draft[i]:  # a token the pass did not see: fed next
                crop_cache(cache, start + i)
                return [token] + self.fast_forward(), None
            self.accepted += 1
            forced = self.fast_forward()
            if forced or self.finished() or len(self.tokens) >= self.params.max_new_tokens:
                crop_cache(cache, start + i + 1)  # the loop stops, or the forced tokens come next
                return forced, None
        raise AssertionError("unreachable: the last position always returns")

    def _compute_mask(self) -> None:
        if not self._mask_ready:
            self.decoder._fill_bitmask(self.matcher, self.decoder._bitmask)
            self._mask_ready = True

    def _apply_mask(self, logits: torch.Tensor) -> None:
        decoder = self.decoder
        if self.matcher.is_error():
            raise GrammarError(f"the grammar engine failed: {self.matcher.get_error().strip().splitlines()[0]}")
        decoder._mask.apply(logits[: decoder.vocab_size], decoder._bitmask[0])
        if logits.shape[0] > decoder.vocab_size:
            logits[decoder.vocab_size :] = float("-inf")

    def forward_with_mask(self, pending: list[int], cache: KVCache, keep: int = 1) -> torch.Tensor:
        """Run the model on ``pending``; meanwhile compute the mask for the next token. Returns the
        logits of the last ``keep`` positions, the first of them masked."""
        decoder = self.decoder
        future = None
        if decoder._pool is not None and not self._mask_ready:
            future = decoder._pool.submit(self._compute_mask)
        logits = decoder._forward(pending, cache, keep)
        self.passes += 1
        if future is not None:
            future.result()
        self._compute_mask()
        self._apply_mask(logits if keep == 1 else logits[0])
        return logits


def crop_cache(cache: KVCache, length: int) -> None:
    """Keep the first ``length`` positions. A negative count of tokens to remove: the one
    form of ``crop`` every transformers version takes (5.x refuses an absolute length)."""
    remove = cache.get_seq_length() - length
    if remove > 0:
        cache.crop(-remove)


def only_stop_allowed(bitmask_row: torch.Tensor, stop_token_ids: list[int]) -> bool:
    """Whether a packed llguidance bitmask row allows nothing but stop tokens (shared by both decoders)."""
    import torch

    if int(torch.count_nonzero(bitmask_row)) > len(stop_token_ids):  # words with any bit set: cheap bound
        return False
    allowed = {
        w * 32 + b
        for w in torch.nonzero(bitmask_row).flatten().tolist()
        for b in range(32)
        if (int(bitmask_row[w]) >> b) & 1
    }
    return allowed <= set(stop_token_ids)


def _sample(logits: torch.Tensor, params: DecodeParams, generator: torch.Generator | None) -> int:
    """Greedy at temperature 0, else temperature + nucleus (top-p) sampling."""
    import torch

    if params.temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / params.temperature, dim=-1)
    if params.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < params.top_p  # always keeps the top token
        sorted_probs = sorted_probs * keep
        choice = torch.multinomial(sorted_probs, 1, generator=generator)
        return int(order[choice])
    return int(torch.multinomial(probs, 1, generator=generator))
