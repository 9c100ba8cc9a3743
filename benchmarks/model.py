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
# 2: the tokenizer is trained with the tiny model's recipe (Qwen2's pre-tokenizer and NFC, which
# AutoTokenizer puts back on loading), not GPT-2's split, so the saved and loaded tokenizers agree.
BENCH_MODEL_VERSION = 2  # bump when the recipe changes: cached builds are rebuilt


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
    """The tiny model's byte-level BPE recipe, trained on the standard library; specials first."""
    from summarizer.testing.tiny_model import SPECIAL_TOKENS
    from summarizer.testing.tiny_model import train_tokenizer as train_tiny_tokenizer

    paths = _stdlib_sources(max_bytes)
    return train_tiny_tokenizer(target_vocab + len(SPECIAL_TOKENS), _read_texts(paths), length=len(paths))


def build_bench_model(out_dir: Path) -> Path:
    """Train the tokenizer, initialise the random model and save both (``save_pretrained``),
    with the tiny model's builders: the same tokenizer and model recipe at Qwen2.5-0.5B's size,
    tied embeddings and no closing prior (random documents run to the token cap)."""
    from summarizer.testing.tiny_model import SPECIAL_TOKENS, build_model, wrap_tokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok = train_tokenizer()
    hf_tok = wrap_tokenizer(tok)
    if len(hf_tok) < TOKENIZER_MIN_VOCAB:
        raise SummarizerError(f"the benchmark tokenizer reached only {len(hf_tok)} tokens (needs 100k+)")
    if len(hf_tok) > QWEN25_05B_SHAPE["vocab_size"]:
        raise SummarizerError(f"the benchmark tokenizer has {len(hf_tok)} tokens, more than the model's vocab")
    ids = {t: tok.token_to_id(t) for t in SPECIAL_TOKENS}
    model = build_model(QWEN25_05B_SHAPE, ids, hf_tok, seed=0, closing_prior=False)
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
        "import sys; from benchmarks.model import build_bench_model; build_bench_model(sys.argv[1])",
        str(cache_dir),
    ]
    # The child imports this package from the folder holding it, wherever this process found it.
    checkout = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [checkout, os.environ.get("PYTHONPATH")]))
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": path})
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
