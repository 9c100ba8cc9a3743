"""``compare``: :func:`~summarizer.evaluation.evaluate.evaluate` for several models, then a leaderboard.

Each model's reports go to ``out/<model-slug>/``; the leaderboard (rows sorted by claim F1, or a
user task's item F1, and the article x model F1 matrix) to ``out/leaderboard.{md,json,png}``.
Rows and files are the task kit's (:mod:`summarizer.evaluation.generic`); this module computes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.core.dataset import Dataset, load_dataset
from summarizer.core.errors import InputError
from summarizer.core.io import check_output_file, check_output_folder
from summarizer.core.records import ExtractOptions
from summarizer.core.task import Task, load_task
from summarizer.evaluation.evaluate import (
    EvalResult,
    ProgressCallback,
    check_eval_outputs,
    data_dir_for,
    evaluate,
    make_backend,
    model_slug,
    require_labels,
)
from summarizer.evaluation.generic import evaluation_of
from summarizer.store import RunStore, store_session


@dataclass
class CompareResult:
    results: list[EvalResult]
    leaderboard: dict[str, Any]
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)


def compare(
    models: Sequence[str],
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    store: RunStore | str | Path | None = None,
    options: ExtractOptions | None = None,
    no_cache: bool = False,
    progress: ProgressCallback | None = None,
    *,
    backend_kwargs: Callable[[str], dict[str, Any]] | None = None,
    concurrency: int = 1,
    task: Task | str | Path | None = None,
    names: Sequence[str] | None = None,
) -> CompareResult:
    """:func:`evaluate` for each model, then a leaderboard sorted by claim F1.

    Each model's reports go to ``out_dir/<model-slug>/``; the leaderboard to
    ``out_dir/leaderboard.{md,json,png}``. Every generation is committed to the store
    as it is made, so rerunning after Ctrl-C regenerates nothing that finished.
    ``backend_kwargs(model)`` gives the keyword arguments of :func:`evaluate` for each model's
    backend (``backend``, ``backend_options``, or the options as keywords).
    ``names``: how the leaderboard, the chart and the reports name each model, one per model in the same
    order (default: each model's file or folder name); they also name the models' folders.
    """
    if not models:
        raise InputError("compare needs at least one model")
    named = _names(models, names)
    task = load_task(task)
    dataset = load_dataset(data_dir_for(data_dir, task), task)
    require_labels(dataset, data_dir)
    out = Path(out_dir) if out_dir is not None else None
    slugs = _unique_slugs(models, named)
    if out is not None:  # every output checked before the first model runs
        check_output_folder(out)
        for name in evaluation_of(task).LEADERBOARD_FILES:
            check_output_file(out / name)
        for slug in slugs.values():
            check_eval_outputs(out / slug, task)
    results = []
    with store_session(store) as run_store:
        # Every model resolved and checked (exists, loadable) before the first one generates.
        backends = {m: make_backend(m, task=task, **(backend_kwargs(m) if backend_kwargs else {})) for m in models}
        for model in models:
            model_out = out / slugs[model] if out is not None else None
            result = evaluate(
                model,
                data_dir,
                model_out,
                run_store,
                options,
                no_cache,
                progress,
                backend=backends[model],
                dataset=dataset,
                concurrency=concurrency,
                task=task,
                name=named[model],
            )
            result.slug = slugs[model]
            results.append(result)
    board = build_leaderboard(results, dataset, task)
    outcome = CompareResult(results, board, out)
    if out is not None:
        outcome.files = write_leaderboard(board, out, task)
    return outcome


def _names(models: Sequence[str], names: Sequence[str] | None) -> dict[str, str | None]:
    """Each model's given name (None: its display name), checked: one per model, none twice."""
    if not names:
        return dict.fromkeys(models)
    if len(names) != len(models):
        raise InputError(f"{len(names)} names for {len(models)} models: give one name per model, in the same order")
    if len(set(names)) != len(names):
        raise InputError("compare was given the same name twice: " + ", ".join(sorted(_duplicates(names))))
    return dict(zip(models, names, strict=True))


def _unique_slugs(models: Sequence[str], names: dict[str, str | None]) -> dict[str, str]:
    if len(set(models)) != len(models):
        raise InputError("compare was given the same model twice: " + ", ".join(sorted(_duplicates(models))))
    slugs: dict[str, str] = {}
    for model in models:
        base = model_slug(model, names[model])
        slug, n = base, 2
        while slug in slugs.values():
            slug, n = f"{base}-{n}", n + 1
        slugs[model] = slug
    return slugs


def _duplicates(models: Sequence[str]) -> set[str]:
    return {m for m in models if list(models).count(m) > 1}


def build_leaderboard(results: Sequence[EvalResult], dataset: Dataset, task: Task | None = None) -> dict[str, Any]:
    """Rows sorted by claim F1 (a user task: item F1; best first) and the article x model F1 matrix."""
    task = load_task(task)
    hooks = evaluation_of(task)
    key = hooks.LEADERBOARD_KEY
    rows = sorted((hooks.leaderboard_row(r) for r in results), key=lambda row: -(row[key] or 0.0))
    article_ids = sorted({row["id"] for r in results for row in r.report["per_article"]})
    matrix = {
        "articles": article_ids,
        "models": [row["model"] for row in rows],
        "f1": [[_article_f1(_result_for(results, row["model"]), a) for row in rows] for a in article_ids],
    }
    return {
        "data": str(dataset.root),
        **hooks.board_fields(task),
        "n_articles": len(article_ids),
        "unlabelled": list(dataset.unlabelled),
        "models": rows,
        "article_f1": matrix,
    }


def _result_for(results: Sequence[EvalResult], model: str) -> EvalResult:
    return next(r for r in results if r.model == model)


def _article_f1(result: EvalResult, article_id: str) -> float | None:
    for row in result.report["per_article"]:
        if row["id"] == article_id:
            return row.get("f1")
    return None


def write_leaderboard(board: dict[str, Any], out_dir: Path, task: Task | None = None) -> list[Path]:
    """The task's leaderboard files (claims: leaderboard.json, .md, .png; another task: .json, .md)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = evaluation_of(task).write_leaderboard(board, out_dir)
    return paths
