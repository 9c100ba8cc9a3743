"""The benchmark's model: built with the tiny model's recipe, so its tokenizer survives save and load."""

from __future__ import annotations

import json

import pytest

from benchmarks import model

pytest.importorskip("transformers")


def test_the_bench_tokenizer_encodes_the_same_after_save_and_load(tmp_path):
    """AutoTokenizer rebuilds a qwen2 model's tokenizer with Qwen2's pre-tokenizer: the bench
    tokenizer is trained with it, so the merges it learnt are the ones used after loading."""
    from transformers import AutoTokenizer, Qwen2Config

    from summarizer.testing.tiny_model import wrap_tokenizer

    tok = model.train_tokenizer(target_vocab=1000, max_bytes=500_000)
    saved = wrap_tokenizer(tok)
    shape = {k: v for k, v in model.QWEN25_05B_SHAPE.items() if k not in ("hidden_size", "intermediate_size")}
    Qwen2Config(**{**shape, "hidden_size": 56, "intermediate_size": 64}).save_pretrained(tmp_path)
    saved.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    text = 'Officials said 12,345 people \u2014 \u201cnaive\u201d caf\u00e9\'s   staff\n\n{"summary": 3}'
    assert loaded(text)["input_ids"] == saved(text)["input_ids"]
    assert loaded.convert_tokens_to_ids("<|im_end|>") == tok.token_to_id("<|im_end|>") == 2


def test_a_build_of_another_recipe_is_not_reused(tmp_path):
    (tmp_path / "bench_model.json").write_text(json.dumps({**model._recipe(), "version": 1}), encoding="utf-8")
    assert not model._is_built(tmp_path)
    (tmp_path / "bench_model.json").write_text(json.dumps(model._recipe()), encoding="utf-8")
    assert model._is_built(tmp_path)
