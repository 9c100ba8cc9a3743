"""The performance benchmark: this project's decode loop against its peers and the hardware floor.

Run by hand (``summarizer bench`` or ``python eval/bench.py``), never in CI (CI runs
the seconds-long ``--smoke`` version). Everything is offline:

* a random-weight model with the shape of Qwen2.5-0.5B (24 layers, hidden 896,
  14 heads, 2 KV heads, intermediate 4864, tied embeddings, Qwen's padded vocab of
  151,936) and a byte-level BPE tokenizer of ~150k tokens trained with ``tokenizers``
  on Python's standard library sources, ChatML template, ``<|im_end|>`` as stop token.
  Built once into a cache folder (training the tokenizer takes minutes).
* random weights give real timings (quality is not measured): greedy decoding, a
  fixed token cap, the seed articles and the claims schema.

Figures, in one run: (1) mask overhead per token, (2) forward passes per generated
token and forced-token share, (3) prefill cold vs warm (shared prompt prefix cached),
(4) end-to-end seconds per article against ``outlines`` and plain ``model.generate``
with an llguidance logits processor, (5) per-token decode time against the memory
bandwidth floor, (6) peak resident memory. Written to ``RESULTS.md`` and
``results.json`` with the targets of the performance issue, met or not.

torch, transformers, llguidance and outlines are imported inside functions.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from summarizer.core.errors import SummarizerError

# --------------------------------------------------------------------------------------
# The model under test
# --------------------------------------------------------------------------------------

# Qwen2.5-0.5B's architecture (config.json of Qwen/Qwen2.5-0.5B-Instruct).
QWEN25_05B_SHAPE: dict[str, Any] = {
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "vocab_size": 151_936,  # padded past the tokenizer's 151,665 tokens, as in Qwen
    "max_position_embeddings": 32_768,
    "rope_theta": 1_000_000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
}
# Qwen2.5's tokenizer has 151,643 regular tokens; ours gets as many as the corpus allows.
TOKENIZER_TARGET_VOCAB = 151_643
TOKENIZER_MIN_VOCAB = 100_000
# Enough Python source for ~150k merges; sorted file order keeps the build reproducible.
CORPUS_MAX_BYTES = 120_000_000
BENCH_MODEL_VERSION = 1  # bump when the recipe changes: cached builds are rebuilt

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def default_cache_dir() -> Path:
    base = os.environ.get("SUMMARIZER_CACHE") or Path.home() / ".cache" / "summarizer"
    return Path(base) / "bench-model"


def _recipe() -> dict:
    return {
        "version": BENCH_MODEL_VERSION,
        "shape": QWEN25_05B_SHAPE,
        "tokenizer_target": TOKENIZER_TARGET_VOCAB,
        "corpus_max_bytes": CORPUS_MAX_BYTES,
        "seed": 0,
    }


def _stdlib_sources(max_bytes: int) -> list[Path]:
    """Python's standard library ``*.py`` files, in sorted order, up to ``max_bytes``."""
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"])
    files, total = [], 0
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        size = path.stat().st_size
        if total + size > max_bytes:
            break
        files.append(path)
        total += size
    return files


def _read_texts(paths: list[Path]):
    for path in paths:
        yield path.read_text(encoding="utf-8", errors="replace")


def train_tokenizer(target_vocab: int = TOKENIZER_TARGET_VOCAB, max_bytes: int = CORPUS_MAX_BYTES):
    """A byte-level BPE (the Qwen/GPT-2 kind) trained on the standard library; specials first."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=target_vocab + len(SPECIAL_TOKENS),
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    paths = _stdlib_sources(max_bytes)
    tok.train_from_iterator(_read_texts(paths), trainer=trainer, length=len(paths))
    return tok


def _wrap_tokenizer(tok):
    from transformers import PreTrainedTokenizerFast

    hf = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    hf.chat_template = CHATML_TEMPLATE
    return hf


def build_bench_model(out_dir: Path) -> Path:
    """Train the tokenizer, initialise the random model and save both (``save_pretrained``)."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok = train_tokenizer()
    hf_tok = _wrap_tokenizer(tok)
    if len(hf_tok) < TOKENIZER_MIN_VOCAB:
        raise SummarizerError(f"the benchmark tokenizer reached only {len(hf_tok)} tokens (needs 100k+)")
    if len(hf_tok) > QWEN25_05B_SHAPE["vocab_size"]:
        raise SummarizerError(f"the benchmark tokenizer has {len(hf_tok)} tokens, more than the model's vocab")
    ids = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    config = Qwen2Config(
        **QWEN25_05B_SHAPE,
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config = GenerationConfig(
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]], pad_token_id=ids["<|endoftext|>"], do_sample=False
    )
    model.save_pretrained(out_dir)
    hf_tok.save_pretrained(out_dir)
    info = {**_recipe(), "tokenizer_vocab": len(hf_tok), "parameters": sum(p.numel() for p in model.parameters())}
    (out_dir / "bench_model.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out_dir


def _is_built(model_dir: Path) -> bool:
    marker = model_dir / "bench_model.json"
    if not marker.is_file():
        return False
    info = json.loads(marker.read_text(encoding="utf-8"))
    return all(info.get(key) == value for key, value in json.loads(json.dumps(_recipe())).items())


def ensure_bench_model(cache_dir: Path, log: Callable[[str], None]) -> Path:
    """The cached benchmark model, built first if missing (in a child process, so the
    training's memory does not count in this process's peak resident memory)."""
    cache_dir = Path(cache_dir)
    if _is_built(cache_dir):
        return cache_dir
    log(f"building the benchmark model into {cache_dir} (once; training a ~150k-token BPE takes minutes)")
    command = [
        sys.executable,
        "-c",
        "import sys; from summarizer.bench.benchmark import build_bench_model; build_bench_model(sys.argv[1])",
        str(cache_dir),
    ]
    subprocess.run(command, check=True)
    if not _is_built(cache_dir):
        raise SummarizerError(f"building the benchmark model into {cache_dir} failed")
    return cache_dir


def ensure_smoke_model(cache_dir: Path) -> Path:
    """The tiny test model (seconds to build), for ``--smoke``."""
    from summarizer.testing.tiny_model import build_tiny_model

    tiny_dir = Path(cache_dir)
    if not (tiny_dir / "tiny_model.json").is_file():
        build_tiny_model(tiny_dir)
    return tiny_dir


# --------------------------------------------------------------------------------------
# Options and the machine
# --------------------------------------------------------------------------------------

INSTALL_HINT = "pip install -e '.[bench]'"


@dataclass
class BenchOptions:
    out_dir: Path = Path("bench")
    runs: int = 3  # timed repetitions; every timing is the median over them
    max_new_tokens: int = 128  # the fixed cap: random weights never stop, every system runs to it
    articles: int = 0  # how many seed articles (0: all)
    smoke: bool = False  # tiny model, one article, a few tokens: seconds (what CI runs)
    cache_dir: Path | None = None  # where the built benchmark model is kept
    outlines_core_timeout: float = 120.0  # seconds allowed to outlines' default backend to compile (0: skip)
    profile: bool = True
    model_dir: Path | None = None  # smoke mode: an already built tiny model (tests pass theirs)
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


def outlines_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("outlines")
    except metadata.PackageNotFoundError:
        return None


def require_outlines() -> None:
    """The full benchmark compares against outlines: refuse early, in one line, when it is missing."""
    if outlines_version() is None:
        raise SummarizerError(f"the benchmark needs outlines (an optional extra): {INSTALL_HINT}")


def _package_versions() -> dict[str, str | None]:
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in (
        "torch",
        "transformers",
        "tokenizers",
        "llguidance",
        "outlines",
        "outlines_core",
        "numpy",
        "pyinstrument",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict:
    import torch

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": _package_versions(),
        "load_average_at_start": _load_average(),
    }


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024**2 if sys.platform == "darwin" else 1024), 1)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --------------------------------------------------------------------------------------
# The systems under test
# --------------------------------------------------------------------------------------


