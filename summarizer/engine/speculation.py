"""Article-lookup drafts for speculative decoding (prompt-lookup decoding, constrained).

Evidence, claimants and equipment are verbatim spans of the article, and the article
is in the prompt. So when the last generated tokens also occur in the prompt, the
tokens that follow them there are a free guess at what comes next. The decoder
appends that guess (the draft) to its next forward pass and keeps the longest prefix
that greedy (or seeded sampling) decoding under the grammar would have produced anyway,
so the output is the same with drafts or without them; only forward passes are saved.

Drafts are cut to what the grammar accepts (``LLMatcher.validate_tokens``): outside a
span-copy field (enum values, keys, numbers) the article's text is rarely allowed, so
no draft is proposed there and no compute is wasted on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llguidance import LLMatcher

DRAFT_TOKENS = 8  # per pass: long enough for a clause, short enough to keep a pass cheap
NGRAM = (3, 2)  # match the last 3 tokens, else the last 2; one token alone matches too often


class ArticleLookup:
    """Index of the prompt's n-grams: where each one last occurs, to continue from there."""

    def __init__(self, source_ids: Sequence[int], max_draft: int = DRAFT_TOKENS, ngram: tuple[int, ...] = NGRAM):
        self.source = list(source_ids)
        self.max_draft = max_draft
        self.ngram = ngram
        self._next: dict[tuple[int, ...], int] = {}  # n-gram -> index just after its first occurrence
        for n in ngram:
            for end in range(n, len(self.source)):  # an n-gram at the very end has no continuation
                self._next.setdefault(tuple(self.source[end - n : end]), end)

    def propose(self, context: Sequence[int], limit: int | None = None) -> list[int]:
        """Up to ``limit`` (default ``max_draft``) tokens that followed ``context``'s last n-gram in the source."""
        size = self.max_draft if limit is None else min(limit, self.max_draft)
        if size <= 0:
            return []
        for n in self.ngram:
            if len(context) >= n:
                start = self._next.get(tuple(context[-n:]))
                if start is not None:
                    return self.source[start : start + size]
        return []


def grammar_draft(matcher: LLMatcher, draft: list[int]) -> list[int]:
    """The prefix of ``draft`` that the grammar accepts from the matcher's current state."""
    if not draft or matcher.is_stopped():
        return []
    return draft[: matcher.validate_tokens(draft)]
