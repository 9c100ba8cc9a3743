"""Item-by-item extraction for any task: each generation writes one item of the task's array.

The document strategy writes a whole document in one generation, which a small model may loop in
until the budget runs out, losing the article. Here (``--strategy items``) the work is cut the way
figure-guided extraction cuts the claims task's, for any task with an array of records:

1. **Items in turn.** Each request shows the items written so far and asks for the next; the
   grammar (:mod:`summarizer.engine.item_grammar`) allows one item, grounded in the article as the
   document grammar grounds it, or ``null`` for "no more items", and forbids an item equal to a
   written one on the task's ``merge_key``. The loop ends at ``null`` or at the task's bound on items.
2. **Or items about candidates.** A task whose finder marks spans that may each be an item
   (:mod:`summarizer.core.candidates`: quotations) has each candidate asked about on its own, all of
   an article's in one batch, the field it fills fixed to its text: the model writes the rest of the
   item, or ``null``.
3. **The rest of the document**, the fields other than the array (a summary), is written once, last,
   with the items in the request.

No generation can run away: each is bounded by the tokens an item of the schema can take. A cut-off
item is lost (in turn, the loop ends there: asked again, the model would write it again), never the
document. Only the generation of the rest, cut off, leaves no document (status "truncated").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from summarizer.core.candidates import Candidate, Finder
from summarizer.core.schema_paths import json_types, resolve
from summarizer.core.task import Task
from summarizer.core.task_settings import DEFAULT_MAX_ITEMS

# (kind, requests, grammars, limit, totals) -> (text, stopped) per request: the model call, as in
# figure-guided extraction. Kinds: "item" and "rest".
Generate = Callable[[str, list[str], list[str], int, dict[str, float]], list[tuple[str, bool]]]
MIN_TOKENS, MAX_TOKENS = 48, 1024  # the bounds of one item's (or the rest's) token budget
_STRING_CHARS = 200  # the characters a string with no maxLength is given, for the budget


@dataclass(frozen=True)
class ItemPlan:
    """How ``task``'s documents are written item by item."""

    task: Task
    finder: Finder | None  # candidates an article's items may hold, asked about in a batch
    field: str | None  # the item field a candidate's text fills
    max_items: int
    min_items: int
    item_tokens: int  # the budget of one item's generation
    rest_tokens: int  # the budget of the rest's (0: the document has nothing but the array)


def item_plan(task: Task, finder: Finder | None = None, field: str | None = None) -> ItemPlan:
    """The plan of ``task`` (which has an array of records): its bounds from the schema and task.toml."""
    from summarizer.engine.item_grammar import item_node, rest_schema

    array = resolve(task.schema, task.schema["properties"][task.items], "$")
    bound = min(task.max_items or DEFAULT_MAX_ITEMS, array.get("maxItems", DEFAULT_MAX_ITEMS))
    rest = rest_schema(task)
    return ItemPlan(
        task=task,
        finder=finder,
        field=field,
        max_items=bound,
        min_items=array.get("minItems", 0),
        item_tokens=token_budget(item_node(task), task.schema),
        rest_tokens=token_budget(rest, task.schema) if rest["properties"] else 0,
    )


