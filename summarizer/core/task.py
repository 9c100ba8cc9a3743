"""A task: what to extract, how to ask for it, what must be grounded in the article, how to score it.

A task is a folder::

    my-task/
      schema.json        # JSON Schema 2020-12; "x-grounded" marks grounded properties
      instructions.md    # the system turn: what to extract
      examples/*.txt     # worked examples: an article ...
      examples/*.json    # ... and its document (same stem)
      task.toml          # optional: name, items, [scoring] keys/weights/threshold, merge_key

The built-in task ``claims`` is built the same way from the repository's ``schemas/`` and
``prompts/`` (see :func:`builtin_task`). Grounding is declared in the schema, on any string or
number property, so the grammar builder, the validator and the scorer all read it from there:

* ``"x-grounded": "span"``: a string that is a verbatim span of the article;
* ``"x-grounded": "number"``: a number that occurs in the article (digits, words, vague words);
* ``"x-grounded": "numbers"``: free text in which every number is one of the article's.

JSON Schema validators ignore unknown keywords, so a schema with ``x-grounded`` is still a plain
JSON Schema; :func:`plain_schema` strips them for tools that are strict about keywords.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer.core.errors import InputError
from summarizer.core.resources import files_hash

GROUNDED = "x-grounded"
# kind -> the JSON types it may be declared on
GROUNDING_KINDS = {"span": ("string",), "number": ("number", "integer"), "numbers": ("string",)}
CLAIMS = "claims"
# The user turn around each article for a folder task (the claims task has prompts/user.md).
DEFAULT_USER_TEMPLATE = "Extract the information the instructions ask for from this article.\n\nArticle:\n{article}"
# The files of the claims prompt, in the order prompting has always hashed them.
CLAIMS_PROMPT_FILES = ("system.md", "user.md", "example_article.txt", "example_output.json")
_TOML_KEYS = {"name", "items", "merge_key", "scoring"}
_SCORING_KEYS = {"keys", "weights", "threshold"}
DEFAULT_MATCH_THRESHOLD = 0.5

Path_ = tuple[str, ...]  # a path through documents; "*" stands for every item of an array
Where = tuple[str | int, ...]  # a concrete path: keys and array indices


class TaskError(InputError):
    """A task folder that cannot be used: one line naming the file and the problem."""


@dataclass(frozen=True)
class Example:
    article: str
    document: dict[str, Any]


@dataclass(frozen=True, eq=False)
class Task:
    """Everything one extraction task needs; equal (and hashed) by its content hash."""

    name: str
    schema_text: str
    instructions: str
    user_template: str  # contains "{article}"
    examples: tuple[Example, ...]
    grounded: tuple[tuple[Path_, str], ...]  # (path, kind), in schema order
    items: str | None  # the top-level array of records that is scored and merged; None: the whole document
    key_fields: tuple[str, ...]  # item fields that align gold and predicted items
    weights: tuple[tuple[str, float], ...]
    match_threshold: float
    merge_key: tuple[str, ...]  # item fields equal in two chunks' items = one item (spans: one contains the other)
    prompt_hash: str
    hash: str
    source: Path | None = None  # the folder; None for a built-in task

    def __hash__(self) -> int:
        return hash(self.hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and other.hash == self.hash

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema (a fresh copy each call, so callers may change it)."""
        schema: dict[str, Any] = json.loads(self.schema_text)
        return schema

    @property
    def schema_hash(self) -> str:
        return hashlib.sha256(self.schema_text.encode("utf-8")).hexdigest()[:16]

    @property
    def is_claims(self) -> bool:
        """The built-in claims task: the figure-guided strategy, the rules baseline and the claims scorer."""
        return self.name == CLAIMS and self.source is None

    def paths(self, kind: str) -> list[Path_]:
        return [path for path, k in self.grounded if k == kind]

    def item_list(self, document: Any) -> list[Any]:
        """The document's scored records: its ``items`` array, or the document itself."""
        if self.items is None:
            return [document] if isinstance(document, dict) else []
        value = document.get(self.items) if isinstance(document, dict) else None
        return value if isinstance(value, list) else []

    def offset_field(self) -> Path_ | None:
        """The first span field of an item (claims: evidence): api results give its offsets."""
        prefix = (self.items, "*") if self.items else ()
        for path in self.paths("span"):
            if path[: len(prefix)] == prefix and "*" not in path[len(prefix) :]:
                return path[len(prefix) :]
        return None