@dataclass
class Workbench:
    """Everything loaded once: model, tokenizer, the project's engine pieces, the articles."""

    model: Any
    tokenizer: Any
    model_dir: Path
    articles: dict[str, str]
    prompts: Any  # prompting.PromptBuilder
    warm: Any  # decode.Decoder with the shared prefix cached (how the project runs)
    cold: Any  # decode.Decoder without it (prefill from scratch)
    schema: dict
    stop_ids: list[int]
    vocab_size: int
    prefix_cache_seconds: float
    ll_tokenizer: Any = None  # llguidance tokenizer for the plain-generate processor
    bare_prefix_cache: Any = None  # KV cache of the prefix for the unconstrained loop


def load_workbench(model_dir: Path, article_limit: int, log: Callable[[str], None]) -> Workbench:
    import llguidance.hf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from summarizer.core.resources import load_schema, seeds_dir
    from summarizer.engine.decode import Decoder, model_stop_token_ids, model_vocab_size
    from summarizer.engine.prompting import PromptBuilder

    log(f"loading {model_dir}")
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    paths = sorted((seeds_dir() / "articles").glob("*.txt"))
    if article_limit:
        paths = paths[:article_limit]
    articles = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    prompts = PromptBuilder(tokenizer)
    warm, cold = Decoder(model, tokenizer), Decoder(model, tokenizer)
    started = time.perf_counter()
    warm.cache_prefix(prompts.prefix_ids)
    prefix_cache_seconds = time.perf_counter() - started
    stop_ids = model_stop_token_ids(model, tokenizer)
    vocab_size = model_vocab_size(model)
    bench = Workbench(
        model,
        tokenizer,
        Path(model_dir),
        articles,
        prompts,
        warm,
        cold,
        load_schema(),
        stop_ids,
        vocab_size,
        prefix_cache_seconds,
    )
    # The stub asks for a fast tokenizer; AutoTokenizer's type also allows a slow one, but this one is fast.
    bench.ll_tokenizer = llguidance.hf.from_tokenizer(tokenizer, n_vocab=vocab_size, eos_token=stop_ids)  # type: ignore[arg-type]
    bench.bare_prefix_cache = _forward_last(model, prompts.prefix_ids, _new_cache(model))[1]
    return bench


def _new_cache(model):
    from transformers import DynamicCache

    try:
        return DynamicCache(config=model.config)
    except TypeError:  # older transformers
        return DynamicCache()


def _forward_last(model, token_ids: list[int], cache):
    """One forward pass over ``token_ids`` after what ``cache`` holds: (logits of the last position, cache)."""
    import torch

    from summarizer.engine.decode import cache_argument

    with torch.no_grad():
        out = model(
            input_ids=torch.tensor([token_ids]), use_cache=True, logits_to_keep=1, **{cache_argument(model): cache}
        )
    return out.logits[0, -1], cache


def run_project(
    bench: Workbench, article: str, max_new_tokens: int, *, warm: bool = True, fast_forward: bool = True
) -> dict:
    """This project, per article: prompt, grounded grammar, the own decode loop."""
    from summarizer.engine.decode import DecodeParams
    from summarizer.engine.grammar import build_grammar

    started = time.perf_counter()
    prompt = bench.prompts.build(article)
    grammar = build_grammar(bench.schema, article)
    decoder = bench.warm if warm else bench.cold
    result = decoder.generate(
        prompt.ids, grammar, DecodeParams(max_new_tokens=max_new_tokens, temperature=0.0, fast_forward=fast_forward)
    )
    seconds = time.perf_counter() - started
    stats = result.stats
    decode_passes = max(stats["forward_passes"] - 1, 1)
    return {
        "seconds": seconds,
        "generated_tokens": stats["generated_tokens"],
        "forced_tokens": stats["forced_tokens"],
        "forward_passes": stats["forward_passes"],
        "prompt_tokens": stats["prompt_tokens"],
        "reused_prefix_tokens": stats["reused_prefix_tokens"],
        "prefill_seconds": stats["prefill_seconds"],
        # after the first logits: one pass per sampled token (plus the tokens forced with it)
        "decode_seconds_per_pass": (stats["seconds"] - stats["prefill_seconds"]) / decode_passes,
        "stop_reason": result.stop_reason,
        "token_ids": list(result.token_ids),
        "text": result.text,
    }


def run_unconstrained(bench: Workbench, article: str, n_tokens: int) -> dict:
    """The same model calls with no grammar (greedy, exactly ``n_tokens``): the mask-free baseline."""
    import copy

    import torch

    prompt = bench.prompts.build(article)
    cache = copy.deepcopy(bench.bare_prefix_cache)
    logits, cache = _forward_last(bench.model, prompt.ids[prompt.prefix_len :], cache)
    token = int(torch.argmax(logits))
    tokens = [token]
    started = time.perf_counter()
    while len(tokens) < n_tokens:
        logits, cache = _forward_last(bench.model, [token], cache)
        token = int(torch.argmax(logits))
        tokens.append(token)
    decode_seconds = time.perf_counter() - started
    return {"generated_tokens": len(tokens), "decode_seconds_per_pass": decode_seconds / max(len(tokens) - 1, 1)}


