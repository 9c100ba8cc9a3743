"""``summarize()``: the one entry point for the CLI, the evaluation and Python users.

    >>> from summarizer import api
    >>> result = api.summarize(text, model="qwen2.5-1.5b", max_new_tokens=1024)
    >>> result.status, result.document, result.offsets

Backends are cached per (model, backend options) in the process, so summarizing many
articles loads the model once; and lazily (resolved and checked at once, loaded on the
first article not already in the run store), so a fully cached run loads no model.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from summarizer.backends.base import Backend
from summarizer.backends.registry import get_backend, make_backend_options, resolve_backend
from summarizer.core.errors import InputError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.stats import Stats
from summarizer.core.status import USABLE, Status
from summarizer.core.task import Task, iter_values, load_task
from summarizer.engine.presets import DEFAULT_MODEL
from summarizer.store import Request, RunStore, cached_extract, extract_or_fail

T = TypeVar("T")
R = TypeVar("R")

OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(ExtractOptions))


@dataclass
class Result:
    """One article's extraction."""

    document: dict | None  # the task's document: for "ok", and what a "truncated" one finished; else None
    offsets: list[list[int] | None]  # per item (claim): [start, end) of its first span field (evidence), or None
    status: Status
    reason: str | None
    stats: Stats = field(default_factory=Stats)
    model: str = ""
    raw: str = ""  # the backend's raw output, also for statuses other than "ok"
    from_cache: bool = False  # served from the run store instead of generated

    def record(self) -> dict[str, Any]:
        """A JSON-ready run record (without the article id, which the caller knows)."""
        return {**dataclasses.asdict(self), "stats": self.stats.as_dict()}


@lru_cache(maxsize=4)
def _cached_backend(model: str, backend: str, options: Any) -> Backend:
    return get_backend(model, backend, lazy=True, options=options)


def load_backend(
    model: str = DEFAULT_MODEL, backend: str | None = None, options: Any = None, *, task: Any = None, **values: Any
) -> Backend:
    """The backend for ``model``, loaded once per process for the same (hashable) options.

    ``options``: the backend's Options (or a mapping); or give them as keyword arguments.
    ``task``: what it extracts (a Task, a task folder or ``"claims"``; None: claims).
    """
    cls = resolve_backend(model, backend)
    if options is not None and values:
        raise TypeError("give the backend options either as options= or as keyword arguments, not both")
    built = make_backend_options(cls, options if options is not None else values, task)
    try:
        hash(built)
    except TypeError:  # e.g. a schema dict: load without caching
        return get_backend(model, cls.name, lazy=True, options=built)
    return _cached_backend(model, cls.name, built)


def make_options(options: ExtractOptions | None = None, **overrides: Any) -> ExtractOptions:
    unknown = set(overrides) - OPTION_NAMES
    if unknown:
        raise TypeError(f"unknown extraction options: {', '.join(sorted(unknown))}")
    return dataclasses.replace(options or ExtractOptions(), **overrides)


def with_strategy(options: ExtractOptions, backend: Backend) -> ExtractOptions:
    """``options`` with the strategy named: the one asked for, checked against the backend's task's
    (TaskError if it has no such strategy), else the task's default (claims: figures). Named
    before the run store is asked, so a request's key says which strategy wrote the document."""
    from summarizer.core.kit import choose_strategy

    strategy = choose_strategy(load_task(getattr(backend, "task", None)), options.strategy)
    return options if strategy == options.strategy else dataclasses.replace(options, strategy=strategy)


def usable_document(extraction) -> dict | None:
    """The document to use: an "ok" one, or the complete part of a "truncated" one (losing the
    whole article is worse than keeping the claims it finished)."""
    return extraction.document if extraction.status in USABLE else None


def evidence_offsets(document: dict | None, article: str, task: Task | None = None) -> list[list[int] | None]:
    """Per item of the task's document (claims: per claim), where its first span field (claims:
    its evidence) is in the article; None for an item whose span is not found (or is null)."""
    from summarizer.core.text import find_span

    task = load_task(task)
    field = task.offset_field()
    if not document or field is None:
        return []
    values = (next((v for _, v in iter_values(item, field)), None) for item in task.item_list(document))
    spans = (find_span(article, value) if isinstance(value, str) else None for value in values)
    return [list(span) if span else None for span in spans]