def plain_schema(schema: Any) -> Any:
    """``schema`` without the ``x-grounded`` keywords (for engines and servers strict about keywords)."""
    if isinstance(schema, dict):
        return {k: plain_schema(v) for k, v in schema.items() if k != GROUNDED}
    if isinstance(schema, list):
        return [plain_schema(v) for v in schema]
    return schema


# -- grounding declared in the schema ------------------------------------------------------
def _resolve(schema: dict[str, Any], node: dict[str, Any], where: str) -> dict[str, Any]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or seen > 32:
            raise TaskError(f"{where}: only local $ref (#/...) is supported, got {ref!r}")
        target: Any = schema
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise TaskError(f"{where}: $ref {ref!r} points nowhere")
            target = target[part]
        node, seen = {**target, **{k: v for k, v in node.items() if k != "$ref"}}, seen + 1
    return node


def _json_path(path: Path_) -> str:
    return "$" + "".join("[*]" if part == "*" else f".{part}" for part in path)


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    return set(declared) if isinstance(declared, list) else {declared} if isinstance(declared, str) else set()


def grounded_paths(schema: dict[str, Any]) -> list[tuple[Path_, str]]:
    """Every ``x-grounded`` property as (path, kind), in schema order; TaskError for a bad declaration."""
    found: dict[tuple[Path_, str], None] = {}

    def walk(node: Any, path: Path_, depth: int) -> None:
        if not isinstance(node, dict) or depth > 64:
            return
        node = _resolve(schema, node, _json_path(path))
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
    types = _types(node) - {"null"}
    if not types or not types <= set(allowed):
        raise TaskError(
            f"{where}: x-grounded {kind!r} needs a property of type {' or '.join(allowed)}"
            f" (got {'/'.join(sorted(types)) or 'no type'})"
        )


# -- loading ---------------------------------------------------------------------------------
def load_task(spec: str | Path | Task | None) -> Task:
    """A task from a built-in name (``claims``), a task folder, or a Task (returned as is); None: claims."""
    if isinstance(spec, Task):
        return spec
    if spec is None or str(spec) == CLAIMS:
        return builtin_task(CLAIMS)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _load_folder(path.resolve())
    if path.exists():
        raise TaskError(
            "is a file; --task takes a task folder (schema.json, instructions.md, examples/) "
            f"or a built-in task ({CLAIMS})",
            path,
        )
    raise TaskError(f"no such task folder, and not a built-in task ({CLAIMS})", path)


@lru_cache(maxsize=4)
def builtin_task(name: str) -> Task:
    """The built-in task ``name`` (only ``claims``): schemas/claims.schema.json, prompts/, schemas/claims.task.toml."""
    from summarizer.core.resources import data_dir, prompt_path, schema_path

    if name != CLAIMS:
        raise TaskError(f"unknown built-in task {name!r} (known: {CLAIMS})")
    prompt_bytes = {n: prompt_path(n).read_bytes() for n in CLAIMS_PROMPT_FILES}

    def read(n: str) -> str:
        return prompt_bytes[n].decode("utf-8").strip()

    example = Example(read("example_article.txt"), json.loads(read("example_output.json")))
    return _build(
        name=None,
        source=None,
        schema_text=schema_path().read_text(encoding="utf-8"),
        instructions=read("system.md"),
        user_template=read("user.md"),
        examples=(example,),
        prompt_files=prompt_bytes,
        toml_path=data_dir("schemas") / "claims.task.toml",
    )


def _read_text(path: Path, what: str) -> str:
    if not path.is_file():
        raise TaskError(f"missing {path.name} ({what}); a task folder needs schema.json and instructions.md", path)
    from summarizer.core.io import read_article

    return read_article(path)  # UTF-8, not empty: one-line InputError naming the file


