"""Several grammar-constrained generations in one forward pass per step.

On a CPU, decoding a small model is bound by memory bandwidth: every step reads all
the weights once, whatever the number of rows. Figure-guided extraction asks many
short questions about one article, so they are decoded together: the article's KV
cache is computed once and repeated per row, each row appends its own request and
answer, and one forward pass advances every row.

Rows run out of step (their requests differ in length, and fast-forward appends a
different number of forced tokens per row), so each step pads the rows on the left to the
longest and masks the padding out of attention for good; each row keeps its own position
ids.
A finished row is dropped from the batch (cache, mask and all), so the batch only
shrinks. Each row has its own grammar matcher, stop and budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import torch
    from llguidance import LLMatcher


@dataclass
class _Row:
    index: int  # position in the caller's list
    matcher: LLMatcher
    pending: list[int]  # tokens to feed at the next step
    length: int  # real tokens so far (prompt + generated): the next position id
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
        """One result per prompt, in order; prompts are decoded ``batch_size`` at a time."""
        params = params or DecodeParams()
        results: list[DecodeResult] = []
        for lo in range(0, len(prompts), max(1, batch_size)):
            results += self._generate_batch(prompts[lo : lo + batch_size], grammars[lo : lo + batch_size], params)
        return results

    # --- one batch -------------------------------------------------------------
    def _generate_batch(
        self, prompts: list[list[int]], grammars: list[str], params: DecodeParams
    ) -> list[DecodeResult]:
        import torch

        started = time.perf_counter()
        decoder = self.decoder
        cache, reused = decoder._start_cache(prompts[0])
        if any(p[:reused] != prompts[0][:reused] or len(p) <= reused for p in prompts):
            cache, reused = decoder._new_cache(), 0  # no common cached prefix: prefill each row in full
        if reused:
            cache.batch_repeat_interleave(len(prompts))
        rows = [
            _Row(i, decoder.new_matcher(g), list(p[reused:]), reused)
            for i, (p, g) in enumerate(zip(prompts, grammars, strict=True))
        ]
        self._ensure_bitmask(len(rows))
        for row in rows:
            row.pending += self._fast_forward(row, params)
        mask = torch.ones((len(rows), reused), dtype=torch.long, device=decoder.device)
        active = list(rows)
        generator = torch.Generator(device=decoder.device).manual_seed(params.seed) if params.temperature > 0 else None
        while active:
            active, cache, mask = self._drop_finished(active, cache, mask, params)
            if not active:
                break
            logits, mask = self._step(active, cache, mask)
            for row, row_logits in zip(active, logits, strict=True):
                self._advance(row, row_logits, params, generator)
        seconds = time.perf_counter() - started
        return [self._result(row, len(prompts[row.index]), reused, seconds) for row in rows]

    @property
    def _rows_mask(self) -> torch.Tensor:
        assert self._bitmask is not None, "_ensure_bitmask runs first"
        return self._bitmask

    def _ensure_bitmask(self, rows: int) -> None:
        import llguidance.torch

        if self._bitmask is None or self._bitmask.shape[0] < rows:
            self._bitmask = llguidance.torch.allocate_token_bitmask(rows, self.decoder.vocab_size)

    def _drop_finished(
        self, active: list[_Row], cache: KVCache, mask: torch.Tensor, params: DecodeParams
    ) -> tuple[list[_Row], KVCache, torch.Tensor]:
        """Fill each live row's mask for this step (once) and drop the rows that are done."""
        import llguidance.torch

        for row in active:
            if row.stop_reason is None and not row.matcher.is_stopped():
                llguidance.torch.fill_next_token_bitmask(row.matcher, self._rows_mask, row.index)
            if row.stop_reason is None:
                if row.matcher.is_stopped() or self._only_stop_allowed(row):
                    row.stop_reason = "stop"  # the rest could only be a stop token: no need to run the model
                elif len(row.tokens) >= params.max_new_tokens:
                    row.stop_reason = "max_new_tokens"
        keep = [i for i, row in enumerate(active) if row.stop_reason is None]
        if len(keep) == len(active):
            return active, cache, mask
        if keep and cache.get_seq_length() > 0:
            import torch

            index = torch.tensor(keep, device=mask.device)
            cache.batch_select_indices(index)
            mask = mask.index_select(0, index)
        return [active[i] for i in keep], cache, mask

    def _step(self, active: list[_Row], cache: KVCache, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One forward pass over every active row's pending tokens; the logits of each row's last one."""
        import torch

        decoder = self.decoder
        width = max(len(row.pending) for row in active)
        ids = torch.zeros((len(active), width), dtype=torch.long)
        new_mask = torch.zeros((len(active), width), dtype=torch.long)
        positions = torch.zeros((len(active), width), dtype=torch.long)
        for r, row in enumerate(active):
            # Padded on the left, so every row's last token is the step's last position: the
            # vocabulary projection (a quarter of a small model's weights) runs once per row, not
            # once per padded position.
            pad = width - len(row.pending)
            ids[r, pad:] = torch.tensor(row.pending)
            new_mask[r, pad:] = 1
            positions[r] = row.length + (torch.arange(width) - pad).clamp(min=0)
        mask = torch.cat([mask, new_mask.to(mask.device)], dim=1)
        with torch.no_grad():
            out = decoder.model(
                input_ids=ids.to(decoder.device),
                attention_mask=mask,
                position_ids=positions.to(decoder.device),
                use_cache=True,
                logits_to_keep=1,
                **{decoder.cache_arg: cache},
            )
        logits: torch.Tensor = out.logits[:, -1].float()
        self.forward_calls += 1
        for row in active:
            row.length += len(row.pending)
            row.passes += 1
            row.pending = []
        return logits, mask

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
