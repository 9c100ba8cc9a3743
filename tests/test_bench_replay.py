"""Gold-document replay: what fast-forward does on a document a good model would write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import replay

pytest.importorskip("llguidance")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _gold(aid: str) -> tuple[str, dict]:
    article = (SEEDS / "articles" / f"{aid}.txt").read_text(encoding="utf-8")
    return article, json.loads((SEEDS / "labels" / f"{aid}.json").read_text(encoding="utf-8"))


def test_a_gold_document_replays_with_forced_tokens_riding_along(tiny_decoder):
    from summarizer.core.resources import load_schema
    from summarizer.engine.grammar import build_grammar
    from summarizer.engine.prompting import format_document

    article, document = _gold("000_cf12a2bbd9f641f4")
    counts = replay.replay_document(
        tiny_decoder.ll_tokenizer, build_grammar(load_schema(), article), format_document(document)
    )
    assert counts is not None
    assert counts["tokens"] == counts["forced"] + counts["forward_passes"]
    assert 0 < counts["forced"] and counts["forward_passes"] == len(counts["mask_seconds"])


def test_a_document_the_grammar_refuses_does_not_replay(tiny_decoder):
    from summarizer.core.resources import load_schema
    from summarizer.engine.grammar import build_grammar
    from summarizer.engine.prompting import format_document

    article, document = _gold("000_cf12a2bbd9f641f4")
    other, _ = _gold("001_52e54b49f32cf5ad")  # evidence spans of article 000 are not in article 001
    grammar = build_grammar(load_schema(), other)
    assert (
        document["claims"]
        and replay.replay_document(tiny_decoder.ll_tokenizer, grammar, format_document(document)) is None
    )
