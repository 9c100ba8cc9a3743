"""``summarize()``: the one entry point for the CLI, the evaluation and Python users.

    >>> from summarizer import api
    >>> result = api.summarize(text, model="qwen2.5-1.5b", max_new_tokens=1024)
    >>> result.status, result.document, result.offsets

Loaded backends are cached per (model, backend options) in the process, so
summarizing many articles loads the model once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from summarizer.backends.base import Backend, ExtractOptions, get_backend
from summarizer.errors import InputError
from summarizer.models import DEFAULT_MODEL
from summarizer.store import RunStore, cached_extract

OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(ExtractOptions))


@dataclass
class Result:
    """One article's extraction."""

    document: dict | None  # the claims document; None unless status is "ok"
    offsets: list[list[int] | None]  # per claim: [start, end) of its evidence in the article (None if not found)
    status: str  # "ok" | "invalid" | "truncated" | "failed" | "ungrounded"
    reason: str | None
    stats: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    raw: str = ""  # the backend's raw output, also for statuses other than "ok"
    from_cache: bool = False  # served from the run store instead of generated

    def record(self) -> dict[str, Any]:
        """A JSON-ready run record (without the article id, which the caller knows)."""
        return dataclasses.asdict(self)


@lru_cache(maxsize=4)
def _cached_backend(model: str, backend: str | None, kwargs: tuple[tuple[str, Any], ...]) -> Backend:
    return get_backend(model, backend, **dict(kwargs))


def load_backend(model: str = DEFAULT_MODEL, backend: str | None = None, **backend_kwargs: Any) -> Backend:
    """The backend for ``model``, loaded once per process for the same (hashable) arguments."""
    key = tuple(sorted(backend_kwargs.items()))
    try:
        hash(key)
    except TypeError:  # e.g. a schema dict: load without caching
        return get_backend(model, backend, **backend_kwargs)
    return _cached_backend(model, backend, key)


def make_options(options: ExtractOptions | None = None, **overrides: Any) -> ExtractOptions:
    unknown = set(overrides) - OPTION_NAMES
    if unknown:
        raise TypeError(f"unknown extraction options: {', '.join(sorted(unknown))}")
    return dataclasses.replace(options or ExtractOptions(), **overrides)


def evidence_offsets(document: dict | None, article: str) -> list[list[int] | None]:
    from summarizer.text import find_span

    if not document:
        return []
    spans = (find_span(article, claim["evidence"]) for claim in document["claims"])
    return [list(span) if span else None for span in spans]


def summarize(
    text: str,
    model: str = DEFAULT_MODEL,
    *,
    backend: Backend | str | None = None,
    options: ExtractOptions | None = None,
    store: "RunStore | None" = None,
    no_cache: bool = False,
    **kwargs: Any,
) -> Result:
    """Extract the claims document of one article.

    ``backend``: a ready :class:`Backend` (then ``model`` is ignored) or a registry name.
    Keyword arguments named like :class:`ExtractOptions` fields (``grounded``,
    ``max_new_tokens``, ``temperature``, ``top_p``, ``seed``, ``fast_forward``) set
    decoding options; the others (``device``, ``dtype``, ``revision``,
    ``trust_remote_code`` ...) go to the backend. With a run ``store`` an identical
    earlier request is answered from it (unless ``no_cache``) and every new generation
    is recorded there. Raises InputError for an empty article and ModelError when the
    model cannot be loaded; an error while generating gives status "failed".
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("article is empty")
    option_overrides = {k: v for k, v in kwargs.items() if k in OPTION_NAMES}
    backend_kwargs = {k: v for k, v in kwargs.items() if k not in OPTION_NAMES}
    if not isinstance(backend, Backend):
        backend = load_backend(model, backend, **backend_kwargs)
    extraction, from_cache = cached_extract(store, backend, text, make_options(options, **option_overrides), no_cache)
    return Result(
        document=extraction.document if extraction.status == "ok" else None,
        offsets=evidence_offsets(extraction.document if extraction.status == "ok" else None, text),
        status=extraction.status,
        reason=extraction.reason,
        stats=extraction.stats,
        model=backend.model_id,
        raw=extraction.raw,
        from_cache=from_cache,
    )
