"""The model under test: a random-weight model of Qwen2.5-0.5B's shape, built offline.

A byte-level BPE tokenizer of ~150k tokens trained with ``tokenizers`` on Python's standard
library sources, ChatML template, ``<|im_end|>`` as stop token; random weights give real
timings (quality is not measured). Built once into a cache folder (training the tokenizer
takes minutes). ``--smoke`` uses the tiny test model instead (seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.core.errors import SummarizerError

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
        "import sys; from summarizer.bench.model import build_bench_model; build_bench_model(sys.argv[1])",
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
