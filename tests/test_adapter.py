"""Model adapters (backends/adapter.py): a strategy of short requests run chunk by chunk on any backend,
its parts concluded into one Extraction; no answer, a cut-off document and answers checked only after
generation each get their own status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.backends.adapter import (
    Adapter,
    Context,
    CutOff,
    Part,
    Refused,
    extract_in_chunks,
    require_adapter,
)
from summarizer.core.errors import ModelError
from summarizer.core.records import ExtractOptions
from summarizer.core.task import load_task
from summarizer.engine.request_chat import RequestChat

QUOTES = load_task(Path(__file__).resolve().parent.parent / "examples" / "quotes")
CHAT = RequestChat("test", lambda article, request: [{"role": "user", "content": request}])
FIRST = {"speaker": "Ann Holt", "role": None, "quote": "The dam held."}
SECOND = {"speaker": "Eli Moss", "role": "engineer", "quote": "It was close."}


class Chunked:
    """An adapter whose context takes one sentence of an article at a time (it generates nothing)."""

    task = QUOTES

    def article_spans(self, chat, article):
        ends = [i + 1 for i, c in enumerate(article) if c == "."]
        return [(start + (start > 0), end) for start, end in zip([0, *ends], ends, strict=False)]

    def generate(self, context, batch, totals):
        return []


def part(*items, generations: int = 1) -> Part:
    return Part({"quotes": list(items)}, json.dumps(list(items)), {"generations": generations})


def test_a_backend_that_generates_is_an_adapter_and_any_other_is_one_line():
    assert isinstance(Chunked(), Adapter)

    class Rules:
        name = "rules"

    with pytest.raises(ModelError, match=r"^--strategy items does not run on the rules backend \(use --strategy"):
        require_adapter(Rules(), "items")


def test_the_parts_of_an_article_s_chunks_are_merged_and_their_counts_added():
    seen = []

    def write(context: Context) -> Part:
        seen.append(context.article)
        context.notes.update(grounding="grammar", prompt_tokens=10)
        return part(FIRST) if len(seen) == 1 else part(FIRST, SECOND, generations=2)

    extraction = extract_in_chunks(Chunked(), CHAT, " The dam held. It was close. \n", ExtractOptions(), write)
    assert seen == ["The dam held.", "It was close."]  # the article stripped, then cut
    assert extraction.status == "ok" and extraction.document == {"quotes": [FIRST, SECOND]}
    stats = extraction.stats.as_dict()
    assert {k: stats[k] for k in ("generations", "chunks", "prompt_tokens", "grounding")} == {
        "generations": 3,
        "chunks": 2,
        "prompt_tokens": 20,
        "grounding": "grammar",
    }
    assert extraction.raw == json.dumps([FIRST]) + "\n" + json.dumps([FIRST, SECOND])


def test_no_usable_answer_ends_the_article_with_the_answers_so_far():
    def write(context: Context) -> Part:
        context.answers.append('{"speaker":')
        context.notes["grounding"] = "grammar"
        raise Refused("invalid", "the server's item breaks the item format: it is not an object")

    extraction = extract_in_chunks(Chunked(), CHAT, "The dam held.", ExtractOptions(), write)
    assert (extraction.status, extraction.reason, extraction.document) == (
        "invalid",
        "the server's item breaks the item format: it is not an object",
        None,
    )
    assert extraction.raw == '{"answers": ["{\\"speaker\\":"]}' and extraction.stats["grounding"] == "grammar"


def test_a_cut_off_that_leaves_no_document_is_truncated():
    def write(context: Context) -> Part:
        raise CutOff("the document's other fields were cut off", '{"answers": [null]}', {"items": 2})

    extraction = extract_in_chunks(Chunked(), CHAT, "The dam held.", ExtractOptions(), write)
    assert (extraction.status, extraction.reason, extraction.document) == (
        "truncated",
        "the document's other fields were cut off",
        None,
    )
    assert extraction.stats["items"] == 2


def test_answers_checked_only_after_generation_make_an_article_ungrounded_never_ok():
    def write(context: Context) -> Part:
        context.ungrounded.append("$.speaker: not found verbatim in the article: Ann Holt")
        return part(FIRST)

    extraction = extract_in_chunks(Chunked(), CHAT, "The dam held.", ExtractOptions(), write)
    assert extraction.status == "ungrounded" and extraction.document == {"quotes": [FIRST]}
    assert extraction.reason == (
        "not grounded in the article (the server has no grounded grammar; checked after generation): "
        "$.speaker: not found verbatim in the article: Ann Holt"
    )


def test_a_document_the_task_s_schema_refuses_is_invalid():
    extraction = extract_in_chunks(
        Chunked(), CHAT, "The dam held.", ExtractOptions(), lambda context: part({"speaker": "Ann Holt"})
    )
    assert extraction.status == "invalid" and extraction.reason.startswith("$.quotes[0]")
