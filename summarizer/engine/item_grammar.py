"""Grammars of item-by-item extraction: one item of a task's array, or ``null`` for "no more items".

An answer is one item of the task's ``items`` array (:mod:`summarizer.core.task`), written as the
document grammar writes it (:mod:`summarizer.engine.grammar`: compact JSON, keys in schema order,
grounded fields grounded in the article), or ``null``. What the item strategy adds:

* **no repeats**: an item equal to one already written on the task's ``merge_key`` cannot be
  written. One key field is excluded directly (a span is any article span but the ones written,
  through the lexeme's negation; a grounded number or an enum any value but theirs); several are
  excluded as alternatives (the first field any new value, or the first field one written value and
  the rest excluded among the items that hold it);
* **a candidate's field fixed**: where the task brings candidates (quotation spans), the field a
  candidate fills is that candidate's text, the rest is the model's.

A key field no grammar can exclude (free text, an object, a dotted name) leaves the repeat to the
loop (:mod:`summarizer.engine.items`), which stops at an item that repeats one (:func:`excludes_repeats`
says which case holds); so does a span within or around a written one, which chunk merging also
counts as the same item: lexemes that forbid those too cost llguidance more than its limits allow.
The grammars are Lark text, as the claims task's label grammars: what a server with llguidance takes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from summarizer.core.task import GROUNDED, Task
from summarizer.engine.grammar import _GroundedBuilder, _json_leaf, _lark_string, _NoGroundedNumber, _types

NULL = "null"


@dataclass(frozen=True)
class Exactly:
    """A field's value is this one."""

    value: Any


@dataclass(frozen=True)
class NoneOf:
    """A field's value is any but these."""

    values: tuple[Any, ...]


Constraint = Exactly | NoneOf


def item_node(task: Task) -> dict[str, Any]:
    """The schema of one item of ``task``'s array (local ``$ref``s resolved)."""
    builder = _GroundedBuilder(task.schema, "")
    array = builder.resolve(task.schema["properties"][task.items])
    return builder.resolve(array["items"])


def excludes_repeats(task: Task, grounded: bool) -> bool:
    """Whether the item grammar can forbid an item equal to a written one on every merge-key field."""
    node = item_node(task)
    return all(_excludable(node, name, grounded, task.schema) for name in task.merge_key)


def item_grammar(
    task: Task,
    article: str,
    grounded: bool = True,
    written: Sequence[dict[str, Any]] = (),
    fixed: tuple[str, Any] | None = None,
    may_end: bool = True,
) -> str:
    """Lark text of one item of ``task`` (or ``null`` when ``may_end``). ``written``: the items so far,
    none of which the answer may repeat on the merge key (where the grammar can say so); ``fixed``:
    (field, value) a candidate fixes."""
    builder = _ItemBuilder(task.schema, article, grounded)
    keys = task.merge_key if written and excludes_repeats(task, grounded) else ()
    rows = [tuple(item.get(name) for name in keys) for item in written]
    base: dict[str, Constraint] = {fixed[0]: Exactly(fixed[1])} if fixed else {}
    bodies = [builder.item_body(item_node(task), constraints) for constraints in _alternatives(base, keys, rows)]
    choices = [f"({body})" for body in bodies if body is not None]
    if may_end or not choices:
        choices.append(_lark_string(NULL))
    return builder.lark_of(" | ".join(choices))


def rest_grammar(task: Task, article: str, grounded: bool = True) -> str:
    """Lark text of the document's other properties (all but the items array) as one JSON object."""
    schema = rest_schema(task)
    if grounded:
        return _GroundedBuilder(schema, article).lark()
    return f"%llguidance {{}}\nstart: {_json_leaf(schema, schema)}\n"


