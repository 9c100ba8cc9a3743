"""GGUF files run as they are, in process, by llama.cpp (``pip install 'summarizer[llamacpp]'``).

The transformers backend dequantizes a GGUF file to float32 and runs transformers' kernels;
this one hands the file to llama.cpp (through llama-cpp-python's C bindings), in its own
quantization, with no conversion. Everything else is the project's own, as in
:mod:`summarizer.backends.transformers_backend`: the prompts (:mod:`summarizer.engine.prompting`,
rendered with the file's chat template), the grounded Lark grammars, the document strategy
(:mod:`summarizer.engine.extraction`) and the task kit's strategies (e.g. the claims task's
figure-guided extraction), which decode through :class:`LlamaDecoder`.

Decoding (:class:`LlamaDecoder`):

* token masks come from llguidance, built from the model's own vocabulary (llama.cpp's token
  pieces and tokenizer), and the tokens the grammar forces are fed with the next step
  (fast-forward), as in the transformers decoder;
* the requests of one call share a prefix (the instructions and the article): it is evaluated
  once into llama.cpp sequence 0, and kept while the next call starts with it (the instructions
  stay from one article to the next; only the article is evaluated again);
* the requests are decoded as parallel sequences: each gets its own sequence id, a copy of
  sequence 0 (``llama_memory_seq_cp``: the cells are shared, not copied) and its own grammar;
  each step is one ``llama_decode`` batch holding every live sequence's pending tokens, with
  logits only for each one's last token. A finished sequence is removed from the KV cache and
  its id goes to the next waiting request. The KV cache is unified (one pool of cells that
  the sequences share), so the shared prefix is held once;
* greedy at temperature 0 (the masked argmax, ties to the lowest id), so a run repeats itself;
  otherwise temperature and top-p sampling from a generator seeded with ``seed``;
* threads: the CPUs this process may run on.

Neither llama_cpp nor numpy is imported with this module: ``summarizer --help`` imports neither.
"""

from __future__ import annotations

import ctypes
import json
import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
from summarizer.core.errors import GrammarError, ModelError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import load_task
from summarizer.engine.batch_decode import BATCH_ROWS

if TYPE_CHECKING:
    import numpy as np
    from llguidance import LLMatcher

    from summarizer.engine.decode import DecodeParams
    from summarizer.engine.request_chat import RequestChat, RequestPrompts

DISTRIBUTION = "llama-cpp-python"
# The modules whose code decides what the model's output becomes: part of the run store's key.
ENGINE_MODULES = (
    "engine/grammar",
    "engine/summary_grammar",
    "engine/prompting",
    "engine/request_chat",
    "engine/sides",
    "core/countries",
    "core/data/countries.tsv",  # the one country and people table sides and grammars read
    "engine/chunking",
    "engine/extraction",
    "core/task",
    "core/kit",
    "backends/llama_cpp_backend",
)  # and the task kit's own modules (engine_hash)
# KV cells a sequence may take beyond the shared prefix: its request (a figure and its sentence)
# and its answer. A request that needs more than its share still runs while cells are free.
ROW_CELLS = 512  # a claims figure label's 160 tokens and its request
DEFAULT_CONTEXT_CAP = 16384  # KV cells for the prompt and the document: the cache is allocated up front
BATCH_TOKENS = 2048  # tokens per llama_decode call (llama.cpp splits them into ubatches of 512)
# llama.cpp's file types (enum llama_ftype), for the run store's record of the quantization.
FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}


