"""The extraction loop any generating backend shares: token budget -> chunks -> one generation
per chunk -> merged document, and the checks that turn a model's text into an :class:`Extraction`.

A backend supplies what only it knows: its context size, how many tokens its prompt takes and
an article takes, and how to generate one document for one text (:class:`Generator`). The rest
(how the budget is split between article and output, where an article is cut, what a cut-off or
broken output becomes, how chunk documents and stats are merged) is decided here, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.core.errors import ModelError
from summarizer.core.kit import kit_for
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import Task, iter_values, load_task
from summarizer.engine.chunking import without_repeats

MIN_ARTICLE_TOKENS = 256  # a chunk smaller than this would cut most paragraphs apart
CHUNK_MARGIN_TOKENS = 16  # token counts of pieces and of the whole differ by a few tokens
MIN_OUTPUT_TOKENS = 64  # below this no document fits
COUNT_PIECE_CHARACTERS = 65536  # an article is counted this much at a time before it is counted whole


@dataclass(frozen=True)
class Budget:
    """A model's room for one generation: its context, the prompt's share, and how to count an article."""

    model_id: str
    context: int  # tokens the model can attend to
    overhead_tokens: int  # the prompt without the article
    article_tokens: Callable[[str], int]  # tokens an article takes inside the prompt

    def room(self) -> int:
        """Tokens left for the article and the output together."""
        return self.context - self.overhead_tokens - CHUNK_MARGIN_TOKENS

    def split(self, max_new_tokens: int) -> tuple[int, int]:
        """(tokens for the article, tokens to generate). The generation budget gives way first:
        an article needs room to be seen at all."""
        room = self.room()
        if room < MIN_ARTICLE_TOKENS + MIN_OUTPUT_TOKENS:
            raise self.too_small()
        new_tokens = min(max_new_tokens, room - MIN_ARTICLE_TOKENS)
        return room - new_tokens, new_tokens

    def too_small(self) -> ModelError:
        return ModelError(
            f"model {self.model_id!r}: its context of {self.context} tokens is too small for the prompt "
            f"({self.overhead_tokens} tokens)"
        )

    def request_spans(self, article: str) -> list[tuple[int, int]]:
        """The article in chunks for short requests: each answer has its own bounded budget inside
        the prompt's overhead, so the article takes all the room."""
        if self.room() < MIN_ARTICLE_TOKENS:
            raise self.too_small()
        return self.chunk_spans(article, self.room())

    def chunks(self, article: str, article_budget: int) -> list[str]:
        """The article whole if it fits in ``article_budget`` tokens, else cut on sentence boundaries."""
        return [article[start:end] for start, end in self.chunk_spans(article, article_budget)]

    def chunk_spans(self, article: str, article_budget: int) -> list[tuple[int, int]]:
        """Where :meth:`chunks` cuts ``article``: (start, end) of each chunk, in order."""
        from summarizer.engine.chunking import split_article

        if self.fits(article, article_budget):
            return [(0, len(article))]
        return [(chunk.start, chunk.end) for chunk in split_article(article, article_budget, self.article_tokens)]

    def fits(self, article: str, article_budget: int) -> bool:
        """Whether ``article`` takes at most ``article_budget`` tokens. Counted in pieces first, so
        that a far longer article is never encoded whole: a 5 MB article's encoding took 1 GB."""
        from summarizer.core.text import cut_long

        total = 0
        for start, end in cut_long(article, 0, len(article), COUNT_PIECE_CHARACTERS):
            total += self.article_tokens(article[start:end])
            if total > 2 * article_budget:  # pieces miscount by a token or two at each cut, no more
                return False
        return self.article_tokens(article) <= article_budget


# generate(text, options, new_tokens): one document for one text, at most ``new_tokens`` long.
Generator = Callable[[str, ExtractOptions, int], Extraction]


def extract_document(
    article: str, options: ExtractOptions, budget: Budget, generate: Generator, task: Task | None = None
) -> Extraction:
    """The whole-document strategy: one generation per chunk, the chunks' documents merged as
    ``task`` (default claims) merges them."""
    article_budget, new_tokens = budget.split(options.max_new_tokens)
    texts = budget.chunks(article, article_budget)
    if len(texts) == 1:
        extraction = generate(article, options, new_tokens)
        extraction.stats["chunks"] = 1
        return extraction
    return extract_chunks(texts, lambda text: generate(text, options, new_tokens), task)


