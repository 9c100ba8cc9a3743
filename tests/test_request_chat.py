"""The chat of a batch of short requests, rendered once per tokenizer and cut into three token runs:
instructions, article, request."""

from __future__ import annotations

import pytest

from summarizer.core.errors import ModelError
from summarizer.engine.prompting import render_chat, render_plain
from summarizer.engine.request_chat import RequestChat, RequestPrompts


def messages(article: str, request: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "Answer about the article."},
        {"role": "user", "content": f"Article:\n{article}"},
        {"role": "assistant", "content": "Read."},
        {"role": "user", "content": request},
    ]


CHAT = RequestChat("test", messages, request_tokens=40)
ARTICLE, REQUEST = "The canal lock on Reed Street was repaired in March.", "When was it repaired?"


def test_the_three_runs_are_the_rendered_chat(tiny_tokenizer):
    prompts = RequestPrompts(tiny_tokenizer, CHAT)
    ids = prompts.article_ids(f"  {ARTICLE}\n") + prompts.request_ids(REQUEST)  # the article is stripped
    assert tiny_tokenizer.decode(ids) == render_chat(tiny_tokenizer, messages(ARTICLE, REQUEST))
    assert prompts.article_ids(ARTICLE)[: len(prompts.prefix_ids)] == prompts.prefix_ids
    tail = len(tiny_tokenizer.encode(prompts.middle + prompts.tail, add_special_tokens=False))
    assert prompts.overhead_tokens == len(prompts.prefix_ids) + tail + 40


class PlainTokenizer:
    """A tokenizer with no chat template: one id per character."""

    chat_template = None

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return [ord(c) for c in text]


def test_a_tokenizer_without_a_chat_template_gets_the_plain_layout():
    prompts = RequestPrompts(PlainTokenizer(), CHAT)
    text = "".join(map(chr, prompts.article_ids(ARTICLE) + prompts.request_ids(REQUEST)))
    assert text == render_plain(messages(ARTICLE, REQUEST))


class DroppingTokenizer(PlainTokenizer):
    """A chat template that leaves the user's messages out."""

    chat_template = "x"

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=True) -> str:
        return "".join(m["role"] for m in messages)


def test_a_template_that_does_not_place_the_messages_verbatim_is_one_line():
    with pytest.raises(ModelError, match="does not place the user's message verbatim"):
        RequestPrompts(DroppingTokenizer(), CHAT)