def installed_version() -> str | None:
    """llama-cpp-python's version, or None when it is not installed (nothing is imported)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


# llama.cpp's most parallel sequences in one context (LLAMA_MAX_SEQ): a larger batch_size failed
# only after the model had loaded.
MAX_SEQUENCES = 256


def _within_cpus(threads: int) -> str | None:
    """More threads than CPUs spin waiting for each other: 500 on 2 CPUs gave no answer in 5
    minutes, and 100,000 was a segmentation fault."""
    cpus = machine_threads()
    return f"must be at most {cpus} (the CPUs this process may use)" if threads > cpus else None


def _within_sequences(rows: int) -> str | None:
    return f"must be at most {MAX_SEQUENCES} (the sequences llama.cpp runs)" if rows > MAX_SEQUENCES else None


def machine_threads() -> int:
    """The CPUs this process may run on (its affinity mask: a container's or taskset's share)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class LlamaCppOptions:
    """How llama.cpp runs the file (``--backend-opt key=value``; --device sets device too)."""

    device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: the GPU when this llama.cpp build has one
    threads: int | None = ranged(None, minimum=1, check=_within_cpus)  # None: every CPU this process may use
    max_context: int | None = ranged(None, minimum=1)  # caps the context (default: the model's, at most 16384)
    batch_size: int = ranged(BATCH_ROWS, minimum=1, check=_within_sequences)  # requests decoded together
    task: Any = task_field()  # what to extract (a Task; None: claims), set by --task


# --- the file ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GGUFInfo:
    architecture: str
    quantization: str  # "Q4_K_M", ...: the file's type as llama.cpp names it


def gguf_path(model: str) -> Path:
    """The .gguf file ``model`` names (a file, or a folder holding exactly one); ModelError otherwise."""
    from summarizer.engine.loading import locate

    source = locate(model)
    if source.kind != "gguf":
        raise source.error("the llama-cpp backend runs GGUF files only (a .gguf file or a folder holding one)")
    return Path(source.location)


def read_gguf_info(path: Path) -> GGUFInfo:
    """The header and tensor table, checked: one-line ModelError (``<file>: <problem>``) for a file
    that is not GGUF, is truncated or corrupt."""
    from gguf import GGUFReader

    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise _error(path, f"cannot read the file: {error.strerror or error}") from None
    if magic != b"GGUF":
        raise _error(path, "not a GGUF file (it does not start with 'GGUF')")
    try:
        reader = GGUFReader(path)
    except Exception:  # numpy reshape/view errors on a short or damaged file say nothing useful
        size = path.stat().st_size
        raise _error(
            path, f"the GGUF file is truncated or corrupt: its header or tensors cannot be read ({size:,} bytes)"
        ) from None
    end = max((t.data_offset + t.n_bytes for t in reader.tensors), default=0)
    if end > path.stat().st_size:
        raise _error(path, "the GGUF file is truncated (its tensors run past the end of the file)")
    architecture = _field(reader, "general.architecture")
    if not isinstance(architecture, str):
        raise _error(path, "the GGUF file names no architecture (general.architecture)")
    file_type = _field(reader, "general.file_type")
    if isinstance(file_type, int):
        quantization = FILE_TYPES.get(file_type, f"type {file_type}")
    else:  # no file type recorded: the type most of its tensors have
        kinds = [t.tensor_type.name for t in reader.tensors]
        quantization = max(set(kinds), key=kinds.count) if kinds else "unknown"
    return GGUFInfo(architecture, quantization)


def _field(reader: Any, key: str) -> Any:
    item = reader.fields.get(key)
    if item is None or not item.data:
        return None
    value = item.parts[item.data[0]]
    if item.types and item.types[0].name == "STRING":
        return bytes(value).decode("utf-8", errors="replace")
    return int(value[0]) if len(value) == 1 else None


def _error(path: Path, problem: str) -> ModelError:
    """One line, as every model that cannot be loaded: ``cannot load model '<file>': <problem>``."""
    return ModelError(f"cannot load model {str(path)!r}: {problem}")


# --- llama.cpp -----------------------------------------------------------------------------------
class _Log:
    """llama.cpp's log, kept off the terminal; the last lines explain a failed load."""

    lines: deque[str] = deque(maxlen=40)
    _callback: Any = None

    @classmethod
    def install(cls) -> None:
        import llama_cpp

        if cls._callback is not None:
            return

        def record(_level: int, text: bytes, _user: Any) -> None:
            cls.lines.append(text.decode("utf-8", errors="replace"))

        cls._callback = llama_cpp.llama_log_callback(record)  # kept referenced: llama.cpp holds the pointer
        llama_cpp.llama_log_set(cls._callback, ctypes.c_void_p(0))

    @classmethod
    def reason(cls) -> str:
        """The last error llama.cpp logged, in one line."""
        text = "".join(cls.lines)
        for line in reversed([line.strip() for line in text.splitlines() if line.strip()]):
            if "error" in line.lower() or "failed" in line.lower() or "unknown" in line.lower():
                return " ".join(line.split())[:200]
        return "llama.cpp cannot load it"


