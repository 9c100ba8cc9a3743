"""The backend interface and its registry.

A backend turns one article into a claims document. It knows nothing of the CLI,
the run store or the evaluation: those live above it and call it through
:func:`summarizer.api.summarize`.
"""

from __future__ import annotations

import importlib
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

# "ungrounded": a valid document that a server wrote without the grounded grammar (JSON Schema
# only) and whose evidence or numbers the article does not hold. Never an "ok" document.
Status = Literal["ok", "invalid", "truncated", "failed", "ungrounded"]


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


@dataclass
class Extraction:
    """What a backend produced for one article."""

    raw: str  # the model's raw output (for re-scoring and debugging)
    document: dict | None  # parsed document; None when the output is not a document
    status: Status = "ok"
    reason: str | None = None  # why the status is not ok
    stats: dict[str, Any] = field(default_factory=dict)  # prompt_tokens, generated_tokens, forced_tokens, forward_passes, seconds


class Backend(ABC):
    """Generate a claims document for an article."""

    name: ClassVar[str]
    # Whether extract() may run for several articles at once, from threads (a remote server may;
    # a model in this process may not).
    concurrent: ClassVar[bool] = False

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
    def identify(cls, model: str, **kwargs: Any) -> dict[str, Any] | None:
        """describe() of ``cls(model, **kwargs)`` without building it, or None when only a built one knows.

        A backend that can say this is loaded lazily (:class:`~summarizer.backends.lazy.LazyBackend`):
        a run whose every answer is in the run store then loads no model at all.
        """
        return None


_REGISTRY: dict[str, type[Backend]] = {}
# Built-in backends are imported on first use so that heavy dependencies load only when needed.
_BUILTIN_MODULES = {
    "rules": "summarizer.backends.rules",
    "transformers": "summarizer.backends.transformers_backend",
    "openai": "summarizer.backends.openai_backend",
}


def register_backend(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend available by its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def backend_class(name: str) -> type[Backend]:
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(set(_REGISTRY) | set(_BUILTIN_MODULES)))
        raise KeyError(f"unknown backend {name!r} (known: {known})") from None


def backend_name_for(model: str) -> str:
    """'rules' is the rule-based baseline; every other model name goes to transformers."""
    return "rules" if model == "rules" else "transformers"


def backend_kwargs(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Of ``options`` (as the CLI has them, None = not given), those backend ``name`` takes.

    Each command offers every backend's options; a backend gets only its own, and an option
    given for a backend that has no use for it is a one-line error rather than silently ignored.
    """
    import inspect

    from summarizer.errors import ModelError

    parameters = inspect.signature(backend_class(name).__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    taken = {key: value for key, value in options.items() if takes_any or key in parameters}
    for key, value in options.items():
        if key not in taken and value is not None:
            raise ModelError(f"--{key.replace('_', '-')} is not an option of the {name} backend")
    return {key: value for key, value in taken.items() if value is not None}


def get_backend(model: str, backend: str | None = None, *, lazy: bool = False, **kwargs: Any) -> Backend:
    """Instantiate the backend that serves ``model`` (``backend`` overrides the choice).

    ``lazy``: resolve and check the model now (errors are raised here), load it on first use.
    """
    cls = backend_class(backend or backend_name_for(model))
    if lazy:
        from summarizer.backends.lazy import LazyBackend

        identity = cls.identify(model, **kwargs)
        if identity is not None:
            return LazyBackend(cls, model, identity, kwargs)
    return cls(model, **kwargs) if cls.name != "rules" else cls(**kwargs)
