"""The grounded summary grammar: free text, but every number one of the article's."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.core.numbers import find_numbers, value_occurs  # noqa: E402
from summarizer.engine.summary_grammar import number_forms, summary_grammar  # noqa: E402

ARTICLE = (
    "The ministry said at least 31 people were killed, including seven women, and 1.9 million "
    "were displaced. Dozens remain missing."
)


@pytest.fixture(scope="module")
def accepts(tiny_tokenizer):
    import llguidance.hf
    from llguidance import LLMatcher

    ll_tokenizer = llguidance.hf.from_tokenizer(tiny_tokenizer)

    def accepts(summary: str, grounded: bool = True) -> bool:
        grammar = LLMatcher.grammar_from_lark(summary_grammar(ARTICLE, grounded))
        matcher = LLMatcher(ll_tokenizer, grammar, log_level=0)
        text = json.dumps(summary, ensure_ascii=False)
        return matcher.consume_tokens(tiny_tokenizer.encode(text, add_special_tokens=False)) and matcher.is_accepting()

    return accepts


@pytest.mark.parametrize(
    "summary",
    [
        "The ministry says at least 31 people were killed, including seven women.",
        "Seven women and 31 people died; 1.9 million fled, 1,900,000 in digits, and dozens are missing.",
        "Someone often said the toll was 7, not 31.",
        "No figures.",
        "The ministry says 31—at least—died.",
        "The ministry’s count—seven women—stands; it “won’t” change…",
    ],
)
def test_summaries_with_only_article_numbers_pass(accepts, summary):
    assert all(value_occurs(m.value, ARTICLE) for m in find_numbers(summary) if m.text.lower() not in ("a", "an"))
    assert accepts(summary)


@pytest.mark.parametrize(
    "summary",
    [
        "The ministry says 38 people were killed.",  # a number the article does not state
        "Eight women died.",  # a number word it does not state
        "Twenty-three died.",  # hyphenated number words
        "It says 31,120 died.",  # two allowed numbers run together
        "Thousands fled.",  # a vague word it does not use
        "Shelling killed eight—and more.",  # a number word against a dash, which is no letter
        "Shelling killed “eight” people.",  # nor are curly quotes
    ],
)
def test_invented_numbers_cannot_be_written(accepts, summary):
    assert not accepts(summary)


def test_without_grounding_any_text_passes(accepts):
    assert accepts("The ministry says 38 people were killed.", grounded=False)


def test_number_forms_are_the_articles_numbers_as_written_and_in_digits():
    forms = number_forms(ARTICLE)
    assert {"31", "seven", "Seven", "7", "1.9 million", "1,900,000", "Dozens", "12"} <= set(forms)
