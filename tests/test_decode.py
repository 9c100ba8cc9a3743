"""The decode loop with the tiny random-weight model: the worst LLM there is still gives
valid, grounded documents, fast-forward saves forward passes, the prefix cache is reused."""

from __future__ import annotations

import copy
import json
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("llguidance")

from summarizer.core.resources import load_schema  # noqa: E402
from summarizer.core.validation import validate_document  # noqa: E402
from summarizer.engine.decode import DecodeParams, Decoder  # noqa: E402
from summarizer.engine.grammar import build_grammar  # noqa: E402
from summarizer.testing.schemas import short_strings_schema

TEMPERATURES = [(0.7, 1.0), (1.0, 1.0), (1.0, 0.9), (1.5, 0.95)]  # (temperature, top_p)


def chat_prompt(tokenizer, text: str) -> list[int]:
    rendered = tokenizer.apply_chat_template(
        [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
    )
    return tokenizer.encode(rendered, add_special_tokens=False)


@pytest.fixture(scope="module")
def articles(seed_articles):
    return list(seed_articles.values())


@pytest.fixture(scope="module")
def grounded_grammars(articles):
    # The real schema: the tiny model's closing prior lets random documents finish.
    schema = load_schema()
    return [build_grammar(schema, article) for article in articles]


def accepted_prefix(decoder: Decoder, grammar: str, token_ids: list[int]) -> bool:
    matcher = decoder.new_matcher(grammar)
    return matcher.consume_tokens(token_ids)


def test_decoder_uses_real_vocab_and_stop_tokens(tiny_decoder, tiny_tokenizer, tiny_model):  # noqa: F811
    assert tiny_decoder.vocab_size == tiny_model.config.vocab_size > len(tiny_tokenizer)
    im_end = tiny_tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert tiny_decoder.stop_token_ids[0] == im_end
    assert tiny_decoder.ll_tokenizer.vocab_size == tiny_model.config.vocab_size


def test_200_random_generations_are_valid_and_grounded(
    tiny_decoder,
    tiny_tokenizer,
    articles,  # noqa: F811
    grounded_grammars,
):
    budget = 600
    complete, with_claims, truncated, claims_seen, passes = 0, 0, 0, 0, 0
    started = time.perf_counter()
    runs = [(i, seed, t, p) for seed in range(10) for (t, p) in TEMPERATURES for i in range(len(articles))]
    runs += [(i, 0, 0.0, 1.0) for i in range(len(articles))]  # greedy once per article
    assert len(runs) >= 200
    for i, seed, temperature, top_p in runs:
        prompt = chat_prompt(tiny_tokenizer, articles[i][:120])
        result = tiny_decoder.generate(
            prompt,
            grounded_grammars[i],
            DecodeParams(max_new_tokens=budget, temperature=temperature, top_p=top_p, seed=seed),
        )
        assert max(result.token_ids) < len(tiny_tokenizer), "a padded-vocab id was generated"
        passes += result.stats["forward_passes"]
        if result.stop_reason == "max_new_tokens":
            truncated += 1
            assert len(result.token_ids) == budget
            assert accepted_prefix(tiny_decoder, grounded_grammars[i], result.token_ids)
            continue
        doc = json.loads(result.text)
        assert validate_document(doc, articles[i]) == [], result.text  # real schema + grounding
        complete += 1
        with_claims += bool(doc["claims"])
        claims_seen += len(doc["claims"])
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(runs)} generations in {elapsed:.1f}s: {complete} complete "
        f"({with_claims} with claims, {claims_seen} claims), {truncated} truncated, {passes} forward passes"
    )
    # Truncation is reported, never hidden; with the tiny model's closing prior nearly all finish.
    assert complete >= 0.9 * len(runs)
    assert with_claims >= len(runs) // 2


def test_ungrounded_generations_still_validate(tiny_decoder, tiny_tokenizer, articles):  # noqa: F811
    grammar = build_grammar(short_strings_schema(max_claims=2), grounded=False)
    complete = 0
    for seed in range(2):
        for article in articles:
            result = tiny_decoder.generate(
                chat_prompt(tiny_tokenizer, article[:120]),
                grammar,
                DecodeParams(max_new_tokens=300, temperature=1.0, seed=seed),
            )
            if result.stop_reason == "stop":
                complete += 1
                assert validate_document(json.loads(result.text)) == [], result.text
    assert complete >= 5


