"""Several grammar-constrained generations in one forward pass per step.

On a CPU, decoding a small model is bound by memory bandwidth while a pass is narrow:
every step reads all the weights once, whatever the number of tokens. Figure-guided
extraction asks many short questions about one article, so they are decoded together.

The rows are *packed* into one sequence rather than padded into a batch. The KV cache
holds the shared prompt (instructions and article) once; each step appends every live
row's pending tokens (a request, a sampled token and the grammar's forced tokens after
it) one after another, with each row's own position ids, and an attention mask lets each
token see the shared prompt, its own row's earlier tokens and nothing else. A step then
costs what its real tokens cost: rows run out of step (requests differ in length,
fast-forward appends a different number of forced tokens per row), and padding every
row to the widest would multiply the work of a compute-bound pass. Only each row's last
position is projected onto the vocabulary.

When a row finishes, the next waiting request takes its place at the next step (its
request is just more tokens of that step), so the batch stays full. Each row has its own
grammar matcher, stop and budget; a finished row's tokens stay in the cache, masked out.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from summarizer.core.errors import GrammarError
from summarizer.engine.decode import (
    DecodeParams,
    Decoder,
    DecodeResult,
    KVCache,
    StopReason,
    _MaskApplier,
    _sample,
    only_stop_allowed,
)
from summarizer.engine.request_chat import RequestChat, RequestPrompts

if TYPE_CHECKING:
    import torch
    from llguidance import LLMatcher

# Prompts packed into one cache, at most. Finished rows stay in the cache (masked out), so an
# article with hundreds of figures starts a fresh cache from the shared prompt every so often
# rather than attending over every label written so far.
PACK_LIMIT = 64
# Rows decoded together by default (one forward pass per step for all of them). Measured on real
# weights with the claims task's figure labels (benchmarks/RESULTS.md, Qwen2.5-Coder-0.5B, 2 cores):
# 16 beat 8 and matched 32, an article having about a dozen figures.
BATCH_ROWS = 16


@dataclass
class _Row:
    index: int  # position in the caller's list
    matcher: LLMatcher
    pending: list[int]  # tokens to feed at the next step
    length: int  # real tokens so far (prompt + generated): the next position id
    slots: list[int] = field(default_factory=list)  # where the row's own tokens sit in the packed cache
    tokens: list[int] = field(default_factory=list)
    forced: int = 0
    passes: int = 0
    stop_reason: StopReason | None = None


class BatchDecoder:
    """Batched generation on top of a :class:`~summarizer.engine.decode.Decoder` (its model, tokenizer
    and prefix caches)."""

    def __init__(self, decoder: Decoder) -> None:
        self.decoder = decoder
        self._masks: dict[int, _MaskApplier] = {}
        self._bitmask: torch.Tensor | None = (
            None  # (rows, words) int32: each row's allowed tokens, filled once per step
        )
        self.forward_calls = 0  # model calls so far (each advances every row of a batch)

    def generate(
        self, prompts: list[list[int]], grammars: list[str], params: DecodeParams | None = None, batch_size: int = 8
    ) -> list[DecodeResult]:
        """One result per prompt, in order; at most ``batch_size`` prompts are decoded at a time."""
        params = params or DecodeParams()
        results: list[DecodeResult] = []
        for lo in range(0, len(prompts), PACK_LIMIT):
            chunk = slice(lo, lo + PACK_LIMIT)
            results += self._generate_packed(prompts[chunk], grammars[chunk], params, batch_size)
        return results

    def _generate_packed(
        self, prompts: list[list[int]], grammars: list[str], params: DecodeParams, batch_size: int
    ) -> list[DecodeResult]:
        import torch

        started = time.perf_counter()
        decoder = self.decoder
        cache, reused = decoder._start_cache(prompts[0])
        if any(p[:reused] != prompts[0][:reused] or len(p) <= reused for p in prompts):
            cache, reused = decoder._new_cache(), 0  # no common cached prefix: each row's prompt is its own
        self._ensure_bitmask(len(prompts))
        waiting = deque(range(len(prompts)))
        rows: list[_Row] = []
        active: list[_Row] = []
        generator = torch.Generator(device=decoder.device).manual_seed(params.seed) if params.temperature > 0 else None
        while active or waiting:
            while waiting and len(active) < max(1, batch_size):
                index = waiting.popleft()
                row = _Row(index, decoder.new_matcher(grammars[index]), list(prompts[index][reused:]), reused)
                row.pending += self._fast_forward(row, params)
                rows.append(row)
                active.append(row)
            active = self._drop_finished(active, params)
            if not active:
                continue
            logits = self._step(active, cache, reused)
            for row, row_logits in zip(active, logits, strict=True):
                self._advance(row, row_logits, params, generator)
        seconds = time.perf_counter() - started
        rows.sort(key=lambda row: row.index)
        return [self._result(row, len(prompts[row.index]), reused, seconds) for row in rows]

    @property
    def _rows_mask(self) -> torch.Tensor:
        assert self._bitmask is not None, "_ensure_bitmask runs first"
        return self._bitmask

    def _ensure_bitmask(self, rows: int) -> None:
        import llguidance.torch

        if self._bitmask is None or self._bitmask.shape[0] < rows:
            self._bitmask = llguidance.torch.allocate_token_bitmask(rows, self.decoder.vocab_size)

    def _drop_finished(self, active: list[_Row], params: DecodeParams) -> list[_Row]:
        """Fill each live row's mask for this step (once) and drop the rows that are done (their
        tokens stay in the cache, where no other row looks)."""
        import llguidance.torch

        for row in active:
            if row.stop_reason is None and not row.matcher.is_stopped():
                llguidance.torch.fill_next_token_bitmask(row.matcher, self._rows_mask, row.index)
            if row.stop_reason is None:
                if row.matcher.is_stopped() or self._only_stop_allowed(row):
                    row.stop_reason = "stop"  # the rest could only be a stop token: no need to run the model
                elif len(row.tokens) >= params.max_new_tokens:
                    row.stop_reason = "max_new_tokens"
        return [row for row in active if row.stop_reason is None]

    def _step(self, active: list[_Row], cache: KVCache, shared: int) -> torch.Tensor:
        """One forward pass over every active row's pending tokens, packed into one sequence after
        the cache; the logits of each row's last token, one row each. ``shared``: how many cached
        tokens every row sees (the common prompt)."""
        import torch

        decoder = self.decoder
        before = cache.get_seq_length()
        width = sum(len(row.pending) for row in active)
        seen = torch.zeros((width, before + width), dtype=torch.bool)
        seen[:, :shared] = True
        ids: list[int] = []
        positions: list[int] = []
        last: list[int] = []
        for row in active:
            start, n = len(ids), len(row.pending)
            block = slice(start, start + n)
            if row.slots:
                seen[block, row.slots] = True
            seen[block, before + start : before + start + n] = torch.ones((n, n), dtype=torch.bool).tril()
            row.slots += range(before + start, before + start + n)
            ids += row.pending
            positions += range(row.length, row.length + n)
            last.append(start + n - 1)
        device = decoder.device
        with torch.no_grad():
            out = decoder.model(
                input_ids=torch.tensor([ids], device=device),
                attention_mask=self._attention_mask(seen).to(device),
                position_ids=torch.tensor([positions], device=device),
                use_cache=True,
                logits_to_keep=torch.tensor(last, device=device),
                **{decoder.cache_arg: cache},
            )
        logits: torch.Tensor = out.logits[0].float()
        self.forward_calls += 1
        for row in active:
            row.length += len(row.pending)
            row.passes += 1
            row.pending = []
        return logits

    def _attention_mask(self, seen: torch.Tensor) -> torch.Tensor:
        """``seen`` (query x key, True: may attend) as the 4D mask the model's attention takes:
        boolean for SDPA, additive (0 or the dtype's minimum) for the others."""
        import torch

        model = self.decoder.model
        if getattr(model.config, "_attn_implementation", "sdpa") == "sdpa":
            return seen[None, None]
        dtype = model.get_input_embeddings().weight.dtype
        return torch.zeros(seen.shape, dtype=dtype).masked_fill(~seen, torch.finfo(dtype).min)[None, None]

    def _advance(
        self, row: _Row, logits: torch.Tensor, params: DecodeParams, generator: torch.Generator | None
    ) -> None:
        """Choose the row's next token under the mask filled for this step by :meth:`_drop_finished`."""
        decoder = self.decoder
        if row.matcher.is_error():
            raise GrammarError(f"the grammar engine failed: {row.matcher.get_error().strip().splitlines()[0]}")
        self._mask_for(logits.device).apply(logits[: decoder.vocab_size], self._rows_mask[row.index])
        if logits.shape[0] > decoder.vocab_size:
            logits[decoder.vocab_size :] = float("-inf")
        token = _sample(logits, params, generator)
        self._consume(row, [token])
        if token in decoder.stop_token_ids:
            row.stop_reason = "stop"
            return
        row.tokens.append(token)
        row.pending = [token] + self._fast_forward(row, params)

    def _mask_for(self, device: torch.device) -> _MaskApplier:
        key = hash(str(device))
        if key not in self._masks:
            self._masks[key] = _MaskApplier(self.decoder.vocab_size, device)
        return self._masks[key]

    def _fast_forward(self, row: _Row, params: DecodeParams) -> list[int]:
        if not params.fast_forward or row.matcher.is_stopped():
            return []
        forced = row.matcher.compute_ff_tokens()[: params.max_new_tokens - len(row.tokens)]
        if forced:
            self._consume(row, forced)
            row.tokens.extend(forced)
            row.forced += len(forced)
        return forced

    @staticmethod
    def _consume(row: _Row, tokens: list[int]) -> None:
        if not row.matcher.consume_tokens(tokens):
            raise GrammarError(f"the grammar rejected a token: {row.matcher.get_error().strip().splitlines()[0]}")

    def _only_stop_allowed(self, row: _Row) -> bool:
        """Grammar complete: accepting, and nothing but a stop token allowed next (mask filled already)."""
        return row.matcher.is_accepting() and only_stop_allowed(self._rows_mask[row.index], self.decoder.stop_token_ids)

    def _result(self, row: _Row, prompt_len: int, reused: int, seconds: float) -> DecodeResult:
        stats = {
            "prompt_tokens": prompt_len,
            "generated_tokens": len(row.tokens),
            "forced_tokens": row.forced,
            "forward_passes": row.passes,
            "seconds": seconds,
            "reused_prefix_tokens": reused,
        }
        return DecodeResult(self.decoder._text(row.tokens), row.tokens, row.stop_reason or "stop", stats)


class ArticleBatches:
    """Requests about one article at a time, decoded in batches on the article's KV cache: the
    in-process model call of a strategy that asks many short questions (prefix caching: a chat's
    instructions are prefilled once, each article once on top of them)."""

    def __init__(self, decoder: Decoder, tokenizer: Any, batch_size: int = BATCH_ROWS) -> None:
        self.decoder = decoder
        self.tokenizer = tokenizer
        self.batch = BatchDecoder(decoder)
        self.batch_size = batch_size
        self._prompts: dict[RequestChat, RequestPrompts] = {}

    def prompts(self, chat: RequestChat) -> RequestPrompts:
        """The chat's token runs; its instructions' KV cache is held from the first use on."""
        if chat not in self._prompts:
            prompts = RequestPrompts(self.tokenizer, chat)
            self.decoder.cache_prefix(prompts.prefix_ids)
            self._prompts[chat] = prompts
        return self._prompts[chat]

    def generate(
        self,
        chat: RequestChat,
        article: str,
        requests: list[str],
        grammars: list[str],
        params: DecodeParams,
        limit: int,
        totals: dict[str, float],
    ) -> list[tuple[str, bool]]:
        """(text, stopped) per request, at most ``limit`` tokens each (and ``params``' budget); counts
        added to ``totals``. stopped False: cut off."""
        import dataclasses

        prompts = self.prompts(chat)
        article_ids = prompts.article_ids(article)
        self.decoder.cache_prefix(article_ids, keep=False)  # the article's first call prefills it, later ones find it
        ids = [article_ids + prompts.request_ids(request) for request in requests]
        limited = dataclasses.replace(params, max_new_tokens=min(limit, params.max_new_tokens))
        calls = self.batch.forward_calls
        results = self.batch.generate(ids, grammars, limited, batch_size=self.batch_size)
        for key in ("generated_tokens", "forced_tokens"):
            totals[key] = totals.get(key, 0) + sum(r.stats.get(key, 0) for r in results)
        totals["forward_passes"] = totals.get("forward_passes", 0) + self.batch.forward_calls - calls
        totals["generations"] = totals.get("generations", 0) + len(results)
        totals["prompt_tokens"] = len(article_ids)
        return [(r.text, r.stop_reason == "stop") for r in results]
