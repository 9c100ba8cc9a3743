"""Several grammar-constrained generations in one forward pass per step.

On a CPU, decoding a small model is bound by memory bandwidth: every step reads all
the weights once, whatever the number of rows. Figure-guided extraction asks many
short questions about one article, so they are decoded together: the article's KV
cache is computed once and repeated per row, each row appends its own request and
answer, and one forward pass advances every row.

Rows run out of step (their requests differ in length, and fast-forward appends a
different number of forced tokens per row), so each step pads the rows to the longest
and masks the padding out of attention for good; each row keeps its own position ids.
Each row has its own grammar matcher, stop and budget.

Continuous batching (refill): up to ``batch_size`` rows are live at once. A finished row
is dropped from the batch (cache, mask and all) and the next waiting request takes its
place in the running batch: its KV rows are the shared prefix followed by masked-out
zeros up to the batch's cache length, its request is its first pending input. So the
number of passes follows the tokens fed per row, not the slowest row of each batch.
Where the cache cannot be extended row by row (sliding-window or shared-KV layers),
a new batch starts only when the last one has finished.
"""

from __future__ import annotations

import copy
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

if TYPE_CHECKING:
    import torch


@dataclass
class _Row:
    index: int  # position in the caller's list
    matcher: Any
    pending: list[int]  # tokens to feed at the next step
    length: int  # real tokens so far (prompt + generated): the next position id
    prompt_tokens: int
    slot: int  # its row of the step's bitmask (free again once it finishes)
    generator: Any  # its own sampler state (temperature > 0): the same draws as decoding it alone
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0  # from joining the batch to its end
    tokens: list[int] = field(default_factory=list)
    forced: int = 0
    passes: int = 0
    stop_reason: StopReason | None = None


class _LiveBatch:
    """The rows decoding now, in cache order, with their KV cache and attention mask.

    ``mask`` has one column per cache position: 1 where the row's own token (or the
    shared prefix) sits, 0 for padding and for positions another row wrote.
    """

    def __init__(self, decoder: Decoder, prefix: KVCache, reused: int) -> None:
        self.decoder = decoder
        self.prefix = prefix  # the shared prefix's cache (one row), never written to
        self.reused = reused  # its length: every row's first position id
        self.rows: list[_Row] = []
        self.cache: Any = None
        self.mask: Any = None

    def can_grow(self) -> bool:
        """Whether rows can join now: an empty batch always, a running one when its cache is plain."""
        return not self.rows or self._plain_cache()

    def _plain_cache(self) -> bool:
        """Whether every cache layer is a plain growing key/value tensor pair (not sliding-window,
        not shared KV), which rows and positions can be added to and cut from."""
        from transformers.cache_utils import DynamicLayer

        layers = getattr(self.cache, "layers", None) or []
        return bool(layers) and all(
            type(layer) is DynamicLayer and layer.keys is not None and layer.keys.dim() == 4 for layer in layers
        )

    def join(self, rows: list[_Row]) -> None:
        import torch

        if not rows:
            return
        if not self.rows:  # a fresh batch: the prefix repeated per row, as the old schedule did
            self.cache = copy.deepcopy(self.prefix) if self.reused else self.decoder._new_cache()
            if self.reused:
                self.cache.batch_repeat_interleave(len(rows))
            self.mask = torch.ones((len(rows), self.reused), dtype=torch.long, device=self.decoder.device)
        else:
            self._extend(len(rows))
        self.rows += rows

    def _extend(self, count: int) -> None:
        """Add ``count`` rows to the running cache: the shared prefix, then zeros masked out."""
        import torch

        width = self.mask.shape[1]
        prefix_layers = self.prefix.layers if self.reused else [None] * len(self.cache.layers)
        for layer, first in zip(self.cache.layers, prefix_layers, strict=True):
            keys, values = (None, None) if first is None else (first.keys, first.values)
            layer.keys = torch.cat([layer.keys, _new_rows(layer.keys, keys, count, self.reused)])
            layer.values = torch.cat([layer.values, _new_rows(layer.values, values, count, self.reused)])
        mask = torch.zeros((count, width), dtype=self.mask.dtype, device=self.mask.device)
        mask[:, : self.reused] = 1
        self.mask = torch.cat([self.mask, mask])

    def keep(self, kept: list[int]) -> None:
        """Keep only the rows at these places (dropping the others' cache rows and mask rows)."""
        if len(kept) == len(self.rows):
            return
        self.rows = [self.rows[i] for i in kept]
        if not self.rows:
            self.cache = self.mask = None
            return
        if self.cache.get_seq_length() > 0:
            import torch

            index = torch.tensor(kept, device=self.mask.device)
            self.cache.batch_select_indices(index)
            self.mask = self.mask.index_select(0, index)
            self._trim()

    def _trim(self) -> None:
        """Drop the cache positions no live row attends (written by rows now gone, or padding):
        with refill the batch runs on, and each step would read them again. The positions keep
        their order, so causality holds, and each key carries its own rotary position."""
        used = self.mask.any(dim=0)
        if bool(used.all()) or not self._plain_cache():
            return
        columns = used.nonzero().flatten()
        for layer in self.cache.layers:
            layer.keys = layer.keys.index_select(2, columns.to(layer.keys.device))
            layer.values = layer.values.index_select(2, columns.to(layer.values.device))
        self.mask = self.mask.index_select(1, columns)


