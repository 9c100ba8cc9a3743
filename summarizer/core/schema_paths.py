"""Reading a task's JSON Schema: the ``x-grounded`` declarations, local ``$ref``, paths into documents.

Grounding is declared in the schema, on any string or number property
(:mod:`summarizer.core.task` has the kinds); :func:`grounded_paths` finds every declaration and
checks it against the property's type. A path is a tuple of property names in which ``"*"``
stands for every item of an array: ``("claims", "*", "evidence")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from summarizer.core.errors import TaskError

GROUNDED = "x-grounded"
# kind -> the JSON types it may be declared on
GROUNDING_KINDS = {"span": ("string",), "number": ("number", "integer"), "numbers": ("string",), "side": ("string",)}

Path_ = tuple[str, ...]  # a path through documents; "*" stands for every item of an array
Where = tuple[str | int, ...]  # a concrete path: keys and array indices

# A grounding keyword with its comma: the last key of an object takes the comma before it, any
# other key the comma and the whitespace after it, so the remaining lines keep their layout.
_KEYWORD = rf'"{GROUNDED}"\s*:\s*"[a-z]*"'
_KEYWORD_TEXT = re.compile(rf"\s*,\s*{_KEYWORD}(?=\s*}})|{_KEYWORD}\s*,\s*|{_KEYWORD}(?=\s*}})")


def plain_schema(schema: Any) -> Any:
    """``schema`` without the ``x-grounded`` keywords (for engines and servers strict about keywords)."""
    if isinstance(schema, dict):
        return {k: plain_schema(v) for k, v in schema.items() if k != GROUNDED}
    if isinstance(schema, list):
        return [plain_schema(v) for v in schema]
    return schema


def plain_schema_text(schema_text: str) -> str:
    """The schema file's text without its ``x-grounded`` keywords, its layout kept where it can be.

    The keywords are cut out of the text, so a hand-formatted schema prints as it was written
    before it was annotated; when the cut text does not parse to :func:`plain_schema` (a keyword
    written another way), the plain schema is printed as indented JSON instead.
    """
    plain = plain_schema(json.loads(schema_text))
    cut = _KEYWORD_TEXT.sub("", schema_text)
    try:
        if json.loads(cut) == plain:
            return cut
    except json.JSONDecodeError:
        pass
    return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


def resolve(schema: dict[str, Any], node: dict[str, Any], where: str) -> dict[str, Any]:
    """``node`` with its local ``$ref`` chain followed (its own keywords win); TaskError naming ``where``."""
    seen: list[str] = []
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise TaskError(f"{where}: only local $ref (#/...) is supported, got {ref!r}")
        if ref in seen:
            raise TaskError(f"{where}: $ref cycle: {' -> '.join([*seen, ref])}")
        target: Any = schema
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise TaskError(f"{where}: $ref {ref!r} points nowhere")
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        seen.append(ref)
    return node


def _json_path(path: Path_) -> str:
    return "$" + "".join("[*]" if part == "*" else f".{part}" for part in path)


def json_types(node: dict[str, Any]) -> set[str]:
    """The JSON types a schema node declares (``"type"``: a name or a list of names)."""
    declared = node.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()


MAX_SCHEMA_NODES = 20_000  # schema nodes walked (every branch of every anyOf/oneOf/allOf, $refs followed)


def grounded_paths(schema: dict[str, Any]) -> list[tuple[Path_, str]]:
    """Every ``x-grounded`` property as (path, kind), in schema order; TaskError for a bad declaration."""
    found: dict[tuple[Path_, str], None] = {}
    visits = [0]

    def walk(node: Any, path: Path_, depth: int) -> None:
        if not isinstance(node, dict) or depth > 64:
            return
        # Branches that refer to branches multiply: without a bound a small schema can need 2**64 steps.
        visits[0] += 1
        if visits[0] > MAX_SCHEMA_NODES:
            raise TaskError(f"{_json_path(path)}: the schema branches into more than {MAX_SCHEMA_NODES} nodes")
        node = resolve(schema, node, _json_path(path))
        kind = node.get(GROUNDED)
        if kind is not None:
            _check_kind(kind, node, path)
            found.setdefault((path, kind), None)
        for branch in [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]:
            walk(branch, path, depth + 1)
        for key, sub in (node.get("properties") or {}).items():
            walk(sub, (*path, key), depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], (*path, "*"), depth + 1)

    walk(schema, (), 0)
    return list(found)


def _check_kind(kind: Any, node: dict[str, Any], path: Path_) -> None:
    where = _json_path(path)
    if kind not in GROUNDING_KINDS:
        raise TaskError(f"{where}: unknown x-grounded value {kind!r} (use {', '.join(GROUNDING_KINDS)})")
    allowed = GROUNDING_KINDS[kind]
    types = json_types(node) - {"null"}
    if not types or not types <= set(allowed):
        raise TaskError(
            f"{where}: x-grounded {kind!r} needs a property of type {' or '.join(allowed)}"
            f" (got {'/'.join(sorted(types)) or 'no type'})"
        )


def schema_node(schema: dict[str, Any], path: Path_) -> dict[str, Any] | None:
    """The (resolved) schema of the values at ``path``; in anyOf/oneOf, the first branch that has it."""
    node: Any = resolve(schema, schema, "$")
    for part in path:
        if part == "*":
            node = node.get("items")
        else:
            options = [node, *node.get("anyOf", []), *node.get("oneOf", [])]
            node = next(
                (
                    resolve(schema, o, "$").get("properties", {}).get(part)
                    for o in options
                    if part in resolve(schema, o, "$").get("properties", {})
                ),
                None,
            )
        if not isinstance(node, dict):
            return None
        node = resolve(schema, node, "$")
    resolved: dict[str, Any] = node
    return resolved


def field_value(item: Any, dotted: str) -> Any:
    """``item["count"]["value"]`` for ``"count.value"``; None where the path does not lead."""
    for part in dotted.split("."):
        item = item.get(part) if isinstance(item, dict) else None
    return item


def iter_values(document: Any, path: Path_, where: Where = ()) -> Iterator[tuple[Where, Any]]:
    """(concrete path, value) for each value of ``document`` at ``path`` ("*" = each array item)."""
    if not path:
        yield where, document
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(document, list):
            for index, item in enumerate(document):
                yield from iter_values(item, rest, (*where, index))
    elif isinstance(document, dict) and head in document:
        yield from iter_values(document[head], rest, (*where, head))