def llguidance_logits_processor(ll_tokenizer, grammar: str, vocab_size: int):
    """A plain ``transformers`` logits processor over llguidance's LLMatcher: consume the
    last token, compute the mask, apply it. What a user would write for ``model.generate``."""
    import llguidance
    import llguidance.torch
    import numpy as np
    import torch
    from transformers import LogitsProcessor

    class LLGuidanceLogitsProcessor(LogitsProcessor):
        def __init__(self):
            self.matcher = llguidance.LLMatcher(ll_tokenizer, grammar, log_level=0)
            if self.matcher.is_error():
                raise SummarizerError(f"llguidance cannot compile the grammar: {self.matcher.get_error()}")
            self.bitmask = llguidance.torch.allocate_token_bitmask(1, vocab_size)
            self.started = False

        def __call__(self, input_ids, scores):
            if self.started:  # the first call comes before any token was generated
                self.matcher.consume_token(int(input_ids[0, -1]))
            self.started = True
            llguidance.torch.fill_next_token_bitmask(self.matcher, self.bitmask, 0)
            bits = np.unpackbits(self.bitmask.numpy().view(np.uint8), bitorder="little")[: scores.shape[-1]]
            allowed = torch.from_numpy(bits.astype(bool))
            scores[0, ~allowed] = float("-inf")
            return scores

    return LLGuidanceLogitsProcessor()


def run_plain_generate(bench: Workbench, article: str, max_new_tokens: int) -> dict:
    """``model.generate`` (greedy) with the same prompt and grounded grammar, through a logits processor."""
    import torch
    from transformers import LogitsProcessorList

    from summarizer.engine.grammar import build_grammar

    started = time.perf_counter()
    prompt = bench.prompts.build(article)
    grammar = build_grammar(bench.schema, article)
    processor = llguidance_logits_processor(bench.ll_tokenizer, grammar, bench.vocab_size)
    input_ids = torch.tensor([prompt.ids])
    with torch.no_grad():
        output = bench.model.generate(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            logits_processor=LogitsProcessorList([processor]),
            eos_token_id=bench.stop_ids,
            pad_token_id=bench.tokenizer.pad_token_id,
        )
    seconds = time.perf_counter() - started
    new = output[0, input_ids.shape[1] :].tolist()
    if new and new[-1] in bench.stop_ids:
        new = new[:-1]
    return {"seconds": seconds, "generated_tokens": len(new), "prompt_tokens": len(prompt.ids)}


class OutlinesRunner:
    """outlines 1.3 on the same model: ``from_transformers`` + a JSON-schema output type.

    Its default JSON backend (outlines_core) cannot compile the claims schema in
    reasonable time (see :func:`outlines_core_compile`), so the timed runs use outlines'
    llguidance backend. The generator is built once (as a user would for many articles).
    """

    backend = "llguidance"

    def __init__(self, bench: Workbench):
        import outlines
        from outlines.generator import SteerableGenerator
        from outlines.types import JsonSchema

        self.bench = bench
        started = time.perf_counter()
        self.model = outlines.from_transformers(bench.model, bench.tokenizer)
        self.generator = outlines.Generator(self.model, JsonSchema(json.dumps(bench.schema)), backend=self.backend)
        self.setup_seconds = time.perf_counter() - started
        self.steps = 0
        # A transformers model gives a steerable generator, whose logits processor is set.
        assert isinstance(self.generator, SteerableGenerator) and self.generator.logits_processor is not None
        processor = self.generator.logits_processor
        original = processor.process_logits

        def counting(input_ids, logits):  # one call per generated token: counts them
            self.steps += 1
            return original(input_ids, logits)

        processor.process_logits = counting

    def run(self, article: str, max_new_tokens: int) -> dict:
        from outlines.inputs import Chat

        from summarizer.engine.prompting import build_messages

        chat = Chat(build_messages(article))
        self.steps = 0
        started = time.perf_counter()
        text = self.generator(chat, max_new_tokens=max_new_tokens, do_sample=False)
        seconds = time.perf_counter() - started
        prompt = self.model.type_adapter.format_input(chat)  # what outlines tokenized (not timed)
        prompt_tokens = len(self.bench.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        # Fewer steps than the cap means the grammar ended: the last step sampled the stop token.
        tokens = self.steps if self.steps >= max_new_tokens else max(self.steps - 1, 0)
        return {"seconds": seconds, "generated_tokens": tokens, "prompt_tokens": prompt_tokens, "text": text}


_OUTLINES_CORE_SCRIPT = """
import json, sys, time
import torch
import outlines
from outlines.types import JsonSchema
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
model_dir, schema = sys.argv[1], sys.argv[2]
tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
with torch.device("meta"):  # the backend only reads the tokenizer: no weights needed
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_dir, local_files_only=True))
started = time.perf_counter()
outlines.Generator(outlines.from_transformers(model, tokenizer), JsonSchema(schema))
print(json.dumps({"compile_seconds": time.perf_counter() - started}))
"""


def outlines_core_compile(model_dir: Path, schema: dict, timeout: float) -> dict:
    """Time outlines' default JSON backend (outlines_core) compiling the claims schema, in a child
    process under a time limit: its regex (length-bounded strings, up to 200 claims) is huge."""
    if timeout <= 0:
        return {"status": "skipped", "reason": "--outlines-core-timeout 0"}
    command = [sys.executable, "-c", _OUTLINES_CORE_SCRIPT, str(model_dir), json.dumps(schema)]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        )
    except subprocess.TimeoutExpired:
        return {
            "status": "timeout",
            "compile_seconds": None,
            "timeout_seconds": timeout,
            "reason": f"did not finish compiling the claims schema within {timeout:.0f} s",
        }
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        return {
            "status": "failed",
            "compile_seconds": None,
            "reason": last[:300],
            "seconds": time.perf_counter() - started,
        }
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"status": "ok", "compile_seconds": result["compile_seconds"]}


# --------------------------------------------------------------------------------------
# The hardware floor and the profile
# --------------------------------------------------------------------------------------


