"""The backend interface.

A backend turns one article into a claims document. It knows nothing of the CLI,
the run store or the evaluation: those live above it and call it through
:func:`summarizer.api.summarize`. Backends are found by name in
:mod:`summarizer.backends.registry` (re-exported here for existing imports).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from summarizer.backends.options import NoOptions
from summarizer.core.stats import Stats
from summarizer.core.status import Status

# Below it, logits / temperature overflows to infinity and sampling yields NaN.
MIN_TEMPERATURE = 1e-6


def sampling_problem(temperature: float, top_p: float) -> str | None:
    """Why ``temperature`` and ``top_p`` cannot be used for decoding, or None.

    Checked before any model loads: torch would only fail later, in every article.
    """
    if not math.isfinite(temperature) or temperature < 0:
        return f"--temperature must be a finite number, 0 or more (got {temperature})"
    if 0 < temperature < MIN_TEMPERATURE:
        return f"--temperature must be 0 (greedy) or at least {MIN_TEMPERATURE:g} (got {temperature})"
    if not 0 <= top_p <= 1:  # also refuses NaN
        return f"--top-p must be between 0 and 1 (got {top_p})"
    if temperature > 0 and top_p == 0:
        return "--top-p 0 keeps no token to sample; use a value above 0, or --temperature 0 for greedy decoding"
    return None


# "figures": the parser finds the figures and the model labels each one (bounded, batched);
# "document": the model writes the whole document in one generation.
STRATEGIES = ("figures", "document")


@dataclass(frozen=True)
class ExtractOptions:
    """Decoding options. Part of the cache key of a generation, so keep them plain values."""

    grounded: bool = True  # restrict evidence to article substrings and numbers to article numbers
    max_new_tokens: int = 4096  # the densest seed article needs about 3,500 tokens of output
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    seed: int = 0
    fast_forward: bool = True  # append grammar-forced tokens in one forward pass
    speculate: bool = True  # article-lookup drafts verified in one pass (same output, fewer passes)
    strategy: str = "figures"  # one of STRATEGIES
    summary: str = "model"  # "model": written by the model (grounded numbers); "claims": built from the claims

    def __post_init__(self) -> None:
        problem = sampling_problem(self.temperature, self.top_p)
        if problem:
            raise ValueError(problem)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(init=False)
class Extraction:
    """What a backend produced for one article."""

    raw: str  # the model's raw output (for re-scoring and debugging)
    document: dict | None  # parsed document; None when the output is not a document
    status: Status
    reason: str | None  # why the status is not ok
    stats: Stats

    # Written out (not the dataclass's) so that its types say what it takes: a status as text
    # ("ok", ...) and the stats as a flat dict, made a Status and a Stats.
    def __init__(
        self,
        raw: str,
        document: dict | None,
        status: Status | str = Status.OK,
        reason: str | None = None,
        stats: Stats | Mapping[str, Any] | None = None,
    ) -> None:
        self.raw, self.document, self.reason = raw, document, reason
        self.status = Status(status)  # ValueError for a status that does not exist
        self.stats = Stats.of(stats)


class Backend(ABC):
    """Generate a claims document for an article.

    Every backend is built as ``cls(model, options)``: ``options`` is an instance of the
    frozen dataclass ``cls.Options`` that the backend declares (typed fields with defaults;
    see :mod:`summarizer.backends.options`), which the CLI fills from ``--backend-opt key=value``.
    """

    name: ClassVar[str]
    Options: ClassVar[type] = NoOptions
    # Whether extract() may run for several articles at once, from threads (a remote server may;
    # a model in this process may not).
    concurrent: ClassVar[bool] = False

    if (
        TYPE_CHECKING
    ):  # for the registry's cls(model, options); no constructor at run time (a test's backend takes none)

        def __init__(self, model: str, options: Any) -> None: ...

    @property
    @abstractmethod
    def model_id(self) -> str:
        """The model as the user named it (hub id, local path or 'rules')."""

    @abstractmethod
    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        """Extract the claims of one (non-empty) article."""

    def describe(self) -> dict[str, Any]:
        """What identifies this backend's output, for the run store (model, revision, prompt hash ...)."""
        return {"backend": self.name, "model": self.model_id}

    @classmethod
    def identify(cls, model: str, options: Any) -> dict[str, Any] | None:
        """describe() of ``cls(model, options)`` without building it, or None when only a built one knows.

        A backend that can say this is loaded lazily (:class:`~summarizer.backends.lazy.LazyBackend`):
        a run whose every answer is in the run store then loads no model at all.
        """
        return None


# The registry's names, importable from here as before it had a module of its own.
from summarizer.backends.registry import (  # noqa: E402
    backend_class,
    backend_name_for,
    get_backend,
    register_backend,
)

__all__ = [
    "Backend",
    "Extraction",
    "ExtractOptions",
    "MIN_TEMPERATURE",
    "NoOptions",
    "Status",
    "backend_class",
    "backend_name_for",
    "get_backend",
    "register_backend",
    "sampling_problem",
]