class LlamaModel:
    """A GGUF file loaded by llama.cpp with one context of ``sequences`` parallel sequences."""

    def __init__(self, path: Path, *, threads: int, gpu_layers: int, max_context: int | None, sequences: int):
        import llama_cpp

        _Log.install()
        llama_cpp.llama_backend_init()
        self.path = path
        model_params = llama_cpp.llama_model_default_params()
        model_params.n_gpu_layers = gpu_layers
        _Log.lines.clear()
        self.model = llama_cpp.llama_model_load_from_file(str(path).encode(), model_params)
        if not self.model:
            raise _error(path, f"llama.cpp cannot load it: {_Log.reason()}")
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))
        self.train_context = int(llama_cpp.llama_model_n_ctx_train(self.model))
        # The prompt and document's share: the model's context, capped (its KV cells are allocated now).
        self.context = min(self.train_context, max_context or DEFAULT_CONTEXT_CAP)
        self.sequences = sequences
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = self.context + (sequences - 1) * ROW_CELLS
        params.n_batch = BATCH_TOKENS
        params.n_seq_max = sequences
        params.n_threads = params.n_threads_batch = threads
        params.kv_unified = True  # one pool of cells: the shared prefix is held once for every sequence
        params.no_perf = True
        self.ctx = llama_cpp.llama_init_from_model(self.model, params)
        if not self.ctx:
            llama_cpp.llama_model_free(self.model)
            self.model = None
            raise _error(path, f"llama.cpp cannot create a context for it: {_Log.reason()}")
        self.cells = int(llama_cpp.llama_n_ctx(self.ctx))
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.batch = llama_cpp.llama_batch_init(BATCH_TOKENS, 0, 1)
        self.threads = threads
        self._free = (llama_cpp.llama_batch_free, llama_cpp.llama_free, llama_cpp.llama_model_free)

    def metadata(self, key: str) -> str | None:
        import llama_cpp

        size = 1 << 16
        while True:
            buffer = ctypes.create_string_buffer(size)
            n = llama_cpp.llama_model_meta_val_str(self.model, key.encode(), buffer, size)
            if n < 0:
                return None
            if n < size:
                return buffer.value.decode("utf-8", errors="replace")
            size = n + 1

    def token_text(self, token: int) -> str:
        import llama_cpp

        return (llama_cpp.llama_vocab_get_text(self.vocab, token) or b"").decode("utf-8", errors="replace")

    def tokenize(self, text: str, special: bool) -> list[int]:
        """``text``'s tokens; special tokens written in it are parsed; ``special``: add BOS if the model does."""
        import llama_cpp

        data = text.encode("utf-8")
        size = len(data) + 8
        while True:
            out = (llama_cpp.llama_token * size)()
            n = llama_cpp.llama_tokenize(self.vocab, data, len(data), out, size, special, True)
            if n >= 0:
                return list(out[:n])
            size = -n

    def stop_tokens(self) -> list[int]:
        """End-of-generation tokens: every token llama.cpp counts as one (EOS, end of turn ...)."""
        import llama_cpp

        return [t for t in range(self.n_vocab) if llama_cpp.llama_vocab_is_eog(self.vocab, t)]

    def forget(self, sequence: int, start: int = 0) -> None:
        """Drop ``sequence``'s positions from ``start`` on (its cells go when no sequence holds them)."""
        import llama_cpp

        llama_cpp.llama_memory_seq_rm(self.memory, sequence, start, -1)

    def share(self, source: int, target: int) -> None:
        """``target`` sees all that ``source`` holds (the same cells, tagged with both)."""
        import llama_cpp

        llama_cpp.llama_memory_seq_cp(self.memory, source, target, -1, -1)

    def decode(self, tokens: list[int], positions: list[int], sequences: list[int], outputs: list[int]) -> np.ndarray:
        """Evaluate ``tokens`` (each at its position in its sequence); the logits of the tokens at the
        indices ``outputs``, one float32 row each, in that order."""
        import llama_cpp
        import numpy as np

        wanted = set(outputs)
        rows: dict[int, np.ndarray] = {}
        batch = self.batch
        for lo in range(0, len(tokens), BATCH_TOKENS):
            hi = min(lo + BATCH_TOKENS, len(tokens))
            batch.n_tokens = hi - lo
            for j, i in enumerate(range(lo, hi)):
                batch.token[j] = tokens[i]
                batch.pos[j] = positions[i]
                batch.n_seq_id[j] = 1
                batch.seq_id[j][0] = sequences[i]
                batch.logits[j] = i in wanted
            status = llama_cpp.llama_decode(self.ctx, batch)
            if status == 1:
                raise _error(
                    self.path, f"llama.cpp's KV cache is full ({self.cells} cells): lower batch_size or max_context"
                )
            if status != 0:
                raise _error(self.path, f"llama.cpp failed to evaluate a batch (status {status}): {_Log.reason()}")
            for j, i in enumerate(range(lo, hi)):
                if i in wanted:
                    pointer = llama_cpp.llama_get_logits_ith(self.ctx, j)
                    rows[i] = np.ctypeslib.as_array(pointer, shape=(self.n_vocab,)).copy()
        return np.stack([rows[i] for i in outputs]) if outputs else np.zeros((0, self.n_vocab), dtype=np.float32)

    def close(self) -> None:
        free_batch, free_context, free_model = self._free
        if getattr(self, "batch", None) is not None:
            free_batch(self.batch)
            self.batch = None
        if getattr(self, "ctx", None):
            free_context(self.ctx)
            self.ctx = None
        if getattr(self, "model", None):
            free_model(self.model)
            self.model = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the bindings may be gone already
            pass


