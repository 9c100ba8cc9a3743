"""Split an article too long for the model's context, and merge the per-chunk documents.

Chunks are verbatim slices of the article cut on sentence boundaries, so anything
grounded in a chunk (an evidence quote) is verbatim in the whole article too.
Consecutive chunks overlap by a sentence or two so that a figure whose context sits
just before a cut ("This figure includes 23 children") is still seen with it; the
merge then drops the claims the overlap produced twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from summarizer.text import canonical

SUMMARY_MAX = 600
CLAIMS_MAX = 200
# A sentence ends at . ! ? or an ellipsis, maybe followed by closing quotes or brackets,
# then whitespace; a line break always ends one.
_SENTENCE_END = re.compile(r"([.!?\u2026][\"'\u201d\u2019)\]]*)\s+|\n")


@dataclass(frozen=True)
class Chunk:
    start: int  # character offsets in the article
    end: int
    text: str


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, without the whitespace between sentences."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end(1) if match.group(1) else match.start()
        if text[start:end].strip():
            spans.append(_strip_span(text, start, end))
        start = match.end()
    if text[start:].strip():
        spans.append(_strip_span(text, start, len(text)))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, span: tuple[int, int], max_tokens: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """A sentence longer than a whole chunk is cut between words (rare: tables, lists without full stops)."""
    words = [m.span() for m in re.finditer(r"\S+", text[span[0] : span[1]])]
    pieces, first = [], 0
    while first < len(words):
        last = first
        while last + 1 < len(words) and count(text[span[0] + words[first][0] : span[0] + words[last + 1][1]]) <= max_tokens:
            last += 1
        pieces.append((span[0] + words[first][0], span[0] + words[last][1]))
        first = last + 1
    return pieces


def split_article(
    text: str,
    max_tokens: int,
    count_tokens: Callable[[str], int],
    overlap_tokens: int | None = None,
) -> list[Chunk]:
    """Cut ``text`` into chunks of at most ``max_tokens`` (by ``count_tokens``), overlapping by whole sentences.

    Token counts are summed per sentence, which can overcount slightly (never by much
    undercount), so callers should keep a small margin.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    overlap_tokens = max_tokens // 8 if overlap_tokens is None else overlap_tokens
    units: list[tuple[int, int]] = []
    for span in sentence_spans(text):
        units.extend(_split_long(text, span, max_tokens, count_tokens) if count_tokens(text[span[0] : span[1]]) > max_tokens else [span])
    sizes = [count_tokens(text[s:e]) + 1 for s, e in units]  # +1: the whitespace between sentences
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, used = first, sizes[first]
        while last + 1 < len(units) and used + sizes[last + 1] <= max_tokens:
            last += 1
            used += sizes[last]
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(start, end, text[start:end]))
        if last + 1 >= len(units):
            break
        first = _next_first(first, last, sizes, overlap_tokens)
    return chunks


def _next_first(first: int, last: int, sizes: list[int], overlap_tokens: int) -> int:
    """Start the next chunk a few sentences back (as many as fit in the overlap), always moving forward."""
    nxt, overlap = last + 1, 0
    while nxt - 1 > first and overlap + sizes[nxt - 1] <= overlap_tokens:
        nxt -= 1
        overlap += sizes[nxt]
    return nxt


def _same_claim(a: dict, b: dict) -> bool:
    """Duplicates from an overlap: same outcome and value, and one evidence contains the other."""
    if a["outcome"] != b["outcome"] or a["count"]["value"] != b["count"]["value"]:
        return False
    ea, eb = canonical(a["evidence"]).lower(), canonical(b["evidence"]).lower()
    return ea in eb or eb in ea


def merge_documents(documents: list[dict]) -> dict:
    """One document from the chunks' documents, in chunk order.

    Claims within one chunk are kept as they are (two claimants can share a sentence);
    a claim that duplicates one from an earlier chunk is dropped. The summary is the
    first chunk's: news articles lead with the main claim.
    """
    if not documents:
        raise ValueError("nothing to merge")
    claims: list[dict] = []
    for document in documents:
        earlier = list(claims)
        claims.extend(c for c in document["claims"] if not any(_same_claim(c, e) for e in earlier))
    return {"summary": documents[0]["summary"][:SUMMARY_MAX], "claims": claims[:CLAIMS_MAX]}