def extract_chunks(texts: Sequence[str], generate: Callable[[str], Extraction], task: Task | None = None) -> Extraction:
    """Each chunk in turn; the first that is not "ok" ends the article (no document), so no more
    tokens are spent on it. Otherwise the chunk documents are merged (overlap duplicates dropped)."""
    from summarizer.engine.chunking import merge_documents

    parts: list[Extraction] = []
    for text in texts:
        parts.append(generate(text))
        if parts[-1].status != "ok":
            break
    stats = {**sum_stats([p.stats for p in parts]), "chunks": len(texts)}
    raw = "\n".join(p.raw for p in parts)
    if parts[-1].status != "ok":
        return Extraction(raw, None, parts[-1].status, f"chunk {len(parts)} of {len(texts)}: {parts[-1].reason}", stats)
    return Extraction(
        raw, merge_documents([p.document for p in parts if p.document is not None], task), "ok", None, stats
    )


def cut_off_limit(new_tokens: int, max_new_tokens: int) -> str:
    """What cut a generation off, in the words a user can act on."""
    if new_tokens == max_new_tokens:
        return f"--max-new-tokens {new_tokens}"
    return f"{new_tokens} new tokens (all the model's context left)"


def truncated_document(text: str, reason: str, stats: dict[str, Any], task: Task | None = None) -> Extraction:
    """A cut-off document keeps what the task's kit can salvage of it (claims: its summary and complete
    claims), still ``truncated``; a task whose kit has no salvage keeps nothing."""
    from summarizer.core.validation import schema_problems

    task = load_task(task)
    salvage = kit_for(task).hook("salvage")
    document = salvage(text) if salvage is not None else None
    if document is not None and schema_problems(document, task):
        document = None  # a custom schema the salvaged part does not satisfy
    kept = ""
    if document is not None:
        kept = f"; kept its {len(task.item_list(document))} complete {task.items or 'items'}"
    return Extraction(text, document, "truncated", reason + kept, stats)


def parse_document(
    text: str,
    stats: dict[str, Any],
    raw: str | None = None,
    *,
    task: Task | None = None,
    schema: dict[str, Any] | None = None,
) -> Extraction:
    """The grammar makes the text a valid document; check anyway (against ``schema``, by default the
    task's; task default claims), so a bug never yields a broken one. ``raw`` is what to record as
    the model's output when it is not ``text`` itself."""
    from summarizer.core.task import schema_node
    from summarizer.core.validation import schema_problems_for
    from summarizer.engine.summary_grammar import clip_text

    task = load_task(task)
    schema = schema or task.schema
    raw = text if raw is None else raw
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return Extraction(raw, None, "invalid", f"output is not JSON: {error.msg} at character {error.pos}", stats)
    for path in task.paths("numbers"):  # the grounded grammar cannot count characters in free text
        limit = (schema_node(schema, path) or {}).get("maxLength")
        for parent in (p for _, p in iter_values(document, path[:-1]) if isinstance(p, dict)):
            if isinstance(parent.get(path[-1]), str):
                parent[path[-1]] = clip_text(parent[path[-1]], limit)
    problems = schema_problems_for(document, schema)
    if problems:
        return Extraction(raw, None, "invalid", f"{problems[0].path}: {problems[0].message}", stats)
    return Extraction(raw, document, "ok", None, stats)


def drop_repeats(extraction: Extraction, task: Task | None = None) -> Extraction:
    """``extraction`` without items that repeat an earlier one (a model that loops may repeat an item
    within its budget): equal on the kit's repeat fields (claims: evidence and count), else the merge key."""
    task = load_task(task)
    if extraction.document is not None and task.items:
        fields = kit_for(task).repeat_fields or task.merge_key
        extraction.document[task.items] = without_repeats(extraction.document[task.items], fields)
    return extraction


def sum_stats(all_stats: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The numeric stats of several generations, added up (non-numbers and flags dropped)."""
    total: dict[str, Any] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total
