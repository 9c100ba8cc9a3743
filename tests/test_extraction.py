"""The shared extraction loop (budget -> chunks -> merge) and output checks, with a scripted generator."""

from __future__ import annotations

import json

import pytest

from summarizer.core.errors import ModelError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.engine.extraction import (
    Budget,
    cut_off_limit,
    extract_chunks,
    extract_document,
    parse_document,
    sum_stats,
    truncated_document,
)


def words(text: str) -> int:
    return len(text.split())


def claim(value: int, evidence: str) -> dict:
    return {
        "claimant": None,
        "claimant_type": "unattributed",
        "claimant_side": None,
        "outcome": "killed",
        "victim_side": None,
        "victim_group": "civilians",
        "equipment": None,
        "count": {"value": value, "qualifier": "exact", "upper": None},
        "period": None,
        "location": None,
        "perpetrator_side": None,
        "verification": "unverified",
        "evidence": evidence,
    }


def sentence_article(n: int) -> str:
    return " ".join(f"Report {i} says {i + 1} people were killed." for i in range(n))


class Scripted:
    """Generates one document per text: a claim per sentence; "FAIL" in a text gives ``status``."""

    def __init__(self, status: str = "invalid"):
        self.texts: list[tuple[str, int]] = []
        self.status = status

    def __call__(self, text: str, options: ExtractOptions, new_tokens: int) -> Extraction:
        self.texts.append((text, new_tokens))
        if "FAIL" in text:
            return Extraction("oops", None, self.status, "scripted", {"generated_tokens": 3, "grounding": "x"})
        sentences = [s.strip() + "." for s in text.split(".") if s.strip()]
        document = {"summary": "S", "claims": [claim(int(s.split()[3]), s) for s in sentences]}
        return Extraction(json.dumps(document), document, "ok", None, {"generated_tokens": 10, "seconds": 0.5})


def test_the_budget_gives_the_article_room_first():
    budget = Budget("m", context=1000, overhead_tokens=200, article_tokens=words)
    assert budget.split(4096) == (256, 1000 - 200 - 16 - 256)
    assert budget.split(100) == (1000 - 200 - 16 - 100, 100)
    with pytest.raises(
        ModelError,
        match=r"^model 'm': its context of 500 tokens is too small for the prompt "
        r"\(200 tokens\)$",
    ):
        Budget("m", 500, 200, words).split(10)


def test_a_short_article_is_one_generation_with_the_whole_budget():
    generate = Scripted()
    article = sentence_article(3)
    extraction = extract_document(article, ExtractOptions(max_new_tokens=50), Budget("m", 1000, 100, words), generate)
    assert generate.texts == [(article, 50)] and extraction.stats["chunks"] == 1
    assert [c["count"]["value"] for c in extraction.document["claims"]] == [1, 2, 3]


def test_a_long_article_is_chunked_and_the_documents_merged_without_overlap_duplicates():
    generate = Scripted()
    article = sentence_article(80)  # 640 words: more than the 400 - 16 - 24 left for it
    budget = Budget("m", context=400, overhead_tokens=0, article_tokens=words)
    extraction = extract_document(article, ExtractOptions(max_new_tokens=24), budget, generate)
    assert extraction.status == "ok" and len(generate.texts) == extraction.stats["chunks"] > 1
    assert all(words(text) <= 400 - 16 - 24 and article.find(text) >= 0 for text, _ in generate.texts)
    values = [c["count"]["value"] for c in extraction.document["claims"]]
    assert values == list(range(1, 81))  # every sentence once, in article order
    assert extraction.stats["generated_tokens"] == 10 * len(generate.texts)


@pytest.mark.parametrize("status", ["invalid", "truncated"])
def test_a_chunk_that_fails_ends_the_article_and_says_which(status):
    generate = Scripted(status)
    texts = ["Report 0 says 1 people were killed.", "FAIL here.", "Report 2 says 3 people were killed."]
    extraction = extract_chunks(texts, lambda text: generate(text, ExtractOptions(), 10))
    assert len(generate.texts) == 2  # no tokens spent after the failure
    assert (extraction.status, extraction.document, extraction.reason) == (status, None, "chunk 2 of 3: scripted")
    assert extraction.stats == {"generated_tokens": 13, "seconds": 0.5, "chunks": 3}


def test_parse_document_refuses_what_is_not_a_valid_document():
    assert parse_document("{", {}).reason.startswith("output is not JSON: ")
    wrong = parse_document(json.dumps({"summary": "S", "claims": [{"outcome": "killed"}]}), {"n": 1}, raw="r")
    assert (wrong.status, wrong.document, wrong.raw, wrong.stats) == ("invalid", None, "r", {"n": 1})
    assert wrong.reason.startswith("$.claims[0]")
    good = parse_document(json.dumps({"summary": "Many were hurt. " * 100, "claims": [claim(5, "5 killed")]}), {})
    assert good.status == "ok" and len(good.document["summary"]) <= 600  # clipped to the schema's limit


def test_a_cut_off_document_keeps_its_complete_claims():
    # The compact layout the grammar writes.
    whole = json.dumps({"summary": "S", "claims": [claim(5, "5 killed"), claim(7, "7 killed")]}, separators=(",", ":"))
    cut = whole[: whole.rindex('"evidence"')]
    extraction = truncated_document(cut, f"cut off at {cut_off_limit(30, 30)}", {})
    assert extraction.status == "truncated" and extraction.document["claims"] == [claim(5, "5 killed")]
    assert extraction.reason == "cut off at --max-new-tokens 30; kept its 1 complete claims"
    assert cut_off_limit(20, 30) == "20 new tokens (all the model's context left)"
    assert truncated_document('{"summ', "cut off", {}).document is None


def test_sum_stats_adds_numbers_and_drops_the_rest():
    assert sum_stats([{"a": 1, "b": 0.5, "flag": True, "s": "x"}, {"a": 2}]) == {"a": 3, "b": 0.5}


def test_an_article_far_longer_than_the_budget_is_never_counted_whole():
    # A 5 MB article's tokens, counted in one call, took 1 GB: the pieces say it cannot fit first.
    seen: list[int] = []

    def counting(text: str) -> int:
        seen.append(len(text))
        return words(text)

    article = sentence_article(40_000)  # 320,000 words, 1.9 MB
    budget = Budget("m", context=10_000, overhead_tokens=0, article_tokens=counting)
    assert not budget.fits(article, 5_000) and len(seen) == 1 and seen[0] <= 65536  # 10,000+ words: enough
    seen.clear()
    spans = budget.chunk_spans(article, 5_000)
    assert max(seen) < 65536 and len(spans) == 73 and spans[0][0] == 0 and spans[-1][1] == len(article)
    short = sentence_article(100)  # 700 words
    assert budget.fits(short, 700) and not budget.fits(short, 699)  # near the budget: counted exactly