def rest_schema(task: Task) -> dict[str, Any]:
    """The schema of the document without its items array: the fields generated once."""
    schema = task.schema
    names = [name for name in schema["properties"] if name != task.items]
    rest: dict[str, Any] = {
        "type": "object",
        "properties": {name: schema["properties"][name] for name in names},
        "required": names,
        "additionalProperties": False,
    }
    if "$defs" in schema:
        rest["$defs"] = schema["$defs"]
    return rest


def _alternatives(
    base: dict[str, Constraint], keys: Sequence[str], rows: list[tuple[Any, ...]]
) -> list[dict[str, Constraint]]:
    """The constraints of each alternative item body that together allow every key tuple but ``rows``."""
    if not keys or not rows:
        return [base]
    first = list(dict.fromkeys(_hashable(row[0]) for row in rows))
    values = [json.loads(value) for value in first]
    found = [{**base, keys[0]: NoneOf(tuple(values))}]
    if len(keys) == 1:
        return found
    for text, value in zip(first, values, strict=True):
        rest = [row[1:] for row in rows if _hashable(row[0]) == text]
        found += _alternatives({**base, keys[0]: Exactly(value)}, keys[1:], rest)
    return found


def _hashable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _excludable(node: dict[str, Any], name: str, grounded: bool, schema: dict[str, Any]) -> bool:
    sub = (node.get("properties") or {}).get(name)
    if sub is None:  # a dotted name reaching inside a field
        return False
    sub = _GroundedBuilder(schema, "").resolve(sub)
    return "enum" in sub or "const" in sub or (grounded and sub.get(GROUNDED) in ("span", "number"))


def _literal(value: Any) -> str:
    """A Lark literal of ``value`` as the grammar writes it (compact JSON)."""
    return _lark_string(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class _ItemBuilder(_GroundedBuilder):
    """The document grammar's builder, writing one item with some of its fields constrained."""

    def __init__(self, schema: dict[str, Any], article: str, grounded: bool):
        super().__init__(schema, article)
        self.grounded = grounded

    def lark_of(self, start: str) -> str:
        return "\n".join(["%llguidance {}", f"start: {start}", *self.rules]) + "\n"

    def item_body(self, node: dict[str, Any], constraints: dict[str, Constraint]) -> str | None:
        """``{"k1":v1,...}`` with keys in schema order; None when a constraint leaves a field no value."""
        parts = []
        for i, (key, sub) in enumerate(node.get("properties", {}).items()):
            parts.append(_lark_string(("{" if i == 0 else ",") + json.dumps(key, ensure_ascii=False) + ":"))
            value = self._field(key, self.resolve(sub), constraints.get(key))
            if value is None:
                return None
            parts.append(value)
        parts.append(_lark_string("}" if parts else "{}"))
        return " ".join(parts)

    def _field(self, key: str, sub: dict[str, Any], constraint: Constraint | None) -> str | None:
        if isinstance(constraint, Exactly):
            return _literal(constraint.value)
        if isinstance(constraint, NoneOf):
            return self._none_of(key, sub, constraint.values)
        if not self.grounded:
            return self.rule("leaf", _json_leaf(sub, self.schema))
        try:
            return self._value(key, sub)
        except _NoGroundedNumber:
            return None  # the article states no number this field could take: no item can be written

    def _none_of(self, key: str, sub: dict[str, Any], values: tuple[Any, ...]) -> str | None:
        """Any value ``sub`` allows but ``values`` (:func:`_excludable` fields only)."""
        if "enum" in sub or "const" in sub:
            allowed = sub["enum"] if "enum" in sub else [sub["const"]]
            options = [_literal(v) for v in allowed if v not in values]
        else:
            options = [_lark_string(NULL)] if "null" in _types(sub) and None not in values else []
            written = [v for v in values if v is not None]
            if sub[GROUNDED] == "span":
                options.append(self._span(sub, [v for v in written if isinstance(v, str)]))
            else:
                taken = {json.dumps(v) for v in written}
                options += [_lark_string(n) for n in self.number_literals(sub) if n not in taken]
        return self.rule(key, " | ".join(options)) if options else None