def summarize(
    text: str,
    model: str = DEFAULT_MODEL,
    *,
    backend: Backend | str | None = None,
    options: ExtractOptions | None = None,
    store: RunStore | None = None,
    no_cache: bool = False,
    backend_options: Any = None,
    **kwargs: Any,
) -> Result:
    """Extract the claims document of one article.

    ``backend``: a ready :class:`Backend` (then ``model`` is ignored) or a registry name.
    Keyword arguments named like :class:`ExtractOptions` fields (``grounded``,
    ``max_new_tokens``, ``temperature``, ``top_p``, ``seed``, ``fast_forward``, ``speculate``) set
    decoding options; the others (``device``, ``dtype``, ``revision``,
    ``trust_remote_code`` ...) are the backend's options, as is ``backend_options``
    (the backend's Options dataclass or a mapping, instead of keywords); ``task=`` (a Task, a task
    folder or ``"claims"``) is what to extract. With a run ``store`` an identical
    earlier request is answered from it (unless ``no_cache``) and every new generation
    is recorded there. Raises InputError for an empty article and ModelError when the
    model cannot be loaded; an error while generating gives status "failed".
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("article is empty")
    option_overrides = {k: v for k, v in kwargs.items() if k in OPTION_NAMES}
    backend_kwargs = {k: v for k, v in kwargs.items() if k not in OPTION_NAMES}
    if not isinstance(backend, Backend):
        backend = load_backend(model, backend, backend_options, **backend_kwargs)
    chosen = with_strategy(make_options(options, **option_overrides), backend)
    extraction, from_cache = cached_extract(store, backend, text, chosen, no_cache)
    return _result(extraction, text, backend, from_cache)


def _result(extraction: Extraction, text: str, backend: Backend, from_cache: bool) -> Result:
    document = usable_document(extraction)
    offsets = evidence_offsets(document, text, getattr(backend, "task", None))
    return Result(
        document=document,
        offsets=offsets,
        status=extraction.status,
        reason=extraction.reason,
        stats=extraction.stats,
        model=backend.model_id,
        raw=extraction.raw,
        from_cache=from_cache,
    )


def summarize_many(
    texts: Sequence[str],
    *,
    backend: Backend,
    options: ExtractOptions | None = None,
    store: RunStore | None = None,
    no_cache: bool = False,
    concurrency: int = 1,
    on_finish: Callable[[int, Result], None] | None = None,
) -> Iterator[Result]:
    """:func:`summarize` for each of ``texts`` (none empty), the results in the order of ``texts``.

    A backend that allows it (``Backend.concurrent``: a server) gets up to ``concurrency``
    articles at once; any other runs one article at a time, exactly as :func:`summarize` does.
    Every generation is recorded in ``store`` as soon as it finishes, whatever the order, so a
    Ctrl-C loses only the articles in flight and a rerun takes the rest from the store.
    ``on_finish(index, result)`` is called then too (in the caller's thread): to write a
    document or move a progress bar without waiting for the articles before it.
    """
    notify = on_finish or (lambda index, result: None)
    if any(not isinstance(text, str) or not text.strip() for text in texts):
        raise InputError("article is empty")
    options = with_strategy(make_options(options), backend)
    if concurrency <= 1 or not backend.concurrent:
        for index, text in enumerate(texts):
            result = summarize(text, backend=backend, options=options, store=store, no_cache=no_cache)
            notify(index, result)
            yield result
        return
    requests = [Request.of(backend, text, options) for text in texts]
    ready: dict[int, Result] = {}
    todo = []
    for index, (text, request) in enumerate(zip(texts, requests, strict=True)):
        hit = request.lookup(store) if store is not None and not no_cache else None
        if hit is not None:
            ready[index] = _result(hit.extraction, text, backend, True)
            notify(index, ready[index])
        else:
            todo.append(index)
    extract = lambda index: extract_or_fail(backend, texts[index], options)  # noqa: E731
    finished = run_concurrently(extract, todo, concurrency)
    for index in range(len(texts)):
        while index not in ready:  # record whatever finishes, in any order, until this one has
            done, extraction = next(finished)
            if store is not None:
                requests[done].record(store, extraction)
            ready[done] = _result(extraction, texts[done], backend, False)
            notify(done, ready[done])
        yield ready.pop(index)


def _get(answers: queue.Queue) -> Any:
    # In short waits: a Ctrl-C reaches the main thread between them, whichever thread the signal hit.
    while True:
        try:
            return answers.get(timeout=0.1)
        except queue.Empty:
            continue


def run_concurrently(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[tuple[T, R]]:
    """``(item, fn(item))`` for each item as it finishes, from up to ``workers`` threads.

    The threads are daemons: on Ctrl-C (or when the caller stops iterating) no new item starts
    and the process does not wait for the calls in flight (a request may take minutes).
    ``fn`` should not raise; if it does, the error is raised here.
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    done: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((item, fn(item), None))
            except BaseException as error:  # handed to the caller's thread, which raises it
                done.put((item, None, error))

    for _ in range(min(workers, len(items))):
        threading.Thread(target=work, daemon=True).start()
    try:
        for _ in items:
            item, value, error = _get(done)
            if error is not None:
                raise error
            yield item, value
    finally:
        stop.set()