def memory_bandwidth(n_bytes: int, repeats: int = 5) -> dict:
    """Memory bandwidth from large copies (STREAM "copy" convention: bytes read + bytes written).

    numpy copies on one thread; torch's ``copy_`` uses every thread it has. The floor
    uses the faster of the two, so that it is the stricter one.
    """
    import numpy as np
    import torch

    src = np.ones(n_bytes // 8, dtype=np.float64)
    dst = np.empty_like(src)

    def best_of(copy: Callable[[], Any]) -> float:
        copy()  # first touch: page faults are not bandwidth
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            copy()
            times.append(time.perf_counter() - started)
        return min(times)

    numpy_seconds = best_of(lambda: np.copyto(dst, src))
    src_t, dst_t = torch.from_numpy(src), torch.from_numpy(dst)
    torch_seconds = best_of(lambda: dst_t.copy_(src_t))
    numpy_gbs = 2 * src.nbytes / numpy_seconds / 1e9
    torch_gbs = 2 * src.nbytes / torch_seconds / 1e9
    return {
        "array_bytes": src.nbytes,
        "numpy_copy_gb_s": round(numpy_gbs, 2),
        "torch_copy_gb_s": round(torch_gbs, 2),
        "bandwidth_gb_s": round(max(numpy_gbs, torch_gbs), 2),
    }


def weight_bytes(model) -> int:
    """Bytes of weights one decode step reads: every parameter once (tied embeddings are one
    tensor; the output layer reads all of it, the embedding lookup one row)."""
    seen, total = set(), 0
    for parameter in model.parameters():
        if parameter.data_ptr() in seen:
            continue
        seen.add(parameter.data_ptr())
        total += parameter.numel() * parameter.element_size()
    return total


def kv_bytes_per_token(model) -> int:
    config = model.config
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    element = next(model.parameters()).element_size()
    return 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * element


def replay_document(ll_tokenizer, grammar: str, text: str) -> dict | None:
    """Generate ``text`` through ``grammar`` the way the decode loop does (fast-forward on),
    with an oracle in place of the model that always picks the next token of ``text``.

    Counts what fast-forward does on a realistic document: every sampled token costs a
    forward pass, forced tokens ride along. None when ``text`` does not fit the grammar.
    """
    import llguidance
    import llguidance.torch

    matcher = llguidance.LLMatcher(ll_tokenizer, grammar, log_level=0)
    bitmask = llguidance.torch.allocate_token_bitmask(1, ll_tokenizer.vocab_size)
    target, done = text.encode("utf-8"), b""
    sampled = forced = 0
    mask_seconds: list[float] = []
    while not matcher.is_error():
        ff = matcher.compute_ff_tokens()
        if ff:
            matcher.consume_tokens(ff)
            forced += len(ff)
            done += ll_tokenizer.decode_bytes(ff)
        if len(done) >= len(target) or not target.startswith(done):
            break
        started = time.perf_counter()  # the mask the decode loop computes before each sampled token
        llguidance.torch.fill_next_token_bitmask(matcher, bitmask, 0)
        mask_seconds.append(time.perf_counter() - started)
        token = _oracle_token(ll_tokenizer, matcher, target[len(done) :])
        if token is None:
            return None
        matcher.consume_token(token)
        sampled += 1
        done += ll_tokenizer.decode_bytes([token])
    if done != target or matcher.is_error():
        return None
    # The decode loop stops without a pass once only a stop token is allowed: one pass per sampled token.
    return {"tokens": sampled + forced, "forced": forced, "forward_passes": sampled, "mask_seconds": mask_seconds}


def _oracle_token(ll_tokenizer, matcher, remaining: bytes) -> int | None:
    """The first token of the canonical tokenization of ``remaining`` if the grammar allows it,
    else the longest allowed single token that is a prefix of it."""
    first = ll_tokenizer.tokenize_bytes(remaining[:256])[:1]
    if first and matcher.validate_tokens(first) == 1:
        return first[0]
    for length in range(min(len(remaining), 64), 0, -1):
        tokens = ll_tokenizer.tokenize_bytes(remaining[:length])
        if len(tokens) == 1 and matcher.validate_tokens(tokens) == 1:
            return tokens[0]
    return None


def replay_gold_documents(bench: Workbench) -> dict:
    """Fast-forward on the seed articles' gold documents (what a good model writes), replayed
    through each article's grounded grammar."""
    from summarizer.core.resources import seeds_dir
    from summarizer.engine.grammar import build_grammar
    from summarizer.engine.prompting import format_document

    totals = {"tokens": 0, "forced": 0, "forward_passes": 0}
    replayed, unfit, mask_seconds = [], [], []
    for aid, article in bench.articles.items():
        label = seeds_dir() / "labels" / f"{aid}.json"
        if not label.is_file():
            continue
        document = json.loads(label.read_text(encoding="utf-8"))
        counts = replay_document(bench.ll_tokenizer, build_grammar(bench.schema, article), format_document(document))
        if counts is None:
            unfit.append(aid)
            continue
        replayed.append(aid)
        mask_seconds += counts["mask_seconds"]
        for key in totals:
            totals[key] += counts[key]
    tokens = totals["tokens"]
    return {
        **totals,
        "documents": replayed,
        "unfit_documents": unfit,
        "forward_passes_per_token": _round(totals["forward_passes"] / tokens if tokens else None),
        "forced_share": _round(totals["forced"] / tokens if tokens else None),
        "mask_ms_median": _round(_median(mask_seconds) * 1000 if mask_seconds else None, 3),
        "mask_ms_max": _round(max(mask_seconds) * 1000 if mask_seconds else None, 3),
    }


def profile_project(bench: Workbench, article: str, max_new_tokens: int, top: int = 15) -> dict:
    """pyinstrument over one generation of the project: the functions with the most self time."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"status": "skipped", "reason": f"pyinstrument is not installed ({INSTALL_HINT})"}
    profiler = Profiler(interval=0.001)
    profiler.start()
    run = run_project(bench, article, max_new_tokens)
    profiler.stop()
    root = profiler.last_session.root_frame()
    self_times: dict[str, float] = {}
    stack = [root] if root is not None else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic:
            continue
        key = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        self_times[key] = self_times.get(key, 0.0) + frame.total_self_time
    total = root.time if root is not None else 0.0
    ranked = sorted(self_times.items(), key=lambda item: item[1], reverse=True)[:top]
    return {
        "status": "ok",
        "total_seconds": round(total, 3),
        "prefill_seconds": round(run["prefill_seconds"], 3),
        "forward_passes": run["forward_passes"],
        "top_self_time": [
            {"entry": key, "seconds": round(sec, 3), "share": round(sec / total, 4) if total else 0.0}
            for key, sec in ranked
        ],
        "text": profiler.output_text(unicode=False, color=False),
    }


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------

SYSTEMS = ("project", "stepwise", "plain_generate", "outlines", "unconstrained")
SYSTEM_LABELS = {
    "project": "this project (fast-forward, prefix cache)",
    "stepwise": "this project's loop, one token per pass, no prefix cache",
    "plain_generate": "model.generate + llguidance logits processor",
    "outlines": "outlines (from_transformers, JSON-schema output type, llguidance backend)",
    "unconstrained": "no grammar (same model calls, greedy)",
}


# Enough for a few sampled tokens after the forced opening ``{"summary":"``.
SMOKE_TOKENS = 24


def _effective(options: BenchOptions) -> BenchOptions:
    """Smoke mode: one article, one run, a few tokens, no outlines."""
    if not options.smoke:
        return options
    return replace(
        options, runs=1, max_new_tokens=min(options.max_new_tokens, SMOKE_TOKENS), articles=1, outlines_core_timeout=0
    )


def _model_dir(options: BenchOptions) -> Path:
    cache = Path(options.cache_dir) if options.cache_dir else default_cache_dir()
    if options.smoke and options.model_dir:
        return Path(options.model_dir)
    if options.smoke:
        return ensure_smoke_model(cache.parent / "bench-tiny" if not options.cache_dir else cache / "tiny")
    return ensure_bench_model(cache, options.log)


def run_benchmark(options: BenchOptions) -> dict:
    """Measure everything, write ``RESULTS.md`` and ``results.json`` into ``options.out_dir``, return the results."""
    options = _effective(options)
    log = options.log
    if not options.smoke:
        require_outlines()
    if options.runs < 1 or options.max_new_tokens < 2:
        raise SummarizerError("--runs must be at least 1 and --max-new-tokens at least 2")
    from summarizer.core.io import check_output_folder

    check_output_folder(options.out_dir)  # before the run, not after forty minutes of it
    # Never download: everything here is built locally.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    started = time.perf_counter()
    model_dir = _model_dir(options)
    machine = machine_info()
    bench = load_workbench(model_dir, options.articles, log)
    memory = {"after_load_mib": peak_rss_mib()}
    cap = options.max_new_tokens
    first_article = next(iter(bench.articles.values()))

    if not options.smoke:  # smoke timings mean nothing: no warm-up
        log("warm-up (first-call costs are not timed)")
        run_project(bench, first_article, cap)
        memory["project_peak_mib"] = peak_rss_mib()  # before any peer ran: the project's own peak
        run_project(bench, first_article, 2, warm=False, fast_forward=False)
        run_plain_generate(bench, first_article, 2)
        run_unconstrained(bench, first_article, 2)
    outlines = _start_outlines(bench, options, first_article)

    samples = _timed_runs(bench, options, outlines)
    memory.setdefault("project_peak_mib", peak_rss_mib())
    outlines_core = (
        {"status": "skipped", "reason": "smoke mode"}
        if options.smoke
        else outlines_core_compile(model_dir, bench.schema, options.outlines_core_timeout)
    )
    profile = (
        profile_project(bench, first_article, cap)
        if options.profile
        else {"status": "skipped", "reason": "--no-profile"}
    )
    memory["peak_mib"] = peak_rss_mib()
    # Last: its large arrays would count in the peak resident memory of the process.
    log("measuring memory bandwidth")
    bandwidth = memory_bandwidth(64 * 2**20 if options.smoke else 1024 * 2**20)
    machine["load_average_at_end"] = _load_average()
    loads = [x for x in samples["load_average"] if x is not None]
    machine["load_average_max_during_runs"] = max(loads) if loads else None
    log("measuring the rules baseline's scaling")
    rules = rules_scaling(SMOKE_RULES_SCALING_BYTES if options.smoke else RULES_SCALING_BYTES)
    results = assemble_results(
        bench, options, machine, bandwidth, memory, samples, outlines, outlines_core, profile, rules
    )
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    from summarizer.bench.report import write_results

    write_results(results, Path(options.out_dir))
    bench.warm.close()
    bench.cold.close()
    return results


def _start_outlines(bench: Workbench, options: BenchOptions, article: str) -> dict:
    """The outlines runner (warmed up: its first call compiles a torch kernel), or why it is skipped."""
    if options.smoke:
        return {
            "runner": None,
            "status": "skipped",
            "reason": "smoke mode (outlines' first call compiles a torch kernel, tens of seconds)",
        }
    runner = OutlinesRunner(bench)
    started = time.perf_counter()
    runner.run(article, 2)
    return {
        "runner": runner,
        "status": "ok",
        "setup_seconds": round(runner.setup_seconds, 3),
        "first_call_seconds": round(time.perf_counter() - started, 3),
    }


def _timed_runs(bench: Workbench, options: BenchOptions, outlines: dict) -> dict:
    """Every system on every article, ``runs`` times, interleaved so that drift in the
    machine's speed hits all systems alike. samples[system][article] = [run, ...]."""
    samples: dict[str, Any] = {system: {aid: [] for aid in bench.articles} for system in SYSTEMS}
    samples["load_average"] = []  # after each article: others' work on the machine shows here
    cap = options.max_new_tokens
    total = options.runs * len(bench.articles)
    started, done = time.perf_counter(), 0
    for run in range(options.runs):
        for aid, article in bench.articles.items():
            project = run_project(bench, article, cap)
            samples["project"][aid].append(project)
            # The project may finish the document before the cap (greedy is deterministic: the same
            # count every run); the others get exactly as many tokens, so all generate the same number.
            budget = max(project["generated_tokens"], 2)
            # The mask-overhead pair back to back: a change in the machine's speed hits both alike.
            samples["stepwise"][aid].append(run_project(bench, article, budget, warm=False, fast_forward=False))
            samples["unconstrained"][aid].append(run_unconstrained(bench, article, budget))
            samples["plain_generate"][aid].append(run_plain_generate(bench, article, budget))
            if outlines["runner"] is not None:
                samples["outlines"][aid].append(outlines["runner"].run(article, budget))
            samples["load_average"].append(_load_average())
            done += 1
            elapsed = time.perf_counter() - started
            options.log(
                f"run {run + 1}/{options.runs}, {aid}: {elapsed:.0f} s elapsed, "
                f"about {elapsed / done * (total - done):.0f} s to go"
            )
    return samples


# --------------------------------------------------------------------------------------
# Figures and targets
# --------------------------------------------------------------------------------------

# Every figure the results must hold (dotted paths into results["figures"]); the smoke
# test checks them all.
# --------------------------------------------------------------------------------------
# The rules baseline's scaling with article length
# --------------------------------------------------------------------------------------

RULES_SCALING_BYTES = (1 * 2**20, 5 * 2**20)  # 1 MB and 5 MB: it was quadratic, 412 s for 5 MB
SMOKE_RULES_SCALING_BYTES = (20_000, 100_000)


def long_text(articles: list[str], n_bytes: int) -> str:
    """The articles repeated, one after another, cut to ``n_bytes`` of UTF-8."""
    base = "\n\n".join(articles).encode("utf-8")
    data = (base + b"\n\n") * (n_bytes // (len(base) + 2) + 1)
    return data[:n_bytes].decode("utf-8", errors="ignore")


def rules_scaling(sizes: tuple[int, ...] = RULES_SCALING_BYTES, articles: list[str] | None = None) -> dict:
    """Seconds of the rules baseline on the seed articles repeated to each size, and how that
    time grows against the size: ``growth_over_linear`` is 1.0 for linear time, 5.0 for
    quadratic time from 1 MB to 5 MB. Recorded by the benchmark, not asserted by a test."""
    from summarizer.backends.rules import RulesBackend
    from summarizer.core.resources import seeds_dir

    if articles is None:
        articles = [p.read_text(encoding="utf-8") for p in sorted((seeds_dir() / "articles").glob("*.txt"))]
    backend = RulesBackend()
    backend.extract(articles[0])  # untimed warm-up: regular expressions compile on first use
    seconds = []
    for size in sizes:
        text = long_text(articles, size)
        started = time.perf_counter()
        backend.extract(text)
        seconds.append(time.perf_counter() - started)
    size_ratio, time_ratio = sizes[-1] / sizes[0], seconds[-1] / seconds[0]
    return {
        "bytes": list(sizes),
        "seconds": [round(x, 3) for x in seconds],
        "size_ratio": round(size_ratio, 3),
        "time_ratio": round(time_ratio, 3),
        "growth_over_linear": round(time_ratio / size_ratio, 3),
        "load_average": _load_average(),
        "method": "the seed articles repeated to each size, one extraction each, after an untimed warm-up",
    }


def record_rules_scaling(out_dir: Path, log: Callable[[str], None] = lambda message: None) -> dict:
    """Measure :func:`rules_scaling` and add it to the results already in ``out_dir``, so that the
    figure can be brought up to date without the full run (tens of minutes)."""
    from summarizer.bench.report import write_results
    from summarizer.core.io import read_json

    results = read_json(Path(out_dir) / "results.json")
    if not isinstance(results, dict):
        raise SummarizerError(f"{Path(out_dir) / 'results.json'}: not a benchmark results object")
    log("measuring the rules baseline on 1 MB and 5 MB of text")
    scaling = rules_scaling()
    scaling["measured"] = time.strftime("%Y-%m-%d %H:%M:%S %Z") + ", by `summarizer bench --rules-scaling`"
    results["figures"]["rules_scaling"] = scaling
    results["targets"] = evaluate_targets(results)
    write_results(results, Path(out_dir))
    return results


REQUIRED_FIGURES = (
    "mask_overhead.unconstrained_ms_per_token",
    "mask_overhead.constrained_ms_per_token",
    "mask_overhead.overhead_pct",
    "fast_forward.forward_passes_per_token",
    "fast_forward.forced_share",
    "fast_forward.gold_replay.forward_passes_per_token",
    "fast_forward.gold_replay.forced_share",
    "prefix_reuse.cold_prefill_seconds",
    "prefix_reuse.warm_prefill_seconds",
    "prefix_reuse.warm_over_cold",
    "end_to_end.systems.project.seconds_per_article",
    "end_to_end.systems.plain_generate.seconds_per_article",
    "end_to_end.ratios.project_over_plain_generate",
    "end_to_end.ratios.project_over_outlines",
    "floor.bandwidth_gb_s",
    "floor.floor_ms_per_step",
    "floor.project_ms_per_pass",
    "floor.project_over_floor",
    "memory.peak_mib",
    "rules_scaling.growth_over_linear",
)

TARGETS = (
    # name, figure, limit, what it means
    ("mask overhead", "mask_overhead.overhead_pct", 3.0, "% of per-token time, at most"),
    (
        "forward passes per generated token (random-weight generations)",
        "fast_forward.forward_passes_per_token",
        0.6,
        "at most",
    ),
    (
        "forward passes per generated token (gold documents replayed)",
        "fast_forward.gold_replay.forward_passes_per_token",
        0.6,
        "at most",
    ),
    ("warm prefill / cold prefill", "prefix_reuse.warm_over_cold", 0.5, "at most"),
    ("end-to-end vs outlines", "end_to_end.ratios.project_over_outlines", 0.6, "x outlines' time, at most"),
    (
        "end-to-end vs plain generate",
        "end_to_end.ratios.project_over_plain_generate",
        0.7,
        "x plain generate's time, at most",
    ),
    ("decode time per step vs bandwidth floor", "floor.project_over_floor", 1.5, "x the floor, at most"),
    (
        "rules baseline time growth vs text growth (1 MB to 5 MB)",
        "rules_scaling.growth_over_linear",
        1.5,
        "x linear growth (quadratic: 5), at most",
    ),
)


def figure(results: dict, path: str):
    node: Any = results["figures"]
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def missing_figures(results: dict) -> list[str]:
    """Required figures that are absent (a figure of a skipped part is present as null)."""
    missing = []
    for path in REQUIRED_FIGURES:
        node: Any = results.get("figures", {})
        for key in path.split("."):
            if not isinstance(node, dict) or key not in node:
                missing.append(path)
                break
            node = node[key]
    return missing


def _values(samples: dict[str, list[dict]], key: str) -> list[float]:
    return [sample[key] for runs in samples.values() for sample in runs]


def _article_medians(samples: dict[str, list[dict]], key: str) -> dict[str, float]:
    return {aid: _median([s[key] for s in runs]) for aid, runs in samples.items() if runs}


def _round(value, digits: int = 4):
    return None if value is None or value != value else round(value, digits)  # NaN -> None


def _summary_tokens(bench: Workbench, token_ids: list[int]) -> int:
    """How many generated tokens the summary string took (until the claims key appears)."""
    for k in range(1, len(token_ids) + 1):
        if b'"claims"' in bench.ll_tokenizer.decode_bytes(token_ids[:k]):
            return k
    return len(token_ids)


def assemble_results(
    bench: Workbench,
    options: BenchOptions,
    machine: dict,
    bandwidth: dict,
    memory: dict,
    samples: dict,
    outlines: dict,
    outlines_core: dict,
    profile: dict,
    rules: dict,
) -> dict:
    figures = {
        "mask_overhead": _mask_figures(samples),
        "fast_forward": _fast_forward_figures(bench, samples),
        "prefix_reuse": _prefix_figures(bench, samples),
        "end_to_end": _end_to_end_figures(samples, outlines),
        "floor": _floor_figures(bench, samples, bandwidth, options.max_new_tokens),
        "memory": {**memory, "weights_mib": round(weight_bytes(bench.model) / 2**20, 1)},
        "outlines_default_backend": outlines_core,
        "equivalence": _equivalence(samples),
        "rules_scaling": rules,
    }
    results: dict[str, Any] = {
        "mode": "smoke" if options.smoke else "full",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine,
        "settings": {
            "model_dir": str(bench.model_dir),
            "model": _model_description(bench),
            "command": _command_line(options),
            "max_new_tokens": options.max_new_tokens,
            "runs": options.runs,
            "articles": list(bench.articles),
            "decoding": "greedy",
            "dtype": "float32",
        },
        "figures": figures,
        "profile": {k: v for k, v in profile.items() if k != "text"},
    }
    results["targets"] = evaluate_targets(results)
    results["_profile_text"] = profile.get("text")
    return results


def _command_line(options: BenchOptions) -> str:
    if options.smoke:
        return "summarizer bench --smoke"
    parts = ["summarizer bench", f"--runs {options.runs}", f"--max-new-tokens {options.max_new_tokens}"]
    if options.articles:
        parts.append(f"--articles {options.articles}")
    return " ".join(parts)


def _model_description(bench: Workbench) -> dict:
    config = bench.model.config
    return {
        "architecture": type(bench.model).__name__,
        "parameters": sum(p.numel() for p in bench.model.parameters()),
        "layers": config.num_hidden_layers,
        "hidden": config.hidden_size,
        "heads": config.num_attention_heads,
        "kv_heads": config.num_key_value_heads,
        "intermediate": config.intermediate_size,
        "tied_embeddings": bool(getattr(config, "tie_word_embeddings", False)),
        "model_vocab": bench.vocab_size,
        "tokenizer_vocab": len(bench.tokenizer),
        "stop_token_ids": bench.stop_ids,
    }


def _mask_figures(samples: dict) -> dict:
    unconstrained = _median(_values(samples["unconstrained"], "decode_seconds_per_pass"))
    constrained = _median(_values(samples["stepwise"], "decode_seconds_per_pass"))
    project = _median(_values(samples["project"], "decode_seconds_per_pass"))
    # Paired: each constrained run against the grammar-free run right after it, same article.
    paired = [
        c["decode_seconds_per_pass"] / u["decode_seconds_per_pass"] - 1
        for aid in samples["stepwise"]
        for c, u in zip(samples["stepwise"][aid], samples["unconstrained"][aid], strict=False)
    ]
    return {
        "unconstrained_ms_per_token": _round(unconstrained * 1000, 3),
        "constrained_ms_per_token": _round(constrained * 1000, 3),
        "overhead_pct": _round(_median(paired) * 100, 2),
        "overhead_pct_per_pair": [_round(x * 100, 2) for x in paired],
        "project_ms_per_pass": _round(project * 1000, 3),
        "method": "decode time per forward pass after the first logits: this project's loop with one token per "
        "pass (mask computed, applied, token consumed) vs the same model calls without a grammar, "
        "same prompt and token count, run back to back; overhead = median over these pairs",
    }


def _fast_forward_figures(bench: Workbench, samples: dict) -> dict:
    first_runs = [runs[0] for runs in samples["project"].values() if runs]
    generated = sum(s["generated_tokens"] for s in first_runs)
    forced = sum(s["forced_tokens"] for s in first_runs)
    passes = sum(s["forward_passes"] for s in first_runs)
    summary = sum(_summary_tokens(bench, s["token_ids"]) for s in first_runs)
    return {
        "gold_replay": replay_gold_documents(bench),
        "generated_tokens": generated,
        "forced_tokens": forced,
        "forward_passes": passes,
        "forward_passes_per_token": _round(passes / generated if generated else None),
        "forced_share": _round(forced / generated if generated else None),
        "summary_token_share": _round(summary / generated if generated else None),
        "stop_reasons": sorted({s["stop_reason"] for s in first_runs}),
        "method": "greedy decoding is deterministic: counts from the first run over all articles; "
        "forward passes include the prefill pass",
    }


def _prefix_figures(bench: Workbench, samples: dict) -> dict:
    cold = _article_medians(samples["stepwise"], "prefill_seconds")
    warm = _article_medians(samples["project"], "prefill_seconds")
    prompt_tokens = [runs[0]["prompt_tokens"] for runs in samples["project"].values() if runs]
    prefix = len(bench.prompts.prefix_ids)
    mean_prompt = statistics.mean(prompt_tokens) if prompt_tokens else float("nan")
    return {
        "prefix_tokens": prefix,
        "mean_prompt_tokens": _round(mean_prompt, 1),
        "article_share_of_prompt": _round(1 - prefix / mean_prompt),
        "cold_prefill_seconds": _round(statistics.mean(cold.values()) if cold else None, 3),
        "warm_prefill_seconds": _round(statistics.mean(warm.values()) if warm else None, 3),
        "warm_over_cold": _round(sum(warm.values()) / sum(cold.values()) if cold else None),
        "per_article": {aid: {"cold": _round(cold[aid], 3), "warm": _round(warm.get(aid), 3)} for aid in cold},
        "prefix_cache_seconds_once": _round(bench.prefix_cache_seconds, 3),
        "method": "time to the first logits (grammar matcher, cache copy, forward over the uncached prompt), "
        "median over runs, mean over articles",
    }


def _end_to_end_figures(samples: dict, outlines: dict) -> dict:
    systems = {}
    for system in ("project", "stepwise", "plain_generate", "outlines"):
        per_article = _article_medians(samples[system], "seconds")
        if not per_article:
            systems[system] = {
                "label": SYSTEM_LABELS[system],
                "seconds_per_article": None,
                "status": "skipped",
                "reason": outlines.get("reason", "not run"),
            }
            continue
        tokens = _article_medians(samples[system], "generated_tokens")
        systems[system] = {
            "label": SYSTEM_LABELS[system],
            "seconds_per_article": _round(statistics.mean(per_article.values()), 3),
            "tokens_per_article": _round(statistics.mean(tokens.values()), 1),
            "per_article_seconds": {aid: _round(v, 3) for aid, v in per_article.items()},
            "per_article_tokens": tokens,
            "prompt_tokens": _article_medians(samples[system], "prompt_tokens"),
            "status": "ok",
        }
    if outlines.get("status") == "ok":
        systems["outlines"].update(
            setup_seconds=outlines["setup_seconds"], first_call_seconds=outlines["first_call_seconds"]
        )
    project = systems["project"]
    ratios, equal_tokens = {}, {}
    for peer in ("plain_generate", "outlines", "stepwise"):
        peer_time = systems[peer]["seconds_per_article"]
        ratios[f"project_over_{peer}"] = _round(project["seconds_per_article"] / peer_time) if peer_time else None
        ratios[f"{peer}_over_project"] = _round(peer_time / project["seconds_per_article"]) if peer_time else None
        if peer_time:
            equal_tokens[peer] = systems[peer]["per_article_tokens"] == project["per_article_tokens"]
    return {
        "systems": systems,
        "ratios": ratios,
        "equal_token_counts": equal_tokens,
        "method": "seconds per article from prompt building to generated text (grammar built per article), "
        "median over runs, mean over articles; every system greedy, same model, same cap",
    }


def _floor_figures(bench: Workbench, samples: dict, bandwidth: dict, cap: int) -> dict:
    prompt_tokens = [s["prompt_tokens"] for runs in samples["project"].values() for s in runs]
    context = (statistics.mean(prompt_tokens) if prompt_tokens else 0) + cap / 2
    weights = weight_bytes(bench.model)
    kv = kv_bytes_per_token(bench.model) * context
    floor = (weights + kv) / (bandwidth["bandwidth_gb_s"] * 1e9)
    project = _median(_values(samples["project"], "decode_seconds_per_pass"))
    unconstrained = _median(_values(samples["unconstrained"], "decode_seconds_per_pass"))
    return {
        **bandwidth,
        "weight_bytes_per_step": weights,
        "kv_cache_bytes_per_step": int(kv),
        "mean_context_tokens": _round(context, 1),
        "floor_ms_per_step": _round(floor * 1000, 3),
        "project_ms_per_pass": _round(project * 1000, 3),
        "unconstrained_ms_per_token": _round(unconstrained * 1000, 3),
        "project_over_floor": _round(project / floor),
        "unconstrained_over_floor": _round(unconstrained / floor),
        "method": "floor = (weights + KV cache read per step) / measured bandwidth; the project's time is its "
        "median decode time per forward pass (mask included, fast-forward on)",
    }


def _equivalence(samples: dict) -> dict:
    """Greedy: the optimised loop vs the plain step-by-step loop (no fast-forward, no prefix reuse)."""
    per_article = {}
    for aid, runs in samples["project"].items():
        if not runs or not samples["stepwise"][aid]:
            continue
        a, b = runs[0]["text"], samples["stepwise"][aid][0]["text"]
        same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        per_article[aid] = {"identical": a == b, "common_prefix_chars": same, "chars": [len(a), len(b)]}
    return {
        "identical_texts": sum(v["identical"] for v in per_article.values()),
        "articles": len(per_article),
        "per_article": per_article,
        "note": "texts may part where a forced string was tokenized differently: greedy choices after "
        "it then see different tokens (documents stay valid and grounded either way: the grammar "
        "holds in both loops)",
    }


def evaluate_targets(results: dict) -> list[dict]:
    targets = []
    for name, path, limit, meaning in TARGETS:
        value = figure(results, path)
        entry = {"target": name, "figure": path, "limit": limit, "meaning": meaning, "measured": value}
        if value is None:
            entry.update(met=None, miss=None, why="not measured in this run")
        elif value <= limit:
            entry.update(met=True, miss=None, why=None)
        else:
            entry.update(met=False, miss=_miss(value, limit, path), why=_why(results, path))
        targets.append(entry)
    return targets


def _miss(value: float, limit: float, path: str) -> str:
    if path.endswith("_pct"):
        return f"{value - limit:.2f} percentage points over ({value:.2f}% vs {limit}%)"
    return f"{value / limit:.2f}x the limit ({value:.3f} vs {limit})"


def _why(results: dict, path: str) -> str:
    f = results["figures"]
    if path.startswith("rules_scaling"):
        r = f["rules_scaling"]
        return (
            f"{r['seconds'][0]:.1f} s for the smaller text, {r['seconds'][-1]:.1f} s for the larger: some step of "
            f"the rules grows faster than the text (load average {r.get('load_average')})"
        )
    if path.startswith("mask_overhead"):
        m = f["mask_overhead"]
        delta = m["constrained_ms_per_token"] - m["unconstrained_ms_per_token"]
        return (
            f"per token, {delta:.2f} ms of grammar work (mask, apply, consume) is not hidden behind the "
            f"{m['unconstrained_ms_per_token']:.1f} ms forward pass; see the profile below"
        )
    if path.startswith("fast_forward.gold_replay"):
        g = f["fast_forward"]["gold_replay"]
        return (
            f"on the gold documents {g['forced_share']:.0%} of the tokens are forced; the rest (summary, names, "
            f"evidence spans, numbers) is the model's choice and costs one pass per token"
        )
    if path.startswith("fast_forward"):
        ff = f["fast_forward"]
        free = 1 - ff["forced_share"]
        return (
            f"{free:.0%} of generated tokens were sampled, not forced, and each sampled token costs a pass; "
            f"with random weights the free-text summary (up to 600 characters) took "
            f"{ff['summary_token_share']:.0%} of the tokens, far more than a real model writes, and free text "
            f"cannot be fast-forwarded"
        )
    if path.startswith("prefix_reuse"):
        p = f["prefix_reuse"]
        return (
            f"the article itself is {p['article_share_of_prompt']:.0%} of the prompt and is prefilled on every "
            f"call; prefill cost grows faster than linearly with context (attention), so warm prefill cannot "
            f"drop below about that share"
        )
    if path.startswith("end_to_end"):
        e2e = f["end_to_end"]["systems"]
        ff, pre = f["fast_forward"], f["prefix_reuse"]
        return (
            f"this project: {pre['warm_prefill_seconds']:.1f} s warm prefill and "
            f"{ff['forward_passes_per_token']:.2f} passes per token; the peers prefill the whole prompt "
            f"(about {pre['cold_prefill_seconds']:.1f} s) and spend one pass per token; the saving is bounded "
            f"by the share of forced tokens ({ff['forced_share']:.0%}) and of the prefix in the prompt "
            f"(project {e2e['project']['seconds_per_article']:.1f} s per article)"
        )
    if path.startswith("floor"):
        fl = f["floor"]
        where = (
            "the model's own forward pass is already that far from the floor (compute and framework "
            "overhead at batch size 1 on this CPU), not the decode loop"
            if fl["unconstrained_over_floor"] > 1.5
            else "the decode loop adds the rest"
        )
        return (
            f"a grammar-free step takes {fl['unconstrained_ms_per_token']:.1f} ms "
            f"({fl['unconstrained_over_floor']:.2f}x the {fl['floor_ms_per_step']:.1f} ms floor): {where}"
        )
    return ""
