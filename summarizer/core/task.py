"""A task: what to extract, how to ask for it, what must be grounded in the article, how to score it.

A task is a folder::

    my-task/
      schema.json        # JSON Schema 2020-12; "x-grounded" marks grounded properties
      instructions.md    # the system turn: what to extract
      examples/*.txt     # worked examples: an article ...
      examples/*.json    # ... and its document (same stem)
      task.toml          # optional: name, items, [scoring] keys/weights/threshold, merge_key, strategy ...

A task that needs code of its own (strategies, a scorer, pages) is a kit found by its name through
the ``summarizer.tasks`` entry points (:mod:`summarizer.core.kit`); ``load_task(name)`` loads the
kit's task. The built-in task ``claims`` is the claims kit's, built from the repository's
``schemas/`` and ``prompts/`` (see :func:`builtin_task`). Grounding is declared in the schema, on any string or
number property, so the grammar builder, the validator and the scorer all read it from there:

* ``"x-grounded": "span"``: a string that is a verbatim span of the article;
* ``"x-grounded": "number"``: a number that occurs in the article (digits, words, vague words);
* ``"x-grounded": "numbers"``: free text in which every number is one of the article's;
* ``"x-grounded": "side"``: a party the article gives reason for: a country or people it mentions
  (in the short form of :mod:`summarizer.core.countries`), or its own words.

JSON Schema validators ignore unknown keywords, so a schema with ``x-grounded`` is still a plain
JSON Schema; :func:`~summarizer.core.schema_paths.plain_schema` strips them for tools that are
strict about keywords. Reading the declarations and walking schema paths is
:mod:`summarizer.core.schema_paths`; ``task.toml`` is :mod:`summarizer.core.task_settings`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarizer.core.errors import TaskError
from summarizer.core.resources import files_hash
from summarizer.core.schema_paths import (
    GROUNDED,
    GROUNDING_KINDS,
    Path_,
    Where,
    field_value,
    grounded_paths,
    iter_values,
    json_types,
    plain_schema,
    plain_schema_text,
    schema_node,
)
from summarizer.core.schema_support import check_grammar_support
from summarizer.core.task_settings import read_settings

# Importable from here as before the split (the engine, validation, the scorers import them).
__all__ = [
    "CLAIMS",
    "CLAIMS_PROMPT_FILES",
    "DEFAULT_USER_TEMPLATE",
    "GROUNDED",
    "GROUNDING_KINDS",
    "Example",
    "Path_",
    "Task",
    "Where",
    "TaskError",
    "builtin_task",
    "default_task",
    "kit_task",
    "field_value",
    "grounded_paths",
    "iter_values",
    "load_task",
    "plain_schema",
    "schema_node",
]

CLAIMS = "claims"
# The user turn around each article for a folder task (the claims task has prompts/user.md).
DEFAULT_USER_TEMPLATE = "Extract the information the instructions ask for from this article.\n\nArticle:\n{article}"
# The files of the claims prompt, in the order prompting has always hashed them.
CLAIMS_PROMPT_FILES = ("system.md", "user.md", "example_article.txt", "example_output.json")


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
    kit: str | None = None  # the name of the task's kit (summarizer.core.kit); None: no code of its own
    strategy: str | None = None  # the default strategy task.toml names; None: the kit's
    candidates: str | None = None  # item strategy: a finder of summarizer.core.candidates, or None
    candidate_field: str | None = None  # the item field its candidates fill
    max_items: int | None = None  # item strategy: items an article may have (None: the default bound)

    def __hash__(self) -> int:
        return hash(self.hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and other.hash == self.hash

    @property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema (a fresh copy each call, so callers may change it)."""
        schema: dict[str, Any] = json.loads(self.schema_text)
        return schema

    def public_schema(self) -> dict[str, Any]:
        """The JSON Schema without the ``x-grounded`` keywords: the record as other tools see it."""
        public: dict[str, Any] = plain_schema(self.schema)
        return public

    def public_schema_text(self) -> str:
        """:meth:`public_schema` as the schema file writes it (what ``summarizer schema`` prints)."""
        return plain_schema_text(self.schema_text)

    @property
    def schema_hash(self) -> str:
        return hashlib.sha256(self.schema_text.encode("utf-8")).hexdigest()[:16]

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


# -- loading ---------------------------------------------------------------------------------
def load_task(spec: str | Path | Task | None) -> Task:
    """A task from a kit's name (``claims``, or an installed package's), a task folder, or a Task
    (returned as is); None: the default task (claims)."""
    from summarizer.core.kit import find_kit, kit_names

    if isinstance(spec, Task):
        return spec
    if spec is None:
        return default_task()
    kit = find_kit(str(spec)) if isinstance(spec, str) else None
    if kit is not None:
        return kit_task(kit)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _load_folder(path.resolve())
    known = ", ".join(kit_names()) or "none installed"
    if path.exists():
        raise TaskError(
            "is a file; --task takes a task folder (schema.json, instructions.md, examples/) "
            f"or a task's name ({known})",
            path,
        )
    raise TaskError(f"no such task folder, and no task of that name ({known})", path)


