"""The item strategy (``--strategy items``) on any model adapter, for any task with an array of records.

The work is :func:`summarizer.engine.items.write_items` (one generation an item, the items so far in
the request, or the task's candidates asked about in a batch; the rest of the document once); the
model call is the backend's (:mod:`summarizer.backends.adapter`). The candidates are the task kit's
(its ``candidates`` hook) or the finder its task.toml names. An article too long for the context is
split into chunks whose documents are merged as the task merges them.
"""

from __future__ import annotations

from typing import Any

from summarizer.backends.adapter import AnswerFormat, Batch, Context, CutOff, Part, extract_in_chunks, require_adapter
from summarizer.core.errors import TaskError
from summarizer.core.kit import ITEMS, kit_for
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import Task


def item_strategy(backend: Any) -> ItemStrategy:
    """The item strategy built for ``backend``; ModelError for a backend that is no model adapter."""
    return ItemStrategy(require_adapter(backend, ITEMS))


class ItemStrategy:
    """Items written through one adapter; shared by the articles in flight on it."""

    def __init__(self, adapter: Any):
        from summarizer.engine.item_prompting import item_chat
        from summarizer.engine.items import item_plan

        self.adapter = adapter
        finder, field = candidates_of(adapter.task)
        self.plan = item_plan(adapter.task, finder, field)
        self.chat = item_chat(adapter.task, finder, field)

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        return extract_in_chunks(self.adapter, self.chat, article, options, self._write)

    def _write(self, context: Context) -> Part:
        from summarizer.engine.items import write_items

        formats = answer_formats(self.adapter.task, context.article)

        def generate(
            kind: str, requests: list[str], grammars: list[str], limit: int, totals: dict[str, float]
        ) -> list[tuple[str, bool]]:
            return self.adapter.generate(context, Batch(formats[kind], requests, grammars, limit), totals)

        run = write_items(context.article, generate, self.plan, context.options.grounded)
        if run.document is None:  # the rest of the document was cut off: no document to keep
            raise CutOff(run.cut_off or "cut off", run.raw, run.stats)
        return Part(run.document, run.raw, run.stats)


def candidates_of(task: Task) -> tuple[Any, str | None]:
    """(finder, field) of the task's candidates: its kit's, else its task.toml finder's; (None, None)."""
    from summarizer.core.candidates import FINDERS

    kit = kit_for(task)
    finder = kit.hook("candidates")
    if finder is not None:
        if kit.candidate_field is None:
            raise TaskError(f"the task kit {kit.name!r} has candidates but no candidate_field")
        return finder, kit.candidate_field
    if task.candidates is not None:
        return FINDERS[task.candidates], task.candidate_field
    return None, None


def answer_formats(task: Task, article: str) -> dict[str, AnswerFormat]:
    """What an item request and the request of the rest answer (JSON Schema, and the checks of what the
    grammar guarantees), for a server that may not keep to the grammar."""
    from summarizer.engine.item_grammar import item_node, rest_schema

    item = {**item_node(task), **({"$defs": task.schema["$defs"]} if "$defs" in task.schema else {})}
    prefix = (task.items, "*")
    item_paths = [(path[2:], kind) for path, kind in task.grounded if path[:2] == prefix]
    rest_paths = [(path, kind) for path, kind in task.grounded if path[:1] != (task.items,)]
    return {
        "item": AnswerFormat(
            "item",
            {"anyOf": [_plain(item), {"type": "null"}]},
            lambda value: ([], []) if value is None else _problems(value, item, article, item_paths),
        ),
        "rest": AnswerFormat(
            "rest", _plain(rest_schema(task)), lambda value: _problems(value, rest_schema(task), article, rest_paths)
        ),
    }


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    from summarizer.core.task import plain_schema

    plain: dict[str, Any] = plain_schema(schema)
    return plain


def _problems(value: Any, schema: dict[str, Any], article: str, paths: list[Any]) -> tuple[list[str], list[str]]:
    from summarizer.core.document_checks import grounded_problems, schema_problems_for

    shape = [str(problem) for problem in schema_problems_for(value, schema)]
    if shape:
        return shape, []
    return [], [str(problem) for problem in grounded_problems(value, article, paths)]
