"""Splitting long articles on sentence boundaries and merging the chunks' documents (pure)."""

from __future__ import annotations

import itertools

import pytest

from summarizer.engine.chunking import merge_documents, sentence_spans, split_article


def words(text: str) -> int:
    """A stand-in token counter: one token per word."""
    return len(text.split())


def test_sentence_spans_cut_after_end_punctuation_and_closing_quotes():
    text = 'He said: "Ten were killed." Two more died!  Was it 3?\nHeadline without stop\nLast one…'
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        'He said: "Ten were killed."',
        "Two more died!",
        "Was it 3?",
        "Headline without stop",
        "Last one…",
    ]


def test_sentence_spans_ignore_blank_lines_and_keep_decimals_whole():
    text = "\n\nPrices rose 1.5 percent. 33.7 million fled.\n\n\n"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Prices rose 1.5 percent.", "33.7 million fled."]


def make_article(n: int) -> str:
    return " ".join(f"Sentence number {i} says {i} people were killed." for i in range(n))


def test_chunks_are_verbatim_slices_within_budget_covering_every_sentence():
    article = make_article(40)
    chunks = split_article(article, max_tokens=30, count_tokens=words, overlap_tokens=8)
    assert len(chunks) > 5
    for chunk in chunks:
        assert article[chunk.start : chunk.end] == chunk.text
        assert words(chunk.text) <= 30
    covered = set()
    for chunk in chunks:
        covered.update(i for i, (s, e) in enumerate(sentence_spans(article)) if chunk.start <= s and e <= chunk.end)
    assert covered == set(range(40))


def test_consecutive_chunks_overlap_by_whole_sentences_and_always_advance():
    article = make_article(30)  # 9 "tokens" per sentence
    chunks = split_article(article, max_tokens=30, count_tokens=words, overlap_tokens=10)
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start < before.end  # overlap, and progress
        assert after.text.startswith("Sentence number")  # starts on a sentence
    no_overlap = split_article(article, max_tokens=30, count_tokens=words, overlap_tokens=0)
    assert all(b.end < a.start for b, a in itertools.pairwise(no_overlap))


def test_short_article_is_one_chunk():
    article = make_article(3)
    chunks = split_article(article, max_tokens=1000, count_tokens=words)
    assert len(chunks) == 1 and chunks[0].text == article


def test_sentence_longer_than_a_chunk_is_cut_between_words():
    article = "Start. " + " ".join(f"w{i}" for i in range(100)) + ". End."
    chunks = split_article(article, max_tokens=20, count_tokens=words, overlap_tokens=0)
    assert all(words(c.text) <= 20 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == article.split()


def test_a_long_line_without_full_stops_is_cut_in_few_counts():
    # A 5 MB table flattened into one line: counting the piece anew after each word took hours.
    article = " ".join(f"w{i}" for i in range(10_000))
    calls: list[int] = []

    def counting(text: str) -> int:
        calls.append(1)
        return words(text)

    chunks = split_article(article, max_tokens=1000, count_tokens=counting, overlap_tokens=0)
    assert [words(c.text) for c in chunks] == [1000] * 10  # each piece as long as fits
    assert " ".join(c.text for c in chunks) == article
    assert len(calls) < 300  # about 20 per piece (doubling, then bisection); word by word it was 10,000


def test_budget_must_be_positive():
    with pytest.raises(ValueError):
        split_article("Text.", max_tokens=0, count_tokens=words)


def claim(value: float, evidence: str, outcome: str = "killed", claimant: str | None = None) -> dict:
    return {
        "claimant": claimant,
        "outcome": outcome,
        "count": {"value": value, "qualifier": "exact", "upper": None},
        "evidence": evidence,
    }


def test_merge_drops_claims_an_overlap_produced_twice():
    first = {"summary": "First.", "claims": [claim(12, "12 people were killed"), claim(3, "3 were injured", "injured")]}
    second = {
        "summary": "Second.",
        "claims": [
            claim(3, "3  were injured", "injured"),  # same claim, whitespace differs
            claim(12, "Officials said 12 people were killed"),  # longer quote of the same figure
            claim(12, "12 tanks", "equipment_destroyed"),  # same value, other outcome: kept
            claim(7, "7 were killed"),  # new
        ],
    }
    merged = merge_documents([first, second])
    assert merged["summary"] == "First."
    assert [(c["outcome"], c["count"]["value"]) for c in merged["claims"]] == [
        ("killed", 12),
        ("injured", 3),
        ("equipment_destroyed", 12),
        ("killed", 7),
    ]


def test_merge_keeps_same_sentence_claims_within_one_chunk():
    sentence = "The army and the UN said 5 were killed"
    doc = {"summary": "S.", "claims": [claim(5, sentence, claimant="army"), claim(5, sentence, claimant="UN")]}
    assert len(merge_documents([doc])["claims"]) == 2


def test_merge_trims_summary_and_caps_claims():
    docs = [
        {"summary": "x" * 700, "claims": [claim(i, f"{i} killed") for i in range(150)]},
        {"summary": "y", "claims": [claim(i, f"{i} killed") for i in range(150, 300)]},
    ]
    merged = merge_documents(docs)
    assert len(merged["summary"]) == 600 and len(merged["claims"]) == 200


def test_merge_needs_a_document():
    with pytest.raises(ValueError):
        merge_documents([])


def test_merge_of_a_user_task_drops_overlap_repeats_by_its_merge_key():
    from pathlib import Path

    from summarizer.core.task import load_task

    quotes = load_task(Path(__file__).resolve().parent.parent / "examples" / "quotes")  # merge_key = ["quote"]
    first = {"quotes": [{"speaker": "Ana", "role": None, "quote": "We stay open"}]}
    second = {
        "quotes": [
            {"speaker": "Ana Ruiz", "role": "mayor", "quote": "We stay open,"},  # the overlap again
            {"speaker": "Bo", "role": None, "quote": "Not today"},
        ]
    }
    merged = merge_documents([first, second], quotes)
    assert [q["quote"] for q in merged["quotes"]] == ["We stay open", "Not today"]
