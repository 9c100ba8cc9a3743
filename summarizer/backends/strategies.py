"""What a backend asks the task's kit (:mod:`summarizer.core.kit`): which strategy runs, the kit's
strategies built for this backend, and the prompt files and code the output depends on.

Every backend runs the document strategy itself (one generation writes the whole document); any
other strategy is the kit's, built once per backend when it loads (a strategy may cache its prompt).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from summarizer.core.kit import DOCUMENT, kit_for
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.task import Task


def build_strategies(backend: Any) -> dict[str, Any]:
    """The kit's strategies for ``backend`` (whose ``task`` is set): name -> object with ``extract``."""
    kit = kit_for(backend.task)
    return {name: kit.build_strategy(name, backend) for name in kit.strategies}


def run_strategy(
    task: Task,
    strategies: dict[str, Any],
    article: str,
    options: ExtractOptions,
    document: Callable[[str, ExtractOptions], Extraction],
) -> Extraction:
    """``options.strategy`` (None: the kit's default) on ``article``: ``document`` for the document
    strategy, else the kit's strategy built for this backend. TaskError for a strategy the task lacks."""
    name = kit_for(task).strategy(options.strategy)
    if name == DOCUMENT:
        return document(article, options)
    extraction: Extraction = strategies[name].extract(article, options)
    return extraction


def prompt_identity(task: Task) -> str:
    """The prompt hash of the run store's key: the task's, and the prompt files its kit's strategies read."""
    extra = kit_for(task).hook("prompt_hash")
    return f"{task.prompt_hash}+{extra()}" if extra is not None else task.prompt_hash


def kit_sources(task: Task) -> tuple[str, ...]:
    """The kit's code the output depends on (``source_hash`` names)."""
    return kit_for(task).sources