@lru_cache(maxsize=1)
def default_task() -> Task:
    """The task extracted when none is named: the claims kit's (its built-in task)."""
    from summarizer.core.kit import find_kit

    kit = find_kit(CLAIMS)
    if kit is None:  # the package's own metadata is missing: installed without its entry points
        raise TaskError(f"no task kit {CLAIMS!r} is installed (reinstall the package: pip install .)")
    return kit_task(kit)


def kit_task(kit: Any) -> Task:
    """The task of ``kit`` (a :class:`~summarizer.core.kit.TaskKit`): its ``load`` hook's or its folder's."""
    load = kit.hook("load")
    if load is not None:
        task: Task = load()
    elif kit.folder is not None:
        task = _load_folder(Path(kit.folder).resolve(), kit=kit.name)
    else:
        raise TaskError(f"the task kit {kit.name!r} has neither a folder nor a load hook")
    # Found by the kit's name, the task is called so (the built-in claims task already is).
    if (task.name, task.kit) == (kit.name, kit.name):
        return task
    return dataclasses.replace(task, name=kit.name, kit=kit.name)


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
        kit=CLAIMS,
    )


def _inside(root: Path, path: Path) -> Path:
    """``path``, a file of the task folder ``root``; TaskError if it resolves outside the folder (a
    link to another file would send that file's text to the model as a prompt or worked example)."""
    target = Path(os.path.realpath(path))
    if not target.is_relative_to(root):
        kind = "folder" if target.is_dir() else "file"
        raise TaskError(f"is a link to a {kind} outside the task folder; a task's files must be inside it", path)
    return path


def _read_text(root: Path, name: str, what: str) -> str:
    from summarizer.core.io import read_text

    path = root / name
    if not os.path.lexists(path):
        raise TaskError(f"missing {path.name} ({what}); a task folder needs schema.json and instructions.md", path)
    return read_text(_inside(root, path))  # UTF-8, regular, not empty: one-line InputError naming the file


def _load_folder(root: Path, kit: str | None = None) -> Task:
    from summarizer.core.io import read_json

    schema_text = _read_text(root, "schema.json", "the JSON Schema")
    read_json(root / "schema.json")  # a JSON error with line and column, naming the file
    instructions = _read_text(root, "instructions.md", "what to extract").strip()
    examples, files = _read_examples(root, root / "examples")
    files = {"instructions.md": (root / "instructions.md").read_bytes(), **files}
    task = _build(
        name=root.name,
        source=root,
        schema_text=schema_text,
        instructions=instructions,
        user_template=DEFAULT_USER_TEMPLATE,
        examples=examples,
        prompt_files=files,
        toml_path=_inside(root, root / "task.toml"),
        kit=kit,
    )
    _check_examples(task, root / "examples")
    return task


def _read_examples(root: Path, folder: Path) -> tuple[tuple[Example, ...], dict[str, bytes]]:
    from summarizer.core.io import folder_files, read_article, read_json

    if not folder.is_dir():
        return (), {}
    _inside(root, folder)
    texts, docs = folder_files(folder, ".txt"), folder_files(folder, ".json")
    for path in (*texts, *docs):
        _inside(root, path)
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
    from summarizer.core.document_checks import grounded_problems, schema_text_problems
    from summarizer.core.io import folder_files

    for example, path in zip(task.examples, folder_files(folder, ".txt"), strict=True):
        doc_path = path.with_suffix(".json")
        problems = schema_text_problems(example.document, task.schema_text)
        if problems:
            raise TaskError(f"does not match schema.json: {problems[0]}", doc_path)
        problems = grounded_problems(example.document, example.article, task.grounded)
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
    if "object" not in json_types(schema) or not isinstance(schema.get("properties"), dict):
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
    kit: str | None = None,
) -> Task:
    schema_file = source / "schema.json" if source else None
    schema = json.loads(schema_text)
    _check_schema(schema, schema_file)
    try:
        grounded = grounded_paths(schema)
        check_grammar_support(schema)  # what the grounded grammar cannot build: refused now, not per article
    except TaskError as error:
        raise TaskError(error.reason, schema_file) from None
    settings = read_settings(schema, grounded, toml_path)
    prompt_hash = files_hash(
        sorted(prompt_files.items()) if source else [(n, prompt_files[n]) for n in CLAIMS_PROMPT_FILES]
    )
    whole = hashlib.sha256(f"{schema_text}\0{prompt_hash}\0".encode() + settings.toml_bytes).hexdigest()[:16]
    return Task(
        name=str(settings.name or name or CLAIMS),
        schema_text=schema_text,
        instructions=instructions,
        user_template=user_template,
        examples=examples,
        grounded=tuple(grounded),
        items=settings.items,
        key_fields=settings.key_fields,
        weights=settings.weights,
        match_threshold=settings.match_threshold,
        merge_key=settings.merge_key,
        strategy=settings.strategy,
        candidates=settings.candidates,
        candidate_field=settings.candidate_field,
        max_items=settings.max_items,
        prompt_hash=prompt_hash,
        hash=whole,
        source=source,
        kit=kit,
    )
