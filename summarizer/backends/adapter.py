"""Model adapters: what a strategy asks of a model, whichever backend runs it.

A generating backend (transformers in process, llama.cpp in process, an OpenAI-compatible server)
is an :class:`Adapter`: it does one thing, generate for a batch of requests about one article, each
with its grammar and token budget, with prefix caching where it can (in process: the instructions
and the article are prefilled once and every request decodes on top of them; llama.cpp: parallel
sequences after the shared prefix; a server: one chat request each, several in flight). A strategy
that asks short questions (the claims kit's figures, the generic item strategy) is written once
against it, and runs unchanged on every backend.

A server may not keep to a grammar (or take only JSON Schema), so each kind of request also says
what its answer is (:class:`AnswerFormat`): the adapter checks what comes back and refuses an
answer outside the format (:class:`Refused`), or notes one that is not grounded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from summarizer.core.errors import ModelError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import Task
from summarizer.engine.request_chat import RequestChat

# Why an article whose answers were checked only after generation is not "ok".
UNGROUNDED = "not grounded in the article (the server has no grounded grammar; checked after generation): "


@dataclass(frozen=True)
class AnswerFormat:
    """What the answer to one kind of request is, for a model that may not keep to its grammar."""

    name: str  # the kind of request ("label", "item"): named in error lines and as the schema's name
    schema: dict[str, Any]  # the answer's JSON Schema, for a server that takes no grammar
    problems: Callable[[Any], tuple[list[str], list[str]]]  # a parsed answer's (format, grounding) problems
    # False for an answer in format that is still of no use (a summary with a number the article does
    # not state): taken as cut off, and counted in the stats as "<name>_replaced".
    usable: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Batch:
    """Requests of one kind about one article, each under its grammar, each at most ``limit`` tokens."""

    form: AnswerFormat
    requests: Sequence[str]
    grammars: Sequence[str]
    limit: int


@dataclass
class Context:
    """One article (or chunk) under one chat: what its requests share, and what the adapter noted."""

    chat: RequestChat
    article: str
    options: ExtractOptions
    answers: list[str] = field(default_factory=list)  # the answers as written, where an adapter keeps them
    ungrounded: list[str] = field(default_factory=list)  # grounding problems found after generation
    notes: dict[str, Any] = field(default_factory=dict)  # the adapter's own stats (a server's usage ...)

    def raw(self) -> str:
        return json.dumps({"answers": self.answers}, ensure_ascii=False)


class CutOff(Exception):
    """A generation cut off that leaves no document (status "truncated"): ``raw`` and ``stats`` are
    what was written and counted."""

    def __init__(self, reason: str, raw: str, stats: dict[str, Any]):
        super().__init__(reason)
        self.raw, self.stats = raw, stats


class Refused(Exception):
    """No usable answer for the article: it gets ``status`` ("failed": no answer came; "invalid": an
    answer outside its format) with this one-line reason."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status


@runtime_checkable
class Adapter(Protocol):
    """A backend as a strategy sees it."""

    task: Task

    def article_spans(self, chat: RequestChat, article: str) -> list[tuple[int, int]]:
        """(start, end) of ``article`` whole, or of each of its chunks, in order, when it does not fit
        the model's context under ``chat``."""

    def generate(self, context: Context, batch: Batch, totals: dict[str, float]) -> list[tuple[str, bool]]:
        """(text, stopped) per request, in order: at most ``batch.limit`` tokens each (and the options'
        budget), under its grammar; stopped False means cut off. Token counts are added to ``totals``."""


def require_adapter(backend: Any, strategy: str) -> Adapter:
    """``backend`` when it can run a strategy of short requests; ModelError (one line) otherwise."""
    if not isinstance(backend, Adapter):
        raise ModelError(f"--strategy {strategy} does not run on the {backend.name} backend (use --strategy document)")
    return backend


@dataclass
class Part:
    """What a strategy made of one article or chunk."""

    document: dict[str, Any]
    raw: str
    stats: dict[str, Any]


def extract_in_chunks(
    adapter: Adapter,
    chat: RequestChat,
    article: str,
    options: ExtractOptions,
    write: Callable[[Context], Part],
    spans: list[tuple[int, int]] | None = None,
) -> Extraction:
    """A strategy of short requests on ``article`` (stripped): ``write`` on each chunk the adapter's
    context takes (one, for most articles), the parts concluded into one Extraction. ``spans``: the
    chunks to read, where the strategy chose among the adapter's (a chunk with nothing to ask)."""
    started = time.perf_counter()
    parts: list[Part] = []
    contexts: list[Context] = []
    article = article.strip()
    for start, end in adapter.article_spans(chat, article) if spans is None else spans:
        contexts.append(Context(chat, article[start:end], options))
        try:
            parts.append(write(contexts[-1]))
        except Refused as error:
            return refused(error, contexts[-1], started)
        except CutOff as error:
            stats = {**error.stats, "seconds": round(time.perf_counter() - started, 4)}
            return Extraction(error.raw, None, "truncated", str(error), stats)
    return conclude(adapter.task, parts, contexts, started)


def conclude(task: Task, parts: list[Part], contexts: list[Context], started: float) -> Extraction:
    """One Extraction of an article's parts (chunk documents merged as the task merges them), checked
    against the task's schema (its parts were not decoded under it); "ungrounded" when the adapter
    found answers it could only check after generation not grounded."""
    from summarizer.engine.chunking import merge_documents
    from summarizer.engine.extraction import parse_document, sum_stats

    document = parts[0].document if len(parts) == 1 else merge_documents([p.document for p in parts], task)
    stats = {**sum_stats(p.stats for p in parts), "chunks": len(parts), **_notes(contexts)}
    stats["seconds"] = round(time.perf_counter() - started, 4)
    raw = "\n".join(p.raw for p in parts)
    extraction = parse_document(json.dumps(document, ensure_ascii=False), stats, raw=raw, task=task)
    ungrounded = [problem for context in contexts for problem in context.ungrounded]
    if extraction.status == "ok" and ungrounded:
        return Extraction(raw, extraction.document, "ungrounded", UNGROUNDED + ungrounded[0], stats)
    return extraction


def refused(error: Refused, context: Context, started: float) -> Extraction:
    """The Extraction of an article that got no usable answer: the answers so far, no document."""
    stats = {**context.notes, "seconds": round(time.perf_counter() - started, 4)}
    return Extraction(context.raw(), None, error.status, str(error), stats)


def _notes(contexts: list[Context]) -> dict[str, Any]:
    """The adapters' notes of every chunk: numbers added up, anything else as the last chunk has it."""
    notes: dict[str, Any] = {}
    for context in contexts:
        for key, value in context.notes.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            notes[key] = notes.get(key, 0) + value if number else value
    return notes
