"""What a backend asks about strategies: which one runs, the ones built for it, and the prompt files
and code the output depends on.

Every backend runs the document strategy itself (one generation writes the whole document). A model
adapter (:mod:`summarizer.backends.adapter`) also runs the generic item strategy
(:mod:`summarizer.backends.items`) for a task with an array of records, and the task kit's own
strategies (the claims kit's figures), each built once per backend when it loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from summarizer.backends.adapter import Adapter
from summarizer.core.errors import ModelError
from summarizer.core.kit import DOCUMENT, ITEMS, choose_strategy, kit_for
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import Task


def build_strategies(backend: Any) -> dict[str, Any]:
    """The strategies beyond the document one for ``backend`` (whose ``task`` is set): the kit's, and
    the item strategy where the task has an array of records; name -> object with ``extract``."""
    from summarizer.backends.items import item_strategy

    kit = kit_for(backend.task)
    built = {name: kit.build_strategy(name, backend) for name in kit.strategies}
    if backend.task.items and isinstance(backend, Adapter) and ITEMS not in built:
        built[ITEMS] = item_strategy(backend)
    return built


def run_strategy(
    task: Task,
    strategies: dict[str, Any],
    article: str,
    options: ExtractOptions,
    document: Callable[[str, ExtractOptions], Extraction],
) -> Extraction:
    """``options.strategy`` (None: the task's default) on ``article``: ``document`` for the document
    strategy, else the one built for this backend. TaskError for a strategy the task lacks."""
    name = choose_strategy(task, options.strategy)
    if name == DOCUMENT:
        return document(article, options)
    if name not in strategies:
        raise ModelError(f"--strategy {name} does not run on this backend (use --strategy document)")
    extraction: Extraction = strategies[name].extract(article, options)
    return extraction


def prompt_identity(task: Task) -> str:
    """The prompt hash of the run store's key: the task's, and the prompt files its kit's strategies read
    (the item strategy's words are code: part of the engine hash, ITEM_SOURCES)."""
    extra = kit_for(task).hook("prompt_hash")
    return f"{task.prompt_hash}+{extra()}" if extra is not None else task.prompt_hash


def kit_sources(task: Task) -> tuple[str, ...]:
    """The kit's code the output depends on (``source_hash`` names)."""
    return kit_for(task).sources


# The generic item strategy's code, part of every generating backend's engine hash.
ITEM_SOURCES = (
    "backends/adapter",
    "backends/items",
    "engine/items",
    "engine/item_grammar",
    "engine/item_prompting",
    "core/candidates",
)