def _new_rows(states: torch.Tensor, prefix_states: torch.Tensor | None, count: int, reused: int) -> torch.Tensor:
    """``count`` new batch rows for a layer's keys or values: the prefix's, then zeros."""
    rows = states.new_zeros((count, *states.shape[1:]))
    if reused and prefix_states is not None:
        rows[:, :, :reused] = prefix_states
    return rows


class BatchDecoder:
    """Batched generation on top of a :class:`~summarizer.engine.decode.Decoder` (its model, tokenizer
    and prefix caches)."""

    def __init__(self, decoder: Decoder):
        self.decoder = decoder
        self._masks: dict[int, _MaskApplier] = {}
        self._bitmask: torch.Tensor | None = (
            None  # (rows, words) int32: each row's allowed tokens, filled once per step
        )
        self.forward_calls = 0  # model calls so far (each advances every row of a batch)

    def generate(
        self,
        prompts: list[list[int]],
        grammars: list[str],
        params: DecodeParams | None = None,
        batch_size: int = 8,
        refill: bool = True,
    ) -> list[DecodeResult]:
        """One result per prompt, in order; up to ``batch_size`` prompts are decoded at once.
        ``refill``: a waiting prompt takes a finished row's place at once; without it a new
        batch starts only when the whole previous batch has finished (the old schedule)."""
        params = params or DecodeParams()
        if len(prompts) != len(grammars):
            raise ValueError(f"{len(prompts)} prompts but {len(grammars)} grammars")
        size = max(1, batch_size)
        self._ensure_bitmask(size)
        waiting = deque(zip(range(len(prompts)), prompts, grammars, strict=True))
        live = _LiveBatch(self.decoder, *self._shared_prefix(prompts))
        done: list[_Row] = []
        while True:
            self._retire(live, params, done)
            if (refill or not live.rows) and live.can_grow():
                live.join(self._admit(waiting, size - len(live.rows), live, params, done))
            if not live.rows:
                break
            logits = self._step(live)
            for row, row_logits in zip(live.rows, logits, strict=True):
                self._advance(row, row_logits, params)
        by_index = {row.index: row for row in done}
        return [self._result(by_index[i], live.reused) for i in range(len(prompts))]

    def _shared_prefix(self, prompts: list[list[int]]) -> tuple[KVCache, int]:
        """The cached prefix every prompt starts with (and goes past), and its length."""
        if not prompts:
            return None, 0
        decoder = self.decoder
        cache, reused = decoder._start_cache(prompts[0])
        if any(p[:reused] != prompts[0][:reused] or len(p) <= reused for p in prompts):
            return None, 0  # no common cached prefix: prefill each row in full
        return cache, reused

    # --- scheduling ------------------------------------------------------------
    def _admit(
        self,
        waiting: deque[tuple[int, list[int], str]],
        room: int,
        live: _LiveBatch,
        params: DecodeParams,
        done: list[_Row],
    ) -> list[_Row]:
        """Up to ``room`` waiting requests that still have something to decode; those whose
        grammar is complete before any token (or whose budget is 0) finish here, with no pass."""
        import torch

        free = sorted(set(range(self._rows_mask.shape[0])) - {row.slot for row in live.rows})
        rows: list[_Row] = []
        while waiting and len(rows) < room:
            index, prompt, grammar = waiting.popleft()
            generator = None
            if params.temperature > 0:
                generator = torch.Generator(device=self.decoder.device).manual_seed(params.seed)
            row = _Row(
                index, self.decoder.new_matcher(grammar), list(prompt[live.reused :]), live.reused, len(prompt),
                free[len(rows)], generator,
            )  # fmt: skip
            row.pending += self._fast_forward(row, params)
            if self._check(row, params):
                rows.append(row)
            else:
                done.append(row)
        return rows

    def _retire(self, live: _LiveBatch, params: DecodeParams, done: list[_Row]) -> None:
        """Fill each live row's mask for this step (once) and drop the rows that are done."""
        kept = [i for i, row in enumerate(live.rows) if self._check(row, params)]
        done += [row for i, row in enumerate(live.rows) if i not in kept]
        live.keep(kept)

    def _check(self, row: _Row, params: DecodeParams) -> bool:
        """Whether the row goes on: fills its bitmask row, or sets its stop reason and time."""
        import llguidance.torch

        if row.stop_reason is None and not row.matcher.is_stopped():
            llguidance.torch.fill_next_token_bitmask(row.matcher, self._rows_mask, row.slot)
        if row.stop_reason is None:
            if row.matcher.is_stopped() or self._only_stop_allowed(row):
                row.stop_reason = "stop"  # the rest could only be a stop token: no need to run the model
            elif len(row.tokens) >= params.max_new_tokens:
                row.stop_reason = "max_new_tokens"
        if row.stop_reason is None:
            return True
        row.seconds = time.perf_counter() - row.started
        return False

    @property
    def _rows_mask(self) -> torch.Tensor:
        assert self._bitmask is not None, "_ensure_bitmask runs first"
        return self._bitmask

    def _ensure_bitmask(self, rows: int) -> None:
        import llguidance.torch

        if self._bitmask is None or self._bitmask.shape[0] < rows:
            self._bitmask = llguidance.torch.allocate_token_bitmask(rows, self.decoder.vocab_size)

    # --- one step --------------------------------------------------------------
    def _step(self, live: _LiveBatch) -> torch.Tensor:
        """One forward pass over every live row's pending tokens; the logits of each row's last one."""
        import torch

        decoder, active = self.decoder, live.rows
        width = max(len(row.pending) for row in active)
        ids = torch.zeros((len(active), width), dtype=torch.long)
        new_mask = torch.zeros((len(active), width), dtype=torch.long)
        positions = torch.zeros((len(active), width), dtype=torch.long)
        for r, row in enumerate(active):
            n = len(row.pending)
            ids[r, :n] = torch.tensor(row.pending)
            new_mask[r, :n] = 1
            positions[r] = row.length + torch.arange(width).clamp(max=max(n - 1, 0))
        live.mask = torch.cat([live.mask, new_mask.to(live.mask.device)], dim=1)
        with torch.no_grad():
            out = decoder.model(
                input_ids=ids.to(decoder.device),
                attention_mask=live.mask,
                position_ids=positions.to(decoder.device),
                use_cache=True,
                logits_to_keep=width,
                **{decoder.cache_arg: live.cache},
            )
        last = torch.tensor([len(row.pending) - 1 for row in active], device=out.logits.device)
        logits: torch.Tensor = out.logits[torch.arange(len(active), device=last.device), last].float()
        self.forward_calls += 1
        for row in active:
            row.length += len(row.pending)
            row.passes += 1
            row.pending = []
        return logits

    def _advance(self, row: _Row, logits: torch.Tensor, params: DecodeParams) -> None:
        """Choose the row's next token under the mask filled for this step by :meth:`_check`."""
        decoder = self.decoder
        if row.matcher.is_error():
            raise GrammarError(f"the grammar engine failed: {row.matcher.get_error().strip().splitlines()[0]}")
        self._mask_for(logits.device).apply(logits[: decoder.vocab_size], self._rows_mask[row.slot])
        if logits.shape[0] > decoder.vocab_size:
            logits[decoder.vocab_size :] = float("-inf")
        token = _sample(logits, params, row.generator)
        self._consume(row, [token])
        if token in decoder.stop_token_ids:
            row.stop_reason = "stop"
            return
        row.tokens.append(token)
        row.pending = [token] + self._fast_forward(row, params)

    def _mask_for(self, device: Any) -> _MaskApplier:
        key = hash(str(device))
        if key not in self._masks:
            self._masks[key] = _MaskApplier(self.decoder.vocab_size, device)
        return self._masks[key]

    def _fast_forward(self, row: _Row, params: DecodeParams) -> list[int]:
        if not params.fast_forward or row.matcher.is_stopped():
            return []
        forced: list[int] = row.matcher.compute_ff_tokens()[: params.max_new_tokens - len(row.tokens)]
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
        return row.matcher.is_accepting() and only_stop_allowed(self._rows_mask[row.slot], self.decoder.stop_token_ids)

    def _result(self, row: _Row, reused: int) -> DecodeResult:
        stats = {
            "prompt_tokens": row.prompt_tokens,
            "generated_tokens": len(row.tokens),
            "forced_tokens": row.forced,
            "forward_passes": row.passes,
            "seconds": row.seconds,
            "reused_prefix_tokens": reused,
        }
        return DecodeResult(self.decoder._text(row.tokens), row.tokens, row.stop_reason or "stop", stats)
