"""Prompts of item-by-item extraction, for any task: the task's instructions and worked examples as
chat turns, the article, then one request.

The chat (:func:`item_chat`, a :class:`~summarizer.engine.request_chat.RequestChat`) is the task's
system turn with a paragraph on how items are asked for (:data:`PARTS`), each worked example's
article answered item by item in real turns (small models follow turns far better than examples
inside the instructions), the article, and one request:

* in turn (``PARTS.next``): the items written so far, then "the next one, or null";
* about a candidate (``PARTS.candidate``): a passage the task's finder marks in the article;
* the rest of the document (``PARTS.rest``): the fields other than the items array, written once.

An answer is written as the grammar writes it: compact JSON, keys in schema order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from summarizer.core.candidates import Candidate, Finder
from summarizer.core.task import Task
from summarizer.engine.request_chat import RequestChat

WRITTEN_CHARS = 3000  # the items so far shown in a request, at most (the grammar still forbids all repeats)
REQUEST_TOKENS = 1024  # a request's room in the budget: the items so far make it long
_CONTEXT_CHARS = 160  # characters of a candidate's surroundings kept either side of it


@dataclass(frozen=True)
class ItemPromptParts:
    """How items are asked for, whatever the task (the task brings its instructions and examples).
    Part of the code, so of every generating backend's engine hash (the run store's key)."""

    in_turn: str  # after the instructions: how items are asked for one after another ({items})
    candidates: str  # after the instructions: how candidates are asked about ({items})
    ready: str  # the assistant's answer to the article turn
    next: str  # a request in turn ({items}, {written})
    candidate: str  # a request about a candidate ({candidate}, {context})
    rest: str  # the request of the document's other fields ({items}, {written}, {fields})


PARTS = ItemPromptParts(
    in_turn=(
        "Here the {items} are written one at a time, in the order the article gives them. Each request "
        "shows the ones written so far and asks for the next: answer with that one item alone, as one "
        "JSON object in the format above (not the whole document), or with null when the article has no "
        "other. Never write an item that is already written."
    ),
    candidates=(
        "Here each request points at one passage of the article, marked [like this]: answer with the "
        "item of the {items} that holds this passage, as one JSON object in the format above (not the "
        "whole document), or with null when the passage is none."
    ),
    ready="I have read the article. Ask for one item at a time.",
    next="The {items} written so far:\n{written}\n\nWrite the next one, or null if the article has no other.",
    candidate=(
        "The passage: {candidate}\nWhere it stands: {context}\n\n"
        "Write the item that holds this passage, or null if it is none."
    ),
    rest="The {items} written:\n{written}\n\nNow write the rest of the document as one JSON object: {fields}.",
)


def item_chat(task: Task, finder: Finder | None = None, field: str | None = None) -> RequestChat:
    """The chat of ``task``'s item requests: in turn, or about the candidates ``finder`` finds
    (each filling ``field``)."""
    name = f"items:{task.hash}:{'candidates' if finder else 'in-turn'}"
    return RequestChat(name, partial(item_messages, task, finder, field), request_tokens=REQUEST_TOKENS)


def item_messages(
    task: Task, finder: Finder | None, field: str | None, article: str, request: str
) -> list[dict[str, str]]:
    """The whole chat of one request: instructions, the worked examples, the article, the request."""
    how = (PARTS.candidates if finder else PARTS.in_turn).replace("{items}", str(task.items))
    turns = [{"role": "system", "content": f"{task.instructions}\n\n{how}"}]
    for example in task.examples:
        turns += _article_turns(task, example.article)
        turns += _example_turns(task, example.article, example.document, finder, field)
    return [*turns, *_article_turns(task, article), {"role": "user", "content": request}]


def _article_turns(task: Task, article: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "content": task.user_template.replace("{article}", article)},
        {"role": "assistant", "content": PARTS.ready},
    ]


def _example_turns(
    task: Task, article: str, document: dict[str, Any], finder: Finder | None, field: str | None
) -> list[dict[str, str]]:
    """A worked example answered as the requests ask: each item in turn and then null, or each
    candidate's item (null for a candidate that is none); then the rest of the document."""
    items = [in_schema_order(task, item) for item in task.item_list(document)]
    asked: list[tuple[str, Any]]
    if finder is not None and field is not None:
        by_value = {item.get(field): item for item in items}
        asked = [(candidate_request(article, c), by_value.get(c.text)) for c in finder(article)]
    else:
        asked = [(next_request(task, items[:i]), item) for i, item in enumerate(items)]
        asked.append((next_request(task, items), None))
    rest = rest_of(task, document)
    if rest:
        asked.append((rest_request(task, items), rest))
    turns = []
    for request, answer in asked:
        turns += [{"role": "user", "content": request}, {"role": "assistant", "content": compact(answer)}]
    return turns


def compact(value: Any) -> str:
    """A value as the grammar writes it: compact JSON (null for no item)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def in_schema_order(task: Task, item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its keys in the order of the item schema (the order the grammar writes)."""
    from summarizer.engine.item_grammar import item_node

    order = list(item_node(task).get("properties", {}))
    return {key: item[key] for key in sorted(item, key=lambda k: order.index(k) if k in order else len(order))}


def rest_of(task: Task, document: dict[str, Any]) -> dict[str, Any]:
    """The document's fields other than the items array, in schema order."""
    return {name: document[name] for name in task.schema["properties"] if name != task.items and name in document}


def next_request(task: Task, written: Sequence[dict[str, Any]]) -> str:
    return PARTS.next.replace("{items}", str(task.items)).replace("{written}", _written(written))


def candidate_request(article: str, candidate: Candidate) -> str:
    """The request about one candidate: its text, and its surroundings with it marked [like this]."""
    start = max(0, article.rfind(" ", 0, max(0, candidate.start - _CONTEXT_CHARS)) + 1)
    cut = article.find(" ", min(len(article), candidate.end + _CONTEXT_CHARS))
    end = len(article) if cut < 0 else cut
    marked = article[start : candidate.start] + "[" + candidate.text + "]" + article[candidate.end : end]
    return PARTS.candidate.replace("{candidate}", candidate.text).replace("{context}", " ".join(marked.split()))


def rest_request(task: Task, written: Sequence[dict[str, Any]]) -> str:
    fields = ", ".join(name for name in task.schema["properties"] if name != task.items)
    text = PARTS.rest.replace("{items}", str(task.items)).replace("{fields}", fields)
    return text.replace("{written}", _written(written))


def _written(items: Sequence[dict[str, Any]]) -> str:
    """The items written so far, one a line, the latest ones when they are many."""
    lines: list[str] = []
    size = 0
    for item in reversed(items):
        line = compact(item)
        if lines and size + len(line) > WRITTEN_CHARS:
            lines.append(f"(and {len(items) - len(lines)} before them)")
            break
        lines.append(line)
        size += len(line)
    return "\n".join(reversed(lines)) or "(none yet)"
