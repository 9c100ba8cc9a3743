"""Batched decoding: the same greedy tokens as one-by-one decoding, each row under its own grammar;
with refill, a waiting request takes a finished row's place, so fewer forward passes."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("llguidance")

from summarizer.engine.batch_decode import BatchDecoder  # noqa: E402
from summarizer.engine.decode import DecodeParams, Decoder  # noqa: E402
from summarizer.engine.figure_grammar import figure_grammar  # noqa: E402
from summarizer.engine.figure_prompting import FigurePrompts, figure_request  # noqa: E402
from summarizer.engine.figures import find_figures  # noqa: E402


@pytest.fixture(scope="module")
def setup(tiny_model, tiny_tokenizer, seed_articles):
    decoder = Decoder(tiny_model, tiny_tokenizer)
    prompts = FigurePrompts(tiny_tokenizer)
    decoder.cache_prefix(prompts.prefix_ids)
    article = next(iter(seed_articles.values()))
    article_ids = prompts.article_ids(article)
    decoder.cache_prefix(article_ids)
    requests = [article_ids + prompts.request_ids(figure_request(article, f)) for f in find_figures(article)]
    assert len(requests) >= 10 and len({len(r) for r in requests}) > 5  # requests of different lengths
    yield decoder, article, requests[:5]
    decoder.close()


@pytest.fixture(scope="module")
def mixed(setup):
    """Eleven requests whose answers take different numbers of passes: figure labels, a few
    free digits each ("|" forced before each), and one answer the grammar forces whole."""
    decoder, article, _ = setup
    prompts = FigurePrompts(decoder.tokenizer)
    article_ids = prompts.article_ids(article)
    requests = [article_ids + prompts.request_ids(figure_request(article, f)) for f in find_figures(article)][:11]
    grammars = [_digits(k) if k else figure_grammar(article) for k in (7, 1, 0, 2, 1, 1, 3, 1, 6, 1, 0)]
    grammars[4] = 'start: "ok"\n'  # forced whole: ends before any pass
    return decoder, requests, grammars


def _digits(count: int) -> str:
    return "start: " + " ".join(['"|" /[0-9]/'] * count) + "\n"


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


@pytest.mark.parametrize("batch_size", [2, 3, 4])
def test_refill_gives_each_request_its_own_output_in_fewer_passes(mixed, batch_size):
    decoder, requests, grammars = mixed
    params = DecodeParams(max_new_tokens=120, speculate=False)  # the batch decoder does not speculate
    alone = [decoder.generate(r, g, params) for r, g in zip(requests, grammars, strict=True)]
    refill, batches = BatchDecoder(decoder), BatchDecoder(decoder)
    together = refill.generate(requests, grammars, params, batch_size=batch_size)
    old = batches.generate(requests, grammars, params, batch_size=batch_size, refill=False)
    for results in (together, old):
        assert [t.token_ids for t in results] == [a.token_ids for a in alone]
        assert [t.stop_reason for t in results] == [a.stop_reason for a in alone]
        assert [t.stats["forward_passes"] for t in results] == [a.stats["forward_passes"] for a in alone]
    assert together[4].text == "ok" and together[4].stats["forward_passes"] == 0  # stopped at once
    passes = [a.stats["forward_passes"] for a in alone]
    assert max(max(passes), math.ceil(sum(passes) / batch_size)) <= refill.forward_calls < batches.forward_calls


def test_refill_cuts_each_row_at_its_budget(mixed):
    decoder, requests, grammars = mixed
    params = DecodeParams(max_new_tokens=3, speculate=False)
    alone = [decoder.generate(r, g, params) for r, g in zip(requests, grammars, strict=True)]
    together = BatchDecoder(decoder).generate(requests, grammars, params, batch_size=3)
    assert [t.token_ids for t in together] == [a.token_ids for a in alone]
    assert [t.stop_reason for t in together] == [a.stop_reason for a in alone]
    assert {t.stop_reason for t in together} == {"stop", "max_new_tokens"}


def test_refill_without_a_cached_prefix(mixed, tiny_model, tiny_tokenizer):
    """Rows that share no cached prefix prefill in full; one joining a running batch sees none of the others."""
    _, requests, grammars = mixed
    with Decoder(tiny_model, tiny_tokenizer) as fresh:
        params = DecodeParams(max_new_tokens=40, speculate=False)
        short = [r[-40 - 7 * i :] for i, r in enumerate(requests[:5])]  # of different lengths
        alone = [fresh.generate(r, g, params) for r, g in zip(short, grammars[:5], strict=True)]
        together = BatchDecoder(fresh).generate(short, grammars[:5], params, batch_size=2)
    assert [t.token_ids for t in together] == [a.token_ids for a in alone]
    assert all(t.stats["reused_prefix_tokens"] == 0 for t in together)


def test_sampling_is_seeded_per_request_whatever_the_batch(mixed):
    decoder, requests, grammars = mixed
    params = DecodeParams(max_new_tokens=60, temperature=1.0, seed=7, speculate=False)
    alone = [decoder.generate(r, g, params) for r, g in zip(requests, grammars, strict=True)]
    for batch_size in (1, 3):
        together = BatchDecoder(decoder).generate(requests, grammars, params, batch_size=batch_size)
        assert [t.token_ids for t in together] == [a.token_ids for a in alone]


def test_a_row_sees_only_its_own_prefix_request_and_answer(mixed, monkeypatch):
    """Stricter than equal tokens (a random model's picks barely depend on its context): each
    row's logits at every step, in a refilled batch, are those of the request decoded alone."""
    import torch

    decoder, requests, grammars = mixed
    seen: dict[int, list] = {}
    step = BatchDecoder._step

    def recording_step(self, live):
        logits = step(self, live)
        for row, row_logits in zip(live.rows, logits, strict=True):
            seen.setdefault(row.index, []).append(row_logits.clone())
        return logits

    monkeypatch.setattr(BatchDecoder, "_step", recording_step)
    params = DecodeParams(max_new_tokens=40)
    BatchDecoder(decoder).generate(requests, grammars, params, batch_size=3)
    batched, alone = dict(seen), {}
    for i, (request, grammar) in enumerate(zip(requests, grammars, strict=True)):
        seen.clear()
        BatchDecoder(decoder).generate([request], [grammar], params, batch_size=1)
        alone[i] = seen.get(0, [])
    assert batched.keys() == {i for i, steps in alone.items() if steps}
    for i, steps in batched.items():
        assert len(steps) == len(alone[i])
        for got, want in zip(steps, alone[i], strict=True):
            assert torch.allclose(got, want, atol=1e-4), (i, float((got - want).abs().max()))