class GGUFTokenizer:
    """The file's tokenizer and chat template, in the shape the prompt builders take
    (``encode``, ``chat_template``, ``apply_chat_template``)."""

    def __init__(self, model: LlamaModel):
        import llama_cpp

        self.model = model
        self.chat_template = model.metadata("tokenizer.chat_template")
        bos, eos = llama_cpp.llama_vocab_bos(model.vocab), llama_cpp.llama_vocab_eos(model.vocab)
        self.bos_token = model.token_text(bos) if bos >= 0 else ""
        self.eos_token = model.token_text(eos) if eos >= 0 else ""

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return self.model.tokenize(text, special=add_special_tokens)

    def apply_chat_template(
        self, messages: list[dict[str, str]], tokenize: bool = False, add_generation_prompt: bool = True
    ) -> str:
        """The chat as text, rendered as transformers renders a chat template (sandboxed jinja,
        blocks trimmed, ``raise_exception``), with the file's BOS and EOS."""
        if tokenize:
            raise ValueError("the prompt builders tokenize the rendered text themselves")
        return (
            _chat_environment()
            .from_string(self.chat_template or "")
            .render(
                messages=messages,
                add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
            )
        )


def _chat_environment() -> Any:
    from datetime import datetime

    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        from jinja2.exceptions import TemplateError

        raise TemplateError(message)

    def tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None, **kwargs: Any) -> str:
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, **kwargs)

    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    environment.filters["tojson"] = tojson
    environment.globals["raise_exception"] = raise_exception
    environment.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return environment


# --- decoding ------------------------------------------------------------------------------------
@dataclass
class _Row:
    index: int  # in the caller's list
    sequence: int  # llama.cpp sequence id
    matcher: LLMatcher
    pending: list[int]  # tokens to evaluate at the next step
    position: int  # the position of pending[0]
    tokens: list[int] = field(default_factory=list)
    forced: int = 0
    stopped: bool | None = None  # None: running; True: stopped; False: cut off by the budget


@dataclass
class Generated:
    text: str
    stopped: bool  # False: cut off by the budget
    tokens: list[int]
    forced: int