def _load_folder(root: Path) -> Task:
    from summarizer.core.io import read_json

    schema_text = _read_text(root / "schema.json", "the JSON Schema")
    read_json(root / "schema.json")  # a JSON error with line and column, naming the file
    instructions = _read_text(root / "instructions.md", "what to extract").strip()
    examples, files = _read_examples(root / "examples")
    files = {"instructions.md": (root / "instructions.md").read_bytes(), **files}
    task = _build(
        name=root.name,
        source=root,
        schema_text=schema_text,
        instructions=instructions,
        user_template=DEFAULT_USER_TEMPLATE,
        examples=examples,
        prompt_files=files,
        toml_path=root / "task.toml",
    )
    _check_examples(task, root / "examples")
    return task


def _read_examples(folder: Path) -> tuple[tuple[Example, ...], dict[str, bytes]]:
    from summarizer.core.io import read_article, read_json

    if not folder.is_dir():
        return (), {}
    texts, docs = sorted(folder.glob("*.txt")), sorted(folder.glob("*.json"))
    for path in texts:
        if not path.with_suffix(".json").is_file():
            raise TaskError(f"worked example has no document (expected {path.stem}.json beside it)", path)
    for path in docs:
        if not path.with_suffix(".txt").is_file():
            raise TaskError(f"worked example has no article (expected {path.stem}.txt beside it)", path)
    examples, files = [], {}
    for path in texts:
        document = read_json(path.with_suffix(".json"))
        if not isinstance(document, dict):
            raise TaskError("worked example must be a JSON object", path.with_suffix(".json"))
        examples.append(Example(read_article(path).strip(), document))
        for part in (path, path.with_suffix(".json")):
            files[f"examples/{part.name}"] = part.read_bytes()
    return tuple(examples), files


def _check_examples(task: Task, folder: Path) -> None:
    from summarizer.core.validation import grounding_problems, schema_problems

    for example, path in zip(task.examples, sorted(folder.glob("*.txt")), strict=True):
        doc_path = path.with_suffix(".json")
        problems = schema_problems(example.document, task)
        if problems:
            raise TaskError(f"does not match schema.json: {problems[0]}", doc_path)
        problems = grounding_problems(example.document, example.article, task)
        if problems:
            raise TaskError(f"not grounded in {path.name}: {problems[0]}", doc_path)


def _check_schema(schema: Any, path: Path | None) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    if not isinstance(schema, dict):
        raise TaskError("the schema must be a JSON object", path)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise TaskError(f"not a valid JSON Schema at {where}: {error.message[:200]}", path) from None
    if "object" not in _types(schema) or not isinstance(schema.get("properties"), dict):
        raise TaskError('the schema must describe an object ("type": "object" with "properties")', path)


def _build(
    *,
    name: str | None,
    source: Path | None,
    schema_text: str,
    instructions: str,
    user_template: str,
    examples: tuple[Example, ...],
    prompt_files: dict[str, bytes],
    toml_path: Path,
) -> Task:
    schema_file = source / "schema.json" if source else None
    schema = json.loads(schema_text)
    _check_schema(schema, schema_file)
    try:
        grounded = grounded_paths(schema)
    except TaskError as error:
        raise TaskError(error.reason, schema_file) from None
    settings, toml_bytes = _read_toml(toml_path)
    items = _items_field(schema, settings.get("items"), toml_path)
    item_fields = _item_fields(schema, items)
    scoring = settings.get("scoring", {})
    keys = _field_list(scoring.get("keys"), item_fields, toml_path, "scoring.keys") or _default_keys(
        grounded, items, item_fields
    )
    weights = _weights(scoring.get("weights", {}), keys, toml_path)
    threshold = scoring.get("threshold", DEFAULT_MATCH_THRESHOLD)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise TaskError(f"scoring.threshold must be a number in (0, 1] (got {threshold!r})", toml_path)
    merge_key = _field_list(settings.get("merge_key"), item_fields, toml_path, "merge_key") or keys
    prompt_hash = files_hash(
        sorted(prompt_files.items()) if source else [(n, prompt_files[n]) for n in CLAIMS_PROMPT_FILES]
    )
    whole = hashlib.sha256(f"{schema_text}\0{prompt_hash}\0".encode() + toml_bytes).hexdigest()[:16]
    return Task(
        name=str(settings.get("name") or name or CLAIMS),
        schema_text=schema_text,
        instructions=instructions,
        user_template=user_template,
        examples=examples,
        grounded=tuple(grounded),
        items=items,
        key_fields=tuple(keys),
        weights=tuple(weights.items()),
        match_threshold=float(threshold),
        merge_key=tuple(merge_key),
        prompt_hash=prompt_hash,
        hash=whole,
        source=source,
    )