def token_budget(node: dict[str, Any], schema: dict[str, Any]) -> int:
    """A generous bound on the tokens a value of ``node`` takes as compact JSON (a token is about three
    characters of text; every key, bracket and number a few tokens)."""
    return max(MIN_TOKENS, min(MAX_TOKENS, _chars(node, schema, 0) // 3 + 16))


def _chars(node: Any, schema: dict[str, Any], depth: int) -> int:
    if not isinstance(node, dict) or depth > 16:
        return 24
    node = resolve(schema, node, "$")
    branches = node.get("anyOf") or node.get("oneOf")
    if branches:
        return max(_chars(branch, schema, depth + 1) for branch in branches)
    if "object" in json_types(node):
        return sum(len(key) + 12 + _chars(sub, schema, depth + 1) for key, sub in node.get("properties", {}).items())
    if "array" in json_types(node):
        return int(node.get("maxItems", 4)) * (_chars(node.get("items"), schema, depth + 1) + 2)
    if "string" in json_types(node):
        return int(node.get("maxLength", _STRING_CHARS)) + 2
    return 24


@dataclass
class ItemRun:
    """What one article's item-by-item extraction produced."""

    document: dict[str, Any] | None  # None: the rest of the document was cut off
    answers: list[str | None] = field(default_factory=list)  # per generation: its text (None: cut off)
    stats: dict[str, Any] = field(default_factory=dict)
    cut_off: str | None = None  # why there is no document

    @property
    def raw(self) -> str:
        return json.dumps({"answers": self.answers, "document": self.document}, ensure_ascii=False)


def write_items(article: str, generate: Generate, plan: ItemPlan, grounded: bool = True) -> ItemRun:
    """Item-by-item extraction of ``article`` with ``generate`` as the model."""
    run = ItemRun(None)
    totals: dict[str, float] = {}
    if plan.finder is not None:
        items = _ask_candidates(article, generate, plan, grounded, run, totals)
    else:
        items = _ask_in_turn(article, generate, plan, grounded, run, totals)
    cut_off = run.answers.count(None)
    rest = _write_rest(article, items, generate, plan, grounded, run, totals) if plan.rest_tokens else {}
    if rest is not None:
        names = plan.task.schema["properties"]
        run.document = {name: items if name == plan.task.items else rest[name] for name in names}
    run.stats = {
        **{k: int(v) if float(v).is_integer() else v for k, v in totals.items()},
        "items": len(items),
        "items_cut_off": cut_off,
    }
    return run


def _ask_in_turn(
    article: str, generate: Generate, plan: ItemPlan, grounded: bool, run: ItemRun, totals: dict[str, float]
) -> list[dict[str, Any]]:
    """Items one generation each, the ones written so far in the request, until null or the bound."""
    from summarizer.engine.item_grammar import item_grammar
    from summarizer.engine.item_prompting import next_request

    items: list[dict[str, Any]] = []
    while len(items) < plan.max_items:
        grammar = item_grammar(plan.task, article, grounded, items, may_end=len(items) >= plan.min_items)
        [(text, stopped)] = generate("item", [next_request(plan.task, items)], [grammar], plan.item_tokens, totals)
        run.answers.append(text if stopped else None)
        value = json.loads(text) if stopped else None
        if value is None or repeats(value, items, plan.task):
            break  # no more items; cut off (asked again, the model would write it again); or a repeat
        items.append(value)
    return items


def _ask_candidates(
    article: str, generate: Generate, plan: ItemPlan, grounded: bool, run: ItemRun, totals: dict[str, float]
) -> list[dict[str, Any]]:
    """Each candidate asked about on its own, all in one batch, its field fixed to its text."""
    from summarizer.engine.item_grammar import item_grammar, item_node
    from summarizer.engine.item_prompting import candidate_request

    assert plan.finder is not None and plan.field is not None
    fits = _fits(item_node(plan.task), plan.field)
    candidates: list[Candidate] = [c for c in plan.finder(article) if fits(c.text)][: plan.max_items]
    requests = [candidate_request(article, c) for c in candidates]
    grammars = [item_grammar(plan.task, article, grounded, fixed=(plan.field, c.text)) for c in candidates]
    outputs = generate("item", requests, grammars, plan.item_tokens, totals) if candidates else []
    totals["candidates"] = len(candidates)
    items: list[dict[str, Any]] = []
    for text, stopped in outputs:
        run.answers.append(text if stopped else None)
        value = json.loads(text) if stopped else None
        if value is not None and not repeats(value, items, plan.task):
            items.append(value)
    return items


def _fits(node: dict[str, Any], name: str) -> Callable[[str], bool]:
    """Whether a candidate's text is a value the field allows (its length bounds)."""
    sub = node.get("properties", {}).get(name, {})
    lo, hi = sub.get("minLength", 0), sub.get("maxLength", 10**9)
    return lambda text: lo <= len(text) <= hi


def _write_rest(
    article: str,
    items: list[dict[str, Any]],
    generate: Generate,
    plan: ItemPlan,
    grounded: bool,
    run: ItemRun,
    totals: dict[str, float],
) -> dict[str, Any] | None:
    """The document's other fields, in one generation; None (and the reason) when it is cut off."""
    from summarizer.engine.item_grammar import rest_grammar
    from summarizer.engine.item_prompting import rest_request

    grammar = rest_grammar(plan.task, article, grounded)
    [(text, stopped)] = generate("rest", [rest_request(plan.task, items)], [grammar], plan.rest_tokens, totals)
    run.answers.append(text if stopped else None)
    if not stopped:
        run.cut_off = f"the document's other fields were cut off at {plan.rest_tokens} tokens (or --max-new-tokens)"
        return None
    value: dict[str, Any] = json.loads(text)
    return value


def repeats(item: dict[str, Any], items: list[dict[str, Any]], task: Task) -> bool:
    """Whether ``item`` is one of ``items`` again, as chunk merging has it: equal on the merge key, a
    span field within or around the other's (the grammar forbids only the equal ones: lexemes that
    also forbid every span within or around a written one cost llguidance more than it allows)."""
    from summarizer.engine.chunking import same_item, span_fields

    spans = span_fields(task)
    return any(same_item(item, other, task.merge_key, spans) for other in items)
