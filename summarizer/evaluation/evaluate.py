"""``eval``: run a model over a labelled dataset, score it, write its reports.

Every generation goes through :func:`summarizer.api.summarize` with the run store,
so an identical request is never generated twice: re-scoring is free and an
interrupted comparison resumes where it stopped. Rendering lives in
the task kit's evaluation module (:mod:`summarizer.evaluation.generic`: e.g. the claims task's
review page); this module computes. ``compare`` (several models, a leaderboard) is
:mod:`summarizer.evaluation.compare`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.api import summarize_many, with_strategy
from summarizer.backends.base import Backend
from summarizer.backends.registry import get_backend
from summarizer.core.dataset import Dataset, load_dataset
from summarizer.core.errors import InputError
from summarizer.core.io import check_output_file, check_output_folder
from summarizer.core.kit import kit_for
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.resources import seeds_dir
from summarizer.core.status import Status
from summarizer.core.task import Task, load_task
from summarizer.evaluation.generic import evaluation_of
from summarizer.evaluation.predictions import document_of
from summarizer.store import RunStore, store_session


@dataclass(frozen=True)
class Progress:
    """Sent to the ``progress`` callback after each article."""

    model: str
    article_id: str
    done: int
    total: int
    from_cache: bool
    status: Status


ProgressCallback = Callable[[Progress], None]


@dataclass
class EvalResult:
    """One model on one dataset."""

    model: str
    slug: str
    report: dict[str, Any]  # report.json's content
    extractions: dict[str, Extraction]
    unlabelled: list[str]
    problems: list[str]
    out_dir: Path | None = None
    task: Task | None = None  # None: claims

    @property
    def n_generated(self) -> int:
        return self.report["n_generated"]

    @property
    def n_cached(self) -> int:
        return self.report["n_cached"]


def model_slug(model: str, name: str | None = None) -> str:
    """A folder name for a model: the name the user gave it (``--name``), else 'rules',
    'Qwen--Qwen2.5-1.5B-Instruct', a local folder's name, a file's stem."""
    path = Path(model).expanduser()
    if name:
        text = name
    elif path.is_dir():
        text = path.resolve().name
    else:  # a GGUF file is named after its file, not its whole path
        text = path.stem if path.is_file() else model.replace("/", "--")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug or "model"


def evaluate(
    model: str,
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    store: RunStore | str | Path | None = None,
    options: ExtractOptions | None = None,
    no_cache: bool = False,
    progress: ProgressCallback | None = None,
    *,
    backend: Backend | str | None = None,
    dataset: Dataset | None = None,
    concurrency: int = 1,
    task: Task | str | Path | None = None,
    name: str | None = None,
    backend_options: Any = None,
    **backend_kwargs: Any,
) -> EvalResult:
    """Generate (or reuse) a document for every labelled article, score, and write reports.

    ``store``: an open :class:`RunStore`, a path, or None for the default store.
    ``backend``: a ready :class:`Backend`, or a registry name; the backend is otherwise
    ``get_backend(model, backend, lazy=True, options=backend_options, task=task, **backend_kwargs)``
    (its options as the backend's Options, or as keyword arguments), built once for all
    articles and loaded only if an article is not in the store.
    ``concurrency``: articles in flight at once, for a backend that allows it (a server).
    ``task``: what to extract and how to score it (a Task, a task folder or ``"claims"``, the
    default); a task other than claims needs ``data_dir`` (the seeds are claims).
    Reports go to ``out_dir`` when given: report.json, report.md, review.html (claims only).
    ``name``: how the reports name the model (tables, the review page; report.json's ``name``),
    default its :func:`~summarizer.reporting.formatting.display_name`; report.json's ``model`` keeps
    ``model`` as given.
    """
    from summarizer.reporting.formatting import display_name

    task = load_task(task)
    if out_dir is not None:
        check_eval_outputs(Path(out_dir), task)  # before any model time is spent
    dataset = dataset if dataset is not None else load_dataset(data_dir_for(data_dir, task), task)
    require_labels(dataset, data_dir)
    with store_session(store) as run_store:
        if not isinstance(backend, Backend):
            backend = make_backend(model, backend, backend_options, task=task, **backend_kwargs)
        options = with_strategy(options or ExtractOptions(), backend)  # the task kit's default if none is named
        runs = _generate(model, backend, dataset, run_store, options, no_cache, progress, concurrency)
    result = _score(model, backend, dataset, runs, task)
    result.report["name"] = name or display_name(model)
    result.slug = model_slug(model, name)
    result.report["options"] = options.as_dict()
    if out_dir is not None:
        write_eval_reports(result, dataset, Path(out_dir))
    return result


def check_eval_outputs(out_dir: Path, task: Task | None = None) -> None:
    """OutputError unless every report of :func:`write_eval_reports` can be written under ``out_dir``."""
    check_output_folder(out_dir)
    check_output_folder(out_dir / "predictions")
    for name in _report_files(load_task(task)):
        check_output_file(out_dir / name)


def _report_files(task: Task) -> tuple[str, ...]:
    # The task's kit says which (claims: a review page too); a task without one gets the reports.
    files: tuple[str, ...] = evaluation_of(task).REPORT_FILES
    return files


def data_dir_for(data_dir: str | Path | None, task: Task) -> Path:
    """The dataset folder: ``data_dir``, else the task kit's own (claims: the bundled seeds)."""
    if data_dir:
        return Path(data_dir)
    default = kit_for(task).hook("dataset")
    if default is None:
        raise InputError(
            f"task {task.name!r} needs --data (a folder with articles/ and labels/ of that task); "
            "the bundled seeds are claims",
            task.source,
        )
    return Path(default())


def require_labels(dataset: Dataset, data_dir: str | Path | None) -> None:
    """InputError, naming the first unusable file, unless the dataset has a labelled article."""
    if dataset.labels:
        return
    if dataset.problems:  # say why: the first file that could not be used, with its reason
        first = _problem_entry(dataset.problems[0])
        raise InputError(
            f"{first['reason']} (no labelled article is usable: {len(dataset.problems)} file(s) "
            f"left out, this is the first)",
            first["path"],
        )
    raise InputError("dataset has no labelled articles (labels/<id>.json)", data_dir or seeds_dir())


@dataclass
class _Run:
    extraction: Extraction
    from_cache: bool


def _generate(
    model: str,
    backend: Backend,
    dataset: Dataset,
    store: RunStore,
    options: ExtractOptions,
    no_cache: bool,
    progress: ProgressCallback | None,
    concurrency: int = 1,
) -> dict[str, _Run]:
    ids = sorted(dataset.labels)
    runs: dict[str, _Run] = {}
    # The same entry point as the CLI and Python users; the store makes reruns free.
    results = summarize_many(
        [dataset.articles[i] for i in ids],
        backend=backend,
        options=options,
        store=store,
        no_cache=no_cache,
        concurrency=concurrency,
    )
    for done, (article_id, result) in enumerate(zip(ids, results, strict=True), 1):
        extraction = Extraction(result.raw, result.document, result.status, result.reason, result.stats)
        runs[article_id] = _Run(extraction, result.from_cache)
        if progress is not None:
            progress(Progress(model, article_id, done, len(ids), result.from_cache, result.status))
    return runs


def score_for_task(
    task: Task, gold: dict[str, dict], pred: dict[str, dict | None], articles: dict[str, str] | None = None
) -> dict[str, Any]:
    """The task kit's scorer (claims: the claims scorer), else the generic task scorer
    (:mod:`summarizer.evaluation.task_scoring`)."""
    report: dict[str, Any] = evaluation_of(task).score(gold, pred, task, articles)
    return report


def _score(model: str, backend: Backend, dataset: Dataset, runs: dict[str, _Run], task: Task) -> EvalResult:
    # As in api.summarize, an "ok" generation has a document and a "truncated" one what it
    # finished; the scorer counts the others (invalid, failed) as invalid documents with zero claims.
    pred = {article_id: document_of(run.extraction) for article_id, run in runs.items()}
    gold = {article_id: dataset.labels[article_id] for article_id in runs}
    articles = {article_id: dataset.articles[article_id] for article_id in runs}
    report = score_for_task(task, gold, pred, articles)
    report.update(_run_summary(model, backend, runs))
    report["unlabelled"] = list(dataset.unlabelled)
    report["problems"] = _problems(report, runs, dataset)
    report["inputs"] = {
        "data": str(dataset.root),
        "gold": str(dataset.root / "labels"),
        "pred": None,  # generated by the model (or served from the run store)
        "articles": str(dataset.root / "articles"),
    }
    extractions = {article_id: run.extraction for article_id, run in runs.items()}
    return EvalResult(
        model, model_slug(model), report, extractions, list(dataset.unlabelled), list(dataset.problems), task=task
    )


def _problems(report: dict[str, Any], runs: dict[str, _Run], dataset: Dataset) -> dict[str, list]:
    """The ``problems`` of ``summarizer score --json``, filled from the generations and the dataset."""
    invalid = [
        {"id": row["id"], "reason": runs[row["id"]].extraction.reason or row.get("invalid_reason")}
        for row in report["per_article"]
        if not row["valid"]
    ]
    labels_dir = str(dataset.root / "labels")
    unreadable = [_problem_entry(line) for line in dataset.problems]
    return {
        "missing_predictions": [],  # every labelled article is generated
        "invalid_predictions": invalid,
        "stray_predictions": [],
        "unreadable_gold": [entry for entry in unreadable if entry["path"].startswith(labels_dir)],
        "unreadable_articles": [entry for entry in unreadable if not entry["path"].startswith(labels_dir)],
    }


def _problem_entry(line: str) -> dict[str, str]:
    """``"<path>: <reason>"`` (a Dataset problem line) as ``{"id", "path", "reason"}``."""
    path, _, reason = line.partition(": ")
    return {"id": Path(path).stem, "path": path, "reason": reason}


def _run_summary(model: str, backend: Backend, runs: dict[str, _Run]) -> dict[str, Any]:
    """Model, cache use, statuses, speed. Timings are those of the original generations."""
    stats = [run.extraction.stats for run in runs.values()]
    seconds = sum(float(s.seconds or 0.0) for s in stats)
    tokens = sum(int(s.generated_tokens or 0) for s in stats)
    statuses: dict[str, int] = {}
    for run in runs.values():
        statuses[run.extraction.status.value] = statuses.get(run.extraction.status.value, 0) + 1
    return {
        "model": model,
        "backend": backend.describe(),
        "n_articles": len(runs),
        "n_generated": sum(not run.from_cache for run in runs.values()),
        "n_cached": sum(run.from_cache for run in runs.values()),
        "statuses": statuses,
        "failed": [
            {"article": article_id, "reason": run.extraction.reason}
            for article_id, run in runs.items()
            if run.extraction.status is Status.FAILED
        ],
        "seconds_per_article": seconds / len(runs) if runs else None,
        "tokens_per_second": tokens / seconds if seconds > 0 and tokens > 0 else None,
        "generated_tokens": tokens,
    }


def write_eval_reports(result: EvalResult, dataset: Dataset, out_dir: Path) -> list[Path]:
    """The task's reports for one model (claims: report.json, report.md, review.html; another task:
    report.json, report.md) and predictions/<id>.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = evaluation_of(result.task).write_reports(result, dataset, out_dir)
    result.out_dir = out_dir
    return paths


def make_backend(
    model: str, backend: str | None = None, backend_options: Any = None, *, task: Task | None = None, **values: Any
) -> Backend:
    """The backend for ``model``, built lazily: loaded only when an article is not in the store."""
    return get_backend(model, backend, lazy=True, options=backend_options, task=task, **values)
