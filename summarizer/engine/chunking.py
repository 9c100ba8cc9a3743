"""Split an article too long for the model's context, and merge the per-chunk documents.

Chunks are verbatim slices of the article cut on sentence boundaries, so anything
grounded in a chunk (an evidence quote) is verbatim in the whole article too.
Consecutive chunks overlap by a sentence or two so that a figure whose context sits
just before a cut ("This figure includes 23 children") is still seen with it; the
merge then drops the claims the overlap produced twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from summarizer.core.task import Task, field_value, load_task
from summarizer.core.text import canonical

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


def _split_long(
    text: str, span: tuple[int, int], max_tokens: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """A sentence longer than a whole chunk is cut between words (rare: tables, lists without full stops)."""
    words = [(span[0] + a, span[0] + b) for a, b in (m.span() for m in re.finditer(r"\S+", text[span[0] : span[1]]))]
    pieces, first = [], 0
    while first < len(words):
        last = _last_fitting(text, words, first, max_tokens, count)
        pieces.append((words[first][0], words[last][1]))
        first = last + 1
    return pieces


def _last_fitting(
    text: str, words: list[tuple[int, int]], first: int, max_tokens: int, count: Callable[[str], int]
) -> int:
    """The last word of the longest piece from ``first`` that fits (``first`` itself at least), found by
    doubling then bisection: counting the piece anew after each word made a long line quadratic."""

    def fits(last: int) -> bool:
        return count(text[words[first][0] : words[last][1]]) <= max_tokens

    good, step = first, 1
    while good + step < len(words) and fits(good + step):
        good, step = good + step, step * 2
    bad = min(good + step, len(words))  # the first known not to fit, or past the last word
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if fits(middle) else (good, middle)
    return good


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
        units.extend(
            _split_long(text, span, max_tokens, count_tokens)
            if count_tokens(text[span[0] : span[1]]) > max_tokens
            else [span]
        )
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


def same_item(a: dict[str, Any], b: dict[str, Any], key: tuple[str, ...], spans: set[str]) -> bool:
    """One item twice (from two chunks' overlap, or a model repeating itself): equal on the task's
    merge key, where for a span field (claims: evidence) one containing the other is enough (claims:
    same outcome and value, evidence within)."""
    for name in key:
        x, y = field_value(a, name), field_value(b, name)
        if name in spans and isinstance(x, str) and isinstance(y, str):
            x, y = canonical(x).lower(), canonical(y).lower()
            if not (x in y or y in x):
                return False
        elif x != y:
            return False
    return True


def span_fields(task: Task) -> set[str]:
    """The span fields of the task's items (dotted names)."""
    prefix = (task.items, "*")
    return {".".join(p[2:]) for p in task.paths("span") if p[:2] == prefix}


def merge_documents(documents: list[dict[str, Any]], task: Task | None = None) -> dict[str, Any]:
    """One document from the chunks' documents, in chunk order.

    Items within one chunk are kept as they are (two claimants can share a sentence);
    an item that duplicates one from an earlier chunk is dropped. Every other field is
    the first chunk's (a claims summary: news articles lead with the main claim), cut to
    the schema's maxLength / maxItems.
    """
    if not documents:
        raise ValueError("nothing to merge")
    task = load_task(task)
    merged = dict(documents[0])
    if task.items is not None:
        spans = span_fields(task)
        items: list[dict[str, Any]] = []
        for document in documents:
            earlier = list(items)
            items.extend(
                c for c in document[task.items] if not any(same_item(c, e, task.merge_key, spans) for e in earlier)
            )
        merged[task.items] = items
    return _within_bounds(merged, task.schema)


def _within_bounds(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Top-level strings and arrays cut to the schema's maxLength / maxItems (claims: 600 / 200)."""
    for key, sub in (schema.get("properties") or {}).items():
        value = document.get(key)
        if isinstance(value, str) and isinstance(sub.get("maxLength"), int):
            document[key] = value[: sub["maxLength"]]
        elif isinstance(value, list) and isinstance(sub.get("maxItems"), int):
            document[key] = value[: sub["maxItems"]]
    return document


def without_repeats(
    claims: list[dict[str, Any]], fields: tuple[str, ...] = ("evidence", "count")
) -> list[dict[str, Any]]:
    """Claims (a task's items) in order, without any that repeats an earlier one's ``fields``
    (claims: evidence and count; a task: its merge key, dotted names reaching inside)."""
    seen: set[str] = set()
    kept = []
    for claim in claims:
        key = json.dumps([field_value(claim, name) for name in fields], sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept
