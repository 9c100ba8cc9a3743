"""The systems under test, on one loaded model: this project's decode loop (with and without
fast-forward and the prefix cache), the same model calls without a grammar, plain
``model.generate`` with an llguidance logits processor, and outlines.

torch, transformers, llguidance and outlines are imported inside functions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.core.errors import SummarizerError

INSTALL_HINT = "pip install -e '.[bench]'"


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


SYSTEMS = ("project", "stepwise", "plain_generate", "outlines", "unconstrained")
SYSTEM_LABELS = {
    "project": "this project (fast-forward, prefix cache)",
    "stepwise": "this project's loop, one token per pass, no prefix cache",
    "plain_generate": "model.generate + llguidance logits processor",
    "outlines": "outlines (from_transformers, JSON-schema output type, llguidance backend)",
    "unconstrained": "no grammar (same model calls, greedy)",
}


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
    from summarizer.engine.decode import Decoder, model_stop_token_ids, model_vocab_size, new_cache
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
    bench.bare_prefix_cache = forward_last(model, prompts.prefix_ids, new_cache(model))[1]
    return bench


def forward_last(model, token_ids: list[int], cache):
    """One forward pass over ``token_ids`` after what ``cache`` holds: (logits of the last position, cache)."""
    from summarizer.engine.decode import forward_logits

    return forward_logits(model, token_ids, cache), cache


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
    logits, cache = forward_last(bench.model, prompt.ids[prompt.prefix_len :], cache)
    token = int(torch.argmax(logits))
    tokens = [token]
    started = time.perf_counter()
    while len(tokens) < n_tokens:
        logits, cache = forward_last(bench.model, [token], cache)
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
