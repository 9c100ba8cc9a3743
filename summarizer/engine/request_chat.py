"""The chat around a batch of short requests about one article, and its token runs.

A strategy that asks many short questions about one article (the claims task's figures, the
generic item strategy) puts them in one chat shape: instructions and worked examples, the article
as a user turn answered by a short assistant turn, then one request as the last user turn.
:class:`RequestChat` names that shape: ``messages(article, request)`` is the whole chat of one
request (what a server gets). In process the chat is rendered once per tokenizer with sentinels in
place of the article and the request and cut there (:class:`RequestPrompts`), so three token runs
are each computed once:

* the instructions and the examples, the same for every article (their KV cache is kept);
* the article (prefilled once per article on top of them);
* the request, a few dozen tokens each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from summarizer.core.errors import ModelError
from summarizer.engine.prompting import has_chat_template, render_chat, render_plain

# Rendered in place of the article and the request, then cut out: no template changes them, and no
# real article holds them.
ARTICLE_SENTINEL = "ARTICLEGOESHERE7Q3X"
REQUEST_SENTINEL = "REQUESTGOESHERE5K2W"
REQUEST_TOKENS = 160  # a generous request (and the room kept for it when an article is budgeted)

Messages = Callable[[str, str], list[dict[str, str]]]


@dataclass(frozen=True)
class RequestChat:
    """The chat of one strategy's requests: ``messages(article, request)`` is the whole chat, the
    article in one user turn and the request in the last. ``name`` tells chats apart in caches."""

    name: str
    messages: Messages
    request_tokens: int = REQUEST_TOKENS


class RequestPrompts:
    """Token ids of a :class:`RequestChat`'s three runs for one tokenizer."""

    def __init__(self, tokenizer: Any, chat: RequestChat):
        self.tokenizer = tokenizer
        self.request_tokens = chat.request_tokens
        messages = chat.messages(ARTICLE_SENTINEL, REQUEST_SENTINEL)
        templated = has_chat_template(tokenizer)
        text = render_chat(tokenizer, messages) if templated else render_plain(messages)
        if text.count(ARTICLE_SENTINEL) != 1 or text.count(REQUEST_SENTINEL) != 1:
            raise ModelError("the tokenizer's chat template does not place the user's message verbatim")
        head, rest = text.split(ARTICLE_SENTINEL)
        self.middle, self.tail = rest.split(REQUEST_SENTINEL)
        # A chat template writes its own special tokens (BOS included) as text.
        self.prefix_ids: list[int] = self._encode(head, special=not templated)

    def _encode(self, text: str, special: bool = False) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=special))

    def article_ids(self, article: str) -> list[int]:
        """Instructions + article: the prefix every request of this article starts with."""
        return self.prefix_ids + self._encode(article.strip() + self.middle)

    def request_ids(self, request: str) -> list[int]:
        return self._encode(request + self.tail)

    @property
    def overhead_tokens(self) -> int:
        """Prompt tokens that are not the article: instructions, the template, a generous request."""
        return len(self.prefix_ids) + len(self._encode(self.middle + self.tail)) + self.request_tokens
