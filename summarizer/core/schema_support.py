"""What the grounded grammar can build from a task's schema, checked when the task loads.

The grammar builder (:mod:`summarizer.engine.grammar`) turns the part of the schema that holds
``x-grounded`` fields into Lark rules of its own and hands the rest to llguidance as JSON Schema.
A keyword its rules do not compile would be dropped silently (every document then ``invalid``)
or fail per article after the model has loaded. :func:`check_grammar_support` refuses each such
schema in one line naming the place, before any model loads:

* a ``$ref`` that leads back to itself (a recursive schema has no finite grammar);
* a bound no value can meet (``minLength`` above ``maxLength``, ...) and an ``enum`` too long to
  compile quickly;
* on a grounded field, any keyword but its type, bounds the grammar keeps, and annotations;
* on a value holding grounded fields (and the document itself): an optional property (every one
  must be required: make it nullable instead), an ``anyOf``/``oneOf`` branch that is not an
  object, and any keyword the rules do not build (``allOf``, ``patternProperties``, ...).
"""

from __future__ import annotations

from typing import Any

from summarizer.core.errors import TaskError
from summarizer.core.schema_paths import GROUNDED, json_types

ANNOTATIONS = frozenset(
    {"description", "title", "$comment", "examples", "default", "$schema", "$id", "$defs", "deprecated"}
)
# Per grounding kind, the keywords the grammar compiles (summary_grammar keeps maxLength by cutting).
GROUNDED_KEYWORDS = {
    "span": frozenset({"minLength", "maxLength"}),
    "number": frozenset({"minimum", "maximum"}),
    "numbers": frozenset({"minLength", "maxLength"}),
    "side": frozenset({"minLength", "maxLength"}),
}
# What the grammar's own rules build for an object or array that holds grounded fields.
HOLDER_KEYWORDS = frozenset(
    {"type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems", "anyOf", "oneOf"}
)
BOUNDS = (
    ("minLength", "maxLength"),
    ("minItems", "maxItems"),
    ("minimum", "maximum"),
    ("minProperties", "maxProperties"),
)
MAX_ENUM = 1000  # values in one enum (a longer one takes minutes to compile, per article)
_BRANCHES = ("anyOf", "oneOf", "allOf")


def check_grammar_support(schema: dict[str, Any]) -> None:
    """TaskError (``$.path: problem``) for the first part of ``schema`` the grounded grammar cannot build."""
    _Walker(schema).walk(schema, "$", (), holder=True)


class _Walker:
    def __init__(self, schema: dict[str, Any]):
        self.schema = schema

    def target(self, ref: Any, where: str) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise TaskError(f"{where}: only local $ref (#/...) is supported, got {ref!r}")
        node: Any = self.schema
        for part in ref[2:].split("/"):
            if not isinstance(node, dict) or part not in node:
                raise TaskError(f"{where}: $ref {ref!r} points nowhere")
            node = node[part]
        if not isinstance(node, dict):
            raise TaskError(f"{where}: $ref {ref!r} is not a schema")
        return node

    def resolve(
        self, node: dict[str, Any], where: str, refs: tuple[str, ...]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """``node`` with its $ref chain followed; TaskError for a ref already being expanded."""
        while "$ref" in node:
            ref = node["$ref"]
            if ref in refs:
                raise TaskError(
                    f"{where}: $ref {ref!r} leads back to itself (a recursive schema); the grammar needs a finite one"
                )
            node, refs = {**self.target(ref, where), **{k: v for k, v in node.items() if k != "$ref"}}, (*refs, ref)
        return node, refs

    def holds_grounded(self, node: Any, refs: tuple[str, ...]) -> bool:
        if not isinstance(node, dict):
            return False
        try:
            node, refs = self.resolve(node, "$", refs)
        except TaskError:
            return False  # the walk reports it where it is
        children = [*(node.get("properties") or {}).values(), *node.get("anyOf", []), *node.get("oneOf", [])]
        children += [*node.get("allOf", []), node.get("items")]
        return GROUNDED in node or any(self.holds_grounded(child, refs) for child in children)

    def walk(self, node: Any, where: str, refs: tuple[str, ...], holder: bool = False) -> None:
        if not isinstance(node, dict):
            return
        node, refs = self.resolve(node, where, refs)
        _check_bounds(node, where)
        kind = node.get(GROUNDED)
        if kind in GROUNDED_KEYWORDS:
            extra = set(node) - ANNOTATIONS - {"type", GROUNDED} - GROUNDED_KEYWORDS[kind]
            if extra:
                kept = ", ".join(sorted(GROUNDED_KEYWORDS[kind]))
                raise TaskError(
                    f"{where}: {sorted(extra)[0]} on a grounded {kind} is not supported "
                    f"(the grounded grammar keeps type and {kept} only)"
                )
            if kind == "span" and isinstance(node.get("maxLength"), int) and node["maxLength"] < 1:
                raise TaskError(
                    f"{where}: maxLength {node['maxLength']} on a grounded span; a span holds a character at least"
                )
            return
        if holder or self.holds_grounded(node, refs):
            self.check_holder(node, where, refs)
        for key, sub in (node.get("properties") or {}).items():
            self.walk(sub, f"{where}.{key}", refs)
        if isinstance(node.get("items"), dict):
            self.walk(node["items"], f"{where}[*]", refs)
        for branch in (b for key in _BRANCHES for b in node.get(key, []) if isinstance(b, dict)):
            self.walk(branch, where, refs)
        for key in ("additionalProperties", "not", "contains"):
            if isinstance(node.get(key), dict):
                self.walk(node[key], where, refs)

    def check_holder(self, node: dict[str, Any], where: str, refs: tuple[str, ...]) -> None:
        """An object, array or choice the grammar's own rules build (it holds grounded fields)."""
        extra = set(node) - ANNOTATIONS - HOLDER_KEYWORDS
        if extra:
            raise TaskError(
                f"{where}: {sorted(extra)[0]} on a value holding grounded fields is not supported "
                "(the grounded grammar cannot enforce it)"
            )
        optional = [key for key in node.get("properties") or {} if key not in node.get("required", [])]
        if optional:
            raise TaskError(
                f"{where}: property {optional[0]!r} is optional; the grounded grammar needs every property of an "
                'object holding grounded fields required (make it nullable instead: "type": [..., "null"])'
            )
        for key in ("anyOf", "oneOf"):
            for branch in node.get(key, []):
                resolved, _ = self.resolve(branch, where, refs) if isinstance(branch, dict) else ({}, refs)
                if json_types(resolved) != {"object"}:
                    raise TaskError(
                        f"{where}: every {key} branch of a value holding grounded fields must be an object "
                        '(for a value that may be missing, use "type": [..., "null"])'
                    )


def _check_bounds(node: dict[str, Any], where: str) -> None:
    for low, high in BOUNDS:
        lo, hi = node.get(low), node.get(high)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            raise TaskError(f"{where}: {low} {lo:g} is greater than {high} {hi:g}; no value fits")
    enum = node.get("enum")
    if isinstance(enum, list) and len(enum) > MAX_ENUM:
        raise TaskError(f"{where}: an enum of {len(enum)} values; at most {MAX_ENUM} are supported")
