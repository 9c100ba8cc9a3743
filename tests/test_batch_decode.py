"""Batched decoding: the same greedy tokens as one-by-one decoding, each row under its own grammar."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.engine.batch_decode import BatchDecoder  # noqa: E402
from summarizer.engine.decode import DecodeParams, Decoder  # noqa: E402
from summarizer.tasks.claims.figure_grammar import figure_grammar  # noqa: E402
from summarizer.tasks.claims.figure_prompting import FigurePrompts, figure_request  # noqa: E402
from summarizer.tasks.claims.figures import find_figures  # noqa: E402


@pytest.fixture(scope="module")
def setup(tiny_model, tiny_tokenizer, seed_articles):
    decoder = Decoder(tiny_model, tiny_tokenizer)
    prompts = FigurePrompts(tiny_tokenizer)
    decoder.cache_prefix(prompts.prefix_ids)
    article = next(iter(seed_articles.values()))
    article_ids = prompts.article_ids(article)
    decoder.cache_prefix(article_ids)
    requests = [article_ids + prompts.request_ids(figure_request(article, f)) for f in find_figures(article)[:5]]
    yield decoder, article, requests
    decoder.close()


@pytest.mark.parametrize("batch_size", [1, 2, 5])
def test_batched_greedy_output_equals_one_by_one(setup, batch_size):
    decoder, article, requests = setup
    grammar = figure_grammar(article)
    params = DecodeParams(max_new_tokens=120)
    alone = [decoder.generate(r, grammar, params) for r in requests]
    together = BatchDecoder(decoder).generate(requests, [grammar] * len(requests), params, batch_size=batch_size)
    assert [t.token_ids for t in together] == [a.token_ids for a in alone]
    assert [t.stop_reason for t in together] == [a.stop_reason for a in alone]


def test_rows_with_other_grammars_and_budgets_stop_on_their_own(setup):
    decoder, article, requests = setup
    grammars = [figure_grammar(article), figure_grammar(article, grounded=False)]
    results = BatchDecoder(decoder).generate(requests[:2], grammars, DecodeParams(max_new_tokens=6))
    assert all(r.stop_reason == "max_new_tokens" and len(r.token_ids) >= 6 for r in results)
    finished = BatchDecoder(decoder).generate(requests[:2], grammars, DecodeParams(max_new_tokens=200))
    assert all(json.loads(r.text)["outcome"] for r in finished)


def test_forward_calls_count_batched_steps(setup):
    decoder, article, requests = setup
    batch = BatchDecoder(decoder)
    results = batch.generate(requests, [figure_grammar(article)] * len(requests), DecodeParams(max_new_tokens=120))
    assert batch.forward_calls == max(r.stats["forward_passes"] for r in results)


def test_a_cache_is_restarted_after_pack_limit_prompts_with_the_same_tokens(setup, monkeypatch):
    import summarizer.engine.batch_decode as batch_decode

    decoder, article, requests = setup
    grammar = figure_grammar(article)
    params = DecodeParams(max_new_tokens=120)
    whole = BatchDecoder(decoder).generate(requests, [grammar] * len(requests), params)
    monkeypatch.setattr(batch_decode, "PACK_LIMIT", 2)
    chunked = BatchDecoder(decoder)
    parts = chunked.generate(requests, [grammar] * len(requests), params)
    assert [p.token_ids for p in parts] == [w.token_ids for w in whole]
    assert chunked.forward_calls > max(p.stats["forward_passes"] for p in parts)  # three caches, one after another


def test_eager_attention_takes_the_packed_mask_as_additive(tiny_model, tiny_tokenizer, setup):
    decoder, article, requests = setup
    grammar = figure_grammar(article)
    params = DecodeParams(max_new_tokens=120)
    sdpa = BatchDecoder(decoder).generate(requests, [grammar] * len(requests), params)
    tiny_model.set_attn_implementation("eager")
    try:
        eager = BatchDecoder(decoder).generate(requests, [grammar] * len(requests), params)
    finally:
        tiny_model.set_attn_implementation("sdpa")
    assert [e.token_ids for e in eager] == [s.token_ids for s in sdpa]