def test_real_schema_documents_validate(tiny_decoder, tiny_tokenizer, articles):  # noqa: F811
    # With the real bounds a random model needs many tokens; a few runs show it completes.
    schema = load_schema()
    complete = 0
    for seed in range(4):
        article = articles[seed % len(articles)]
        result = tiny_decoder.generate(
            chat_prompt(tiny_tokenizer, article[:120]),
            build_grammar(schema, article),
            DecodeParams(max_new_tokens=600, temperature=1.0, seed=seed),
        )
        if result.stop_reason == "stop":
            complete += 1
            assert validate_document(json.loads(result.text), article) == []
    assert complete >= 1


def test_fast_forward_on_and_off_greedy(tiny_decoder, tiny_tokenizer, articles, grounded_grammars):  # noqa: F811
    for i, article in enumerate(articles):
        prompt = chat_prompt(tiny_tokenizer, article[:120])
        # Without article drafts (tests/test_speculation.py), one pass per sampled token exactly.
        on = tiny_decoder.generate(prompt, grounded_grammars[i], DecodeParams(max_new_tokens=400, speculate=False))
        off = tiny_decoder.generate(
            prompt, grounded_grammars[i], DecodeParams(max_new_tokens=400, fast_forward=False, speculate=False)
        )
        for result in (on, off):
            assert result.stop_reason == "stop", result.text[-200:]
            assert validate_document(json.loads(result.text), article) == []
        # One pass per sampled token; forced tokens ride along for free.
        assert on.stats["forward_passes"] == on.stats["generated_tokens"] - on.stats["forced_tokens"]
        assert off.stats["forced_tokens"] == 0
        assert off.stats["forward_passes"] == off.stats["generated_tokens"]
        assert on.stats["forward_passes"] < off.stats["forward_passes"] / 2


def test_forced_key_costs_one_pass(tiny_decoder):
    from llguidance import LLMatcher

    grammar = LLMatcher.grammar_from_lark(
        'start: "{\\"a\\":" DIGIT ",\\"a_rather_long_forced_key_name\\":" DIGIT "}"\nDIGIT: /[0-9]/\n'
    )
    prompt = [5, 6, 7]
    on = tiny_decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=100))
    off = tiny_decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=100, fast_forward=False))
    for result in (on, off):
        assert result.stop_reason == "stop"
        doc = json.loads(result.text)
        assert list(doc) == ["a", "a_rather_long_forced_key_name"]
    key_tokens = len(tiny_decoder.ll_tokenizer.tokenize_str(',"a_rather_long_forced_key_name":'))
    assert key_tokens >= 5
    # Two digits sampled, two passes: the prompt with the opening, then a digit with the whole key.
    assert on.stats["forward_passes"] == 2
    assert on.stats["forced_tokens"] == on.stats["generated_tokens"] - 2
    assert off.stats["forward_passes"] == len(off.token_ids) >= key_tokens + 2


def test_output_identical_when_nothing_is_forced(tiny_decoder, tiny_tokenizer):  # noqa: F811
    from llguidance import LLMatcher

    grammar = LLMatcher.grammar_from_lark("start: /[a-z ]{1,40}/\n")
    prompt = chat_prompt(tiny_tokenizer, "hello")
    on = tiny_decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=30))
    off = tiny_decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=30, fast_forward=False))
    assert on.token_ids == off.token_ids and on.text == off.text
    assert on.stats["forced_tokens"] == 0


def test_max_new_tokens_is_reported_not_hidden(tiny_decoder, tiny_tokenizer, articles, grounded_grammars):  # noqa: F811
    result = tiny_decoder.generate(
        chat_prompt(tiny_tokenizer, articles[0][:120]), grounded_grammars[0], DecodeParams(max_new_tokens=7)
    )
    assert result.stop_reason == "max_new_tokens"
    assert len(result.token_ids) == 7 and result.stats["generated_tokens"] == 7
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.text)