class LlamaDecoder:
    """Grammar-constrained generation of several requests at once on one :class:`LlamaModel`."""

    def __init__(self, model: LlamaModel, stop_tokens: list[int]):
        import llguidance.llamacpp
        import numpy as np

        self.model = model
        self.stop_tokens = stop_tokens
        try:
            self.ll_tokenizer = llguidance.llamacpp.lltokenizer_from_vocab(model.vocab, eos_token=stop_tokens)
        except Exception as error:  # llguidance raises plain exceptions for vocabularies it cannot read
            raise _error(model.path, f"llguidance cannot use this file's vocabulary: {error}") from None
        self.rows = model.sequences - 1  # sequence 0 holds the shared prefix
        self.bitmask = np.full((self.rows, (model.n_vocab + 31) // 32), -1, dtype=np.int32)
        self.cached: list[int] = []  # the tokens sequence 0 holds
        self.counts: dict[str, float] = {}

    def _count(self, key: str, value: float) -> None:
        self.counts[key] = self.counts.get(key, 0) + value

    def new_matcher(self, grammar: str) -> LLMatcher:
        from llguidance import LLMatcher

        matcher = LLMatcher(self.ll_tokenizer, grammar, log_level=0)
        if matcher.is_error():
            lines = matcher.get_error().strip().splitlines() or ["unknown error"]
            raise GrammarError(f"the grammar engine cannot compile the grammar: {lines[0]}")
        return matcher

    # --- the shared prefix ----------------------------------------------------------------
    def start(self, instructions: list[int]) -> None:
        """Begin an article from ``instructions`` alone: kept from the article before when sequence 0
        starts with them, else evaluated from position 0. llama.cpp's numbers depend on how tokens are
        split into batches, so an article is always evaluated from the same point, whatever came
        before it: the same article gets the same answer in any run."""
        if self.cached[: len(instructions)] == instructions:
            self.model.forget(0, len(instructions))
            self.cached = self.cached[: len(instructions)]
        else:
            self.model.forget(0)
            self.cached = []
        self._cache(instructions)

    def _cache(self, prefix: list[int]) -> None:
        """Make sequence 0 hold ``prefix``, keeping what it holds already of it."""
        same = 0
        for a, b in zip(self.cached, prefix, strict=False):
            if a != b:
                break
            same += 1
        if same < len(self.cached):
            self.model.forget(0, same)
        rest = prefix[same:]
        if rest:
            started, cpu = time.perf_counter(), time.process_time()
            self.model.decode(rest, list(range(same, len(prefix))), [0] * len(rest), [])
            self._count("prefill_seconds", time.perf_counter() - started)
            self._count("prefill_cpu_seconds", time.process_time() - cpu)  # all threads: robust to other load
            self._count("prefill_tokens", len(rest))
        self.cached = list(prefix)

    # --- generation -------------------------------------------------------------------------
    def generate(
        self, prompts: list[list[int]], grammars: list[str], params: DecodeParams, budget: int
    ) -> list[Generated]:
        """One answer per prompt, in order; at most ``budget`` tokens each (forced ones included)."""
        import numpy as np

        if not prompts:
            return []
        shared = _common_prefix(prompts)
        shared = min(shared, min(len(p) for p in prompts) - 1)  # every row evaluates at least one token
        self._cache(prompts[0][:shared])
        rng = np.random.default_rng(params.seed) if params.temperature > 0 else None
        waiting = deque(range(len(prompts)))
        free = deque(range(1, self.rows + 1))
        done: list[_Row] = []
        active: list[_Row] = []
        try:
            while active or waiting:
                while waiting and free:
                    index = waiting.popleft()
                    row = _Row(
                        index, free.popleft(), self.new_matcher(grammars[index]), prompts[index][shared:], shared
                    )
                    self.model.share(0, row.sequence)
                    row.pending += self._fast_forward(row, params, budget)
                    active.append(row)
                for row in active:
                    self._check(row, budget)
                for row in [r for r in active if r.stopped is not None]:
                    self.model.forget(row.sequence)
                    free.append(row.sequence)
                    done.append(row)
                active = [r for r in active if r.stopped is None]
                if active:
                    self._step(active, params, budget, rng)
        finally:
            for row in active:
                self.model.forget(row.sequence)
        done.sort(key=lambda r: r.index)
        return [Generated(self._text(r.tokens), bool(r.stopped), r.tokens, r.forced) for r in done]

    def _check(self, row: _Row, budget: int) -> None:
        """Fill the row's mask for this step (in its sequence's slot) and settle a row that is done."""
        from llguidance.numpy import fill_next_token_bitmask

        slot = row.sequence - 1
        if row.stopped is not None:
            return
        if row.matcher.is_stopped():
            row.stopped = True
            return
        fill_next_token_bitmask(row.matcher, self.bitmask, slot)
        if row.matcher.is_error():
            raise GrammarError(f"the grammar engine failed: {row.matcher.get_error().strip().splitlines()[0]}")
        if row.matcher.is_accepting() and self._only_stop_allowed(slot):
            row.stopped = True  # nothing but a stop token could come: no need to run the model
        elif len(row.tokens) >= budget:
            row.stopped = False

    def _step(self, active: list[_Row], params: DecodeParams, budget: int, rng: Any) -> None:
        tokens: list[int] = []
        positions: list[int] = []
        sequences: list[int] = []
        last: list[int] = []
        for row in active:
            n = len(row.pending)
            tokens += row.pending
            positions += range(row.position, row.position + n)
            sequences += [row.sequence] * n
            last.append(len(tokens) - 1)
        started, cpu = time.perf_counter(), time.process_time()
        logits = self.model.decode(tokens, positions, sequences, last)
        self._count("decode_seconds", time.perf_counter() - started)
        self._count("decode_cpu_seconds", time.process_time() - cpu)
        self._count("decode_tokens", len(tokens))
        self._count("forward_passes", 1)
        for i, row in enumerate(active):  # each row's mask was filled by _check
            row.position += len(row.pending)
            row.pending = []
            token = self._choose(logits[i], row.sequence - 1, params, rng)
            self._consume(row, [token])
            if token in self.stop_tokens:
                row.stopped = True
                continue
            row.tokens.append(token)
            row.pending = [token] + self._fast_forward(row, params, budget)

    def _choose(self, logits: np.ndarray, slot: int, params: DecodeParams, rng: Any) -> int:
        import numpy as np

        allowed = np.unpackbits(self.bitmask[slot].view(np.uint8), bitorder="little")[: len(logits)].astype(bool)
        masked = np.where(allowed, logits, -np.inf)
        if rng is None:
            return int(np.argmax(masked))
        scaled = (masked - masked.max()) / params.temperature
        probs = np.exp(scaled)
        probs /= probs.sum()
        if params.top_p < 1.0:
            order = np.argsort(-probs, kind="stable")
            sorted_probs = probs[order]
            keep = np.cumsum(sorted_probs) - sorted_probs < params.top_p  # always keeps the top token
            probs = np.zeros_like(probs)
            probs[order[keep]] = sorted_probs[keep]
            probs /= probs.sum()
        return int(rng.choice(len(probs), p=probs))

    def _only_stop_allowed(self, slot: int) -> bool:
        import numpy as np

        words = self.bitmask[slot]
        if int(np.count_nonzero(words)) > len(self.stop_tokens):
            return False
        allowed = np.flatnonzero(np.unpackbits(words.view(np.uint8), bitorder="little")[: self.model.n_vocab])
        return set(allowed.tolist()) <= set(self.stop_tokens)

    def _fast_forward(self, row: _Row, params: DecodeParams, budget: int) -> list[int]:
        if not params.fast_forward or row.matcher.is_stopped():
            return []
        forced = list(row.matcher.compute_ff_tokens())[: budget - len(row.tokens)]
        if forced:
            self._consume(row, forced)
            row.tokens.extend(forced)
            row.forced += len(forced)
        return forced

    @staticmethod
    def _consume(row: _Row, tokens: list[int]) -> None:
        if not row.matcher.consume_tokens(tokens):
            raise GrammarError(f"the grammar rejected a token: {row.matcher.get_error().strip().splitlines()[0]}")

    def _text(self, tokens: list[int]) -> str:
        # llguidance's bytes are what the grammar matched; a cut-off answer may end inside a character.
        return bytes(self.ll_tokenizer.decode_bytes(tokens)).decode("utf-8", errors="replace")


def _common_prefix(prompts: list[list[int]]) -> int:
    first = prompts[0]
    n = min(len(p) for p in prompts)
    for other in prompts[1:]:
        i = 0
        while i < n and other[i] == first[i]:
            i += 1
        n = i
    return n


# --- the backend ---------------------------------------------------------------------------------
class LlamaCppBackend(Backend):
    """A GGUF file run by llama.cpp under the task's grounded grammars."""

    name = "llama-cpp"
    Options = LlamaCppOptions

    def __init__(self, model: str, options: LlamaCppOptions | None = None):
        from summarizer.engine.prompting import PromptBuilder, prompt_parts

        options = options or LlamaCppOptions()
        self._model_name, self.options = model, options
        self.task = load_task(options.task)
        self.identity = self.identify(model, options)
        self.path = Path(self.identity["source"])
        self.llama = LlamaModel(
            self.path,
            threads=options.threads or machine_threads(),
            gpu_layers=_gpu_layers(options.device, self.path),
            max_context=options.max_context,
            sequences=options.batch_size + 1,
        )
        self.tokenizer = GGUFTokenizer(self.llama)
        self.decoder = LlamaDecoder(self.llama, self.llama.stop_tokens())
        self.prompts = PromptBuilder(self.tokenizer, prompt_parts(self.task))
        self._request_prompts: dict[RequestChat, RequestPrompts] = {}
        self._context: Context | None = None  # the article sequence 0 holds, as the adapter last saw it
        self.strategies = build_strategies(self)  # beyond the document one (claims: figure-guided extraction)

    @property
    def model_id(self) -> str:
        return self._model_name

    @classmethod
    def identify(cls, model: str, options: LlamaCppOptions | None = None) -> dict[str, Any]:
        """What the output depends on, without loading: the file's content (sha256) and quantization,
        llama-cpp-python's version, this adapter's code and the task's prompt and schema."""
        from summarizer.engine import fingerprint
        from summarizer.engine.gguf import clean_partial_conversions

        options = options or LlamaCppOptions()
        version = installed_version()
        if version is None:
            raise ModelError(
                "the llama-cpp backend needs llama-cpp-python: pip install 'summarizer[llamacpp]' "
                "(or --backend transformers)"
            )
        path = gguf_path(model)
        clean_partial_conversions()  # a transformers conversion of a GGUF file killed earlier
        info = read_gguf_info(path)
        task = load_task(options.task)
        prompt = prompt_identity(task)
        return {
            "backend": cls.name,
            "model": model,
            "source": str(path),
            "revision": None,
            "weights": {"gguf_sha256": fingerprint.file_sha256(path)},
            "quantization": info.quantization,
            "architecture": info.architecture,
            "adapter": f"{cls.name} {engine_hash(task)}",
            "llama_cpp_python": version,
            "device": "cuda" if _gpu_layers(options.device, path) else "cpu",
            # Seen to change a small model's answers (1 vs 2 threads, with other differences beside): kept apart.
            "threads": options.threads or machine_threads(),
            "prompt_hash": prompt,
            "task": task.name,
            "task_hash": task.hash,
            "schema_hash": task.schema_hash,
            "max_context": options.max_context,
        }

    def describe(self) -> dict[str, Any]:
        return dict(self.identity)

    def _budget(self, overhead_tokens: int) -> Any:
        from summarizer.engine.extraction import Budget

        return Budget(self.model_id, self.llama.context, overhead_tokens, self.prompts.article_tokens)

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        started = time.perf_counter()
        self.decoder.counts = {}
        extraction = run_strategy(self.task, self.strategies, article, options, self._extract_document)
        for key, value in self.decoder.counts.items():
            if key not in extraction.stats.as_dict():
                extraction.stats[key] = round(value, 4) if isinstance(value, float) else value
        extraction.stats["threads"] = self.llama.threads
        extraction.stats["seconds"] = round(time.perf_counter() - started, 4)
        return extraction

    def _params(self, options: ExtractOptions, budget: int) -> DecodeParams:
        from summarizer.engine.decode import DecodeParams

        return DecodeParams.of(options, budget, speculate=False)  # llama.cpp's decoder does not speculate

    def _extract_document(self, article: str, options: ExtractOptions) -> Extraction:
        """The document strategy: one generation per chunk of the article, merged."""
        from summarizer.engine.extraction import extract_document

        return extract_document(
            article, options, self._budget(self.prompts.overhead_tokens), self._extract_text, self.task
        )

    def _extract_text(self, text: str, options: ExtractOptions, new_tokens: int) -> Extraction:
        """One document for ``text`` under the grammar grounded on it (the document strategy)."""
        from summarizer.engine.extraction import cut_off_limit, drop_repeats, parse_document, truncated_document
        from summarizer.engine.grammar import build_grammar

        grammar = build_grammar(self.task.schema, text if options.grounded else None, grounded=options.grounded)
        prompt = self.prompts.build(text)
        self.decoder.start(self.prompts.prefix_ids)
        self._context = None  # sequence 0 holds no strategy's article now
        [answer] = self.decoder.generate([prompt.ids], [grammar], self._params(options, new_tokens), new_tokens)
        stats = {
            "prompt_tokens": len(prompt.ids),
            "generated_tokens": len(answer.tokens),
            "forced_tokens": answer.forced,
        }
        if not answer.stopped:
            return truncated_document(
                answer.text, f"cut off at {cut_off_limit(new_tokens, options.max_new_tokens)}", stats, self.task
            )
        return drop_repeats(parse_document(answer.text, stats, task=self.task), self.task)

    # --- the adapter (summarizer.backends.adapter): short requests about one article ------------

    def article_spans(self, chat: RequestChat, article: str) -> list[tuple[int, int]]:
        return self._budget(self.request_prompts(chat).overhead_tokens).request_spans(article)

    def request_prompts(self, chat: RequestChat) -> RequestPrompts:
        from summarizer.engine.request_chat import RequestPrompts

        if chat not in self._request_prompts:
            self._request_prompts[chat] = RequestPrompts(self.tokenizer, chat)
        return self._request_prompts[chat]

    def generate(self, context: Context, batch: Batch, totals: dict[str, float]) -> list[tuple[str, bool]]:
        """The requests as parallel sequences after the article's shared prefix (the grammar holds the
        model to the batch's answer format: nothing to check afterwards)."""
        prompts = self.request_prompts(context.chat)
        if self._context is not context:
            # A new article starts from the instructions alone: evaluated from the same point whatever
            # came before it, so the same article gets the same answers in any run.
            self.decoder.start(prompts.prefix_ids)
            self._context = context
        article_ids = prompts.article_ids(context.article)
        ids = [article_ids + prompts.request_ids(request) for request in batch.requests]
        options, limit = context.options, batch.limit
        params = self._params(options, limit)
        answers = self.decoder.generate(ids, list(batch.grammars), params, min(limit, options.max_new_tokens))
        totals["generated_tokens"] = totals.get("generated_tokens", 0) + sum(len(a.tokens) for a in answers)
        totals["forced_tokens"] = totals.get("forced_tokens", 0) + sum(a.forced for a in answers)
        totals["generations"] = totals.get("generations", 0) + len(answers)
        totals["prompt_tokens"] = len(article_ids)
        return [(a.text, a.stopped) for a in answers]


def _gpu_layers(device: str, path: Path) -> int:
    import llama_cpp

    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    if device == "cuda" and not gpu:
        raise _error(path, "--device cuda: this llama-cpp-python build has no GPU support (CPU only)")
    return -1 if device == "cuda" or (device == "auto" and gpu) else 0


def engine_hash(task: Any = None) -> str:
    """sha256 of the modules whose code decides the output (see ENGINE_MODULES) and of the task
    kit's (``task``: a Task, None: the default task)."""
    from summarizer.core.resources import source_hash

    return source_hash((*ENGINE_MODULES, *ITEM_SOURCES, *kit_sources(load_task(task))))
