"""A task kit: the code a task brings beyond its data, found by the task's name.

A task is data (schema, instructions, examples, ``task.toml``: :mod:`summarizer.core.task`). A task
that needs code of its own ships it as a kit: a module that holds a :class:`TaskKit` named ``KIT``,
declared under the ``summarizer.tasks`` entry point group with the task's name::

    [project.entry-points."summarizer.tasks"]
    claims = "summarizer.tasks.claims.kit"

The generic layers (engine, backends, evaluation, reporting, the CLI) never ask which task they
run: they ask the task's kit (:func:`kit_for`) for a strategy, a salvage of a cut-off document, the
fields that make two items one, a scorer, pages. Each hook is ``"module:attribute"`` text, imported
only when it is used (so ``summarizer --help`` imports no task's code, and no generic module
imports a kit: the import linter sees no upward arrow). A task without a kit gets the generic
parts: the document strategy, the generic scorer and report.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from summarizer.core.errors import TaskError

KIT_GROUP = "summarizer.tasks"
# The strategy every backend runs for every task: one generation writes the whole document.
DOCUMENT = "document"
# The strategy every model adapter runs for a task with an array of records: one generation an item
# (summarizer.backends.items).
ITEMS = "items"


@dataclass(frozen=True)
class TaskKit:
    """A task's own code. Every hook is optional; a hook is ``"module:attribute"`` (see :meth:`hook`)."""

    name: str
    # Strategies beyond DOCUMENT: name -> a callable building it for a backend,
    # ``build(backend) -> object with extract(article, options) -> Extraction``.
    strategies: Mapping[str, str] = field(default_factory=dict)
    default_strategy: str = DOCUMENT
    # The task's data: a folder (schema.json, instructions.md, examples/, task.toml), or a hook
    # ``load() -> Task`` for a task built otherwise (the built-in claims).
    folder: Path | None = None
    load: str | None = None
    # Items of one document equal on these fields are one item (a model that loops repeats them);
    # None: the task's merge_key.
    repeat_fields: tuple[str, ...] | None = None
    salvage: str | None = None  # ``salvage(text) -> document | None``: what a cut-off document finished
    prompt_hash: str | None = None  # ``prompt_hash() -> str``: prompt files the strategies read (run store key)
    sources: tuple[str, ...] = ()  # the kit's code its output depends on (source_hash names: "tasks/x/y")
    dataset: str | None = None  # ``dataset() -> Path``: the data scored when none is given
    # ``candidates(article) -> list[Candidate]`` (summarizer.core.candidates): spans the item strategy
    # asks about in a batch, each one's text filling ``candidate_field`` of its item; None: the task's
    # task.toml finder, if any.
    candidates: str | None = None
    candidate_field: str | None = None
    # A module holding the task's scorer and pages (the protocol of summarizer.evaluation.generic);
    # None: the generic scorer and report.
    evaluation: str | None = None

    def hook(self, name: str) -> Callable[..., Any] | None:
        """The callable a hook field names, imported now; None when the kit has none."""
        target = getattr(self, name)
        if target is None:
            return None
        return _resolve(target)  # type: ignore[no-any-return]

    def strategy_names(self) -> tuple[str, ...]:
        """The strategies this task runs, its default first."""
        names = (DOCUMENT, *self.strategies)
        return (self.default_strategy, *(n for n in names if n != self.default_strategy))

    def strategy(self, strategy: str | None) -> str:
        """``strategy`` checked against the kit's (None: the kit's default); TaskError otherwise."""
        if strategy is None:
            return self.default_strategy
        if strategy not in self.strategy_names():
            raise TaskError(
                f"task {self.name or 'with no kit'!r} has no strategy {strategy!r} "
                f"(its strategies: {', '.join(self.strategy_names())})"
            )
        return strategy

    def build_strategy(self, strategy: str, backend: Any) -> Any:
        """The kit's ``strategy`` built for ``backend``."""
        build = _resolve(self.strategies[strategy])
        return build(backend)

    def evaluation_module(self) -> ModuleType | None:
        return importlib.import_module(self.evaluation) if self.evaluation else None


# A task with no code of its own.
GENERIC_KIT = TaskKit(name="")


def _resolve(target: str) -> Any:
    module, _, attribute = target.partition(":")
    value: Any = importlib.import_module(module)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


def find_kit(name: str) -> TaskKit | None:
    """The kit declared under ``name`` in the ``summarizer.tasks`` entry points, or None."""
    found = _kit_targets().get(name)
    if found is None:
        return None
    return _load_kit(name, found)


@cache
def _load_kit(name: str, target: str) -> TaskKit:
    try:
        loaded = _resolve(target)
    except Exception as error:  # a broken plugin: one line, naming it
        raise TaskError(f"the task kit {name!r} ({target}) cannot be imported: {error}") from None
    kit = getattr(loaded, "KIT", loaded)
    if not isinstance(kit, TaskKit):
        raise TaskError(f"the task kit {name!r} ({target}) holds no TaskKit named KIT")
    return kit


def _kit_targets() -> dict[str, str]:
    return _kit_targets_on(tuple(sys.path))


@lru_cache(maxsize=8)
def _kit_targets_on(_path: tuple[str, ...]) -> dict[str, str]:
    # Read once per sys.path (the entry points of every installed package are read: milliseconds).
    return {ep.name: ep.value for ep in entry_points(group=KIT_GROUP)}


def kit_names() -> list[str]:
    return sorted(_kit_targets())


def task_strategies(task: Any) -> tuple[str, ...]:
    """The strategies ``task`` runs, its default first: the document strategy, the item strategy
    where it has an array of records, and its kit's. The default is the one its task.toml names,
    else its kit's; TaskError when task.toml names one it has not."""
    kit = kit_for(task)
    names = tuple(dict.fromkeys((DOCUMENT, *((ITEMS,) if getattr(task, "items", None) else ()), *kit.strategies)))
    default = getattr(task, "strategy", None) or kit.default_strategy
    if default not in names:
        raise TaskError(f"task {task.name!r}: strategy = {default!r} is none of its strategies ({', '.join(names)})")
    return (default, *(name for name in names if name != default))


def choose_strategy(task: Any, strategy: str | None) -> str:
    """``strategy`` checked against the task's (None: its default); TaskError (one line) otherwise."""
    names = task_strategies(task)
    if strategy is None:
        return names[0]
    if strategy not in names:
        raise TaskError(f"task {task.name!r} has no strategy {strategy!r} (its strategies: {', '.join(names)})")
    return strategy


def kit_for(task: Any) -> TaskKit:
    """The kit of ``task`` (a Task): the one its ``kit`` names, else the generic one."""
    name = getattr(task, "kit", None)
    if not name:
        return GENERIC_KIT
    kit = find_kit(name)
    if kit is None:
        raise TaskError(f"task {task.name!r} names the kit {name!r}, which no installed package declares")
    return kit