def test_complete_grammar_stops_without_stop_token(tiny_decoder):
    from llguidance import LLMatcher

    result = tiny_decoder.generate([5, 6], LLMatcher.grammar_from_lark('start: "ok"\n'), DecodeParams())
    assert (result.text, result.stop_reason) == ("ok", "stop")
    assert result.stats["forward_passes"] == 0  # forced entirely, no sampling needed


def test_sampled_stop_token_ends_with_stop(tiny_decoder):
    from llguidance import LLMatcher

    # After "a" the grammar may stop or go on: the stop token is one of the choices.
    grammar = LLMatcher.grammar_from_lark('start: "a" | "a" /[b-z]{1,3}/\n')
    reasons = {
        tiny_decoder.generate([5], grammar, DecodeParams(temperature=2.0, seed=s)).stop_reason for s in range(10)
    }
    assert reasons == {"stop"}


def test_sampling_is_seeded(tiny_decoder, tiny_tokenizer, grounded_grammars):  # noqa: F811
    prompt = chat_prompt(tiny_tokenizer, "seeded")
    params = DecodeParams(max_new_tokens=40, temperature=1.0, seed=3)
    a = tiny_decoder.generate(prompt, grounded_grammars[0], params)
    b = tiny_decoder.generate(prompt, grounded_grammars[0], params)
    c = tiny_decoder.generate(prompt, grounded_grammars[0], DecodeParams(max_new_tokens=40, temperature=1.0, seed=4))
    assert a.token_ids == b.token_ids
    assert a.token_ids != c.token_ids


def test_prefix_cache_is_reused_and_not_mutated(tiny_model, tiny_tokenizer, articles, grounded_grammars):  # noqa: F811
    decoder = Decoder(tiny_model, tiny_tokenizer)
    prefix = chat_prompt(tiny_tokenizer, "Instructions. " * 40)[:-3]  # end inside the template: any cut works
    prompts = [prefix + tiny_tokenizer.encode(a[:200], add_special_tokens=False) for a in articles[:2]]
    params = DecodeParams(max_new_tokens=60)
    cold = [decoder.generate(p, grounded_grammars[i], params) for i, p in enumerate(prompts)]
    decoder.cache_prefix(prefix)
    stored = [t.clone() for t in _cache_tensors(decoder._prefixes[-1][1])]
    for _ in range(2):  # twice: the second run would differ if the first had mutated the cache
        warm = [decoder.generate(p, grounded_grammars[i], params) for i, p in enumerate(prompts)]
        for w, c in zip(warm, cold, strict=True):
            assert w.token_ids == c.token_ids
            assert w.stats["reused_prefix_tokens"] == len(prefix)
            assert c.stats["reused_prefix_tokens"] == 0
    after = _cache_tensors(decoder._prefixes[-1][1])
    assert len(after) == len(stored) and all(a.equal(s) for a, s in zip(after, stored, strict=True))
    other = decoder.generate(
        tiny_tokenizer.encode("unrelated prompt", add_special_tokens=False), grounded_grammars[0], params
    )
    assert other.stats["reused_prefix_tokens"] == 0
    decoder.close()


def _cache_tensors(cache) -> list:
    layers = getattr(cache, "layers", None)
    if layers is not None:
        return [t for layer in layers for t in (layer.keys, layer.values)]
    return [t for pair in cache.to_legacy_cache() for t in pair]  # older transformers


def test_stats_are_complete(tiny_decoder, tiny_tokenizer, grounded_grammars):  # noqa: F811
    result = tiny_decoder.generate(
        chat_prompt(tiny_tokenizer, "x"), grounded_grammars[1], DecodeParams(max_new_tokens=50)
    )
    expected = {
        "prompt_tokens",
        "generated_tokens",
        "forced_tokens",
        "forward_passes",
        "seconds",
        "prefill_seconds",
        "reused_prefix_tokens",
        "draft_tokens",
        "accepted_draft_tokens",
    }
    assert expected <= set(result.stats)
    assert result.stats["generated_tokens"] == len(result.token_ids)
    assert 0 < result.stats["prefill_seconds"] <= result.stats["seconds"]
    assert copy.deepcopy(result.stats) == result.stats