def _read_toml(path: Path) -> tuple[dict[str, Any], bytes]:
    if not path.is_file():
        return {}, b""
    data = path.read_bytes()
    try:
        settings = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TaskError(f"invalid TOML: {error}", path) from None
    unknown = set(settings) - _TOML_KEYS or set(settings.get("scoring") or {}) - _SCORING_KEYS
    if unknown:
        raise TaskError(
            f"unknown setting(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_TOML_KEYS))}; "
            f"[scoring]: {', '.join(sorted(_SCORING_KEYS))})",
            path,
        )
    if not isinstance(settings.get("scoring", {}), dict):
        raise TaskError("scoring must be a table ([scoring])", path)
    return settings, data


def _items_field(schema: dict[str, Any], named: Any, toml_path: Path) -> str | None:
    """The top-level array of objects that is scored item by item (task.toml ``items`` picks one of several)."""
    arrays = [key for key, sub in schema["properties"].items() if _is_object_array(schema, sub)]
    if named is not None:
        if named not in arrays:
            raise TaskError(
                f"items = {named!r} is not a top-level array of objects in the schema "
                f"(those: {', '.join(arrays) or 'none'})",
                toml_path,
            )
        return str(named)  # one of the schema's keys
    if len(arrays) > 1:
        raise TaskError(
            f"the schema has several arrays of records ({', '.join(arrays)}); "
            'name the one to score with items = "..." in task.toml',
            toml_path,
        )
    return arrays[0] if arrays else None


def _is_object_array(schema: dict[str, Any], node: Any) -> bool:
    node = _resolve(schema, node, "$") if isinstance(node, dict) else {}
    items = node.get("items")
    return "array" in _types(node) and isinstance(items, dict) and "object" in _types(_resolve(schema, items, "$"))


def _item_fields(schema: dict[str, Any], items: str | None) -> list[str]:
    node = (
        schema if items is None else _resolve(schema, _resolve(schema, schema["properties"][items], "$")["items"], "$")
    )
    return list((node.get("properties") or {}).keys())


def _field_list(value: Any, fields: list[str], path: Path, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise TaskError(f"{name} must be a non-empty list of field names", path)
    unknown = [v for v in value if v.split(".")[0] not in fields]  # "count.value": a field inside a field
    if unknown:
        raise TaskError(f"{name}: {', '.join(unknown)} not a field of the items (fields: {', '.join(fields)})", path)
    return list(value)


def _default_keys(grounded: list[tuple[Path_, str]], items: str | None, fields: list[str]) -> list[str]:
    """Without scoring.keys: the items' span fields (what the article says), else every field."""
    prefix = (items, "*") if items else ()
    spans = [
        p[len(prefix)]
        for p, kind in grounded
        if kind == "span" and p[: len(prefix)] == prefix and len(p) == len(prefix) + 1
    ]
    return spans or fields


def _weights(value: Any, keys: list[str], path: Path) -> dict[str, float]:
    if not isinstance(value, dict):
        raise TaskError("scoring.weights must be a table (field = weight)", path)
    for key, weight in value.items():
        if key not in keys:
            raise TaskError(f"scoring.weights: {key} is not one of scoring.keys ({', '.join(keys)})", path)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
            raise TaskError(f"scoring.weights: {key} must be a positive number (got {weight!r})", path)
    return {key: float(value.get(key, 1.0)) for key in keys}


def schema_node(schema: dict[str, Any], path: Path_) -> dict[str, Any] | None:
    """The (resolved) schema of the values at ``path``; in anyOf/oneOf, the first branch that has it."""
    resolved = _resolve(schema, schema, "$")
    for part in path:
        node: Any
        if part == "*":
            node = resolved.get("items")
        else:
            options = [resolved, *resolved.get("anyOf", []), *resolved.get("oneOf", [])]
            node = next(
                (
                    _resolve(schema, o, "$").get("properties", {}).get(part)
                    for o in options
                    if part in _resolve(schema, o, "$").get("properties", {})
                ),
                None,
            )
        if not isinstance(node, dict):
            return None
        resolved = _resolve(schema, node, "$")
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
