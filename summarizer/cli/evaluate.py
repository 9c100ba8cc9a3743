"""``summarizer eval`` and ``summarizer compare``: benchmark models on a labelled dataset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from summarizer.cli.app import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_NEW_TOKENS,
    ApiKeyEnvOption,
    BackendOption,
    BackendOptOption,
    BaseUrlOption,
    ConcurrencyOption,
    DataOption,
    DeviceOption,
    DialectOption,
    DtypeOption,
    GroundingOption,
    MaxNewTokensOption,
    ModelOption,
    ModelsOption,
    NameOption,
    NamesOption,
    NoCacheOption,
    OutDirOption,
    QuietOption,
    RevisionOption,
    SeedOption,
    StoreOption,
    StrategyOption,
    SummaryOption,
    TaskOption,
    TemperatureOption,
    TimeoutOption,
    TopPOption,
    TrustRemoteCodeOption,
    check_sampling,
    check_strategy,
    command,
)
from summarizer.engine.presets import DEFAULT_MODEL


def evaluation_of(task):
    """The task kit's scorer and pages (imported on use: ``--help`` stays light)."""
    from summarizer.evaluation.generic import evaluation_of as of

    return of(task)


def _options(
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    seed: int,
    grounding: bool,
    strategy: str | None,
    summary: str,
    task,
):
    from summarizer.core.records import ExtractOptions

    check_sampling(temperature, top_p, seed)
    check_strategy(strategy, summary, task)
    return ExtractOptions(
        grounded=grounding,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        seed=seed,
        strategy=strategy,  # None: the task kit's default, chosen by the library
        summary=summary,
    )


def _backend_kwargs(backend: str | None, pairs: list[str] | None, **flags: Any):
    """Each model's backend and its options (of those given, only the ones that backend takes)."""
    from summarizer.cli.app import backend_choice

    def for_model(model: str) -> dict[str, Any]:
        name, options = backend_choice(model, backend, pairs, **flags)
        return {"backend": name, "backend_options": options}

    return for_model


@command("eval")
def eval_command(
    model: ModelOption = DEFAULT_MODEL,
    name: NameOption = None,
    data: DataOption = None,
    out: OutDirOption = None,
    store: StoreOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    max_new_tokens: MaxNewTokensOption = DEFAULT_MAX_NEW_TOKENS,
    temperature: TemperatureOption = 0.0,
    top_p: TopPOption = 1.0,
    seed: SeedOption = 0,
    task: TaskOption = "claims",
    grounding: GroundingOption = True,
    strategy: StrategyOption = None,
    summary: SummaryOption = "model",
    device: DeviceOption = "auto",
    dtype: DtypeOption = "auto",
    trust_remote_code: TrustRemoteCodeOption = False,
    revision: RevisionOption = None,
    backend: BackendOption = None,
    backend_opt: BackendOptOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = None,
    dialect: DialectOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = DEFAULT_CONCURRENCY,
) -> None:
    """Score one model on a labelled dataset; write report.json, report.md, review.html and predictions/.

    Reports go to --out (default reports/<name or model>/). Every generation is kept in the run
    store, so an identical second run generates nothing (unless --no-cache).
    """
    from summarizer.core.task import load_task
    from summarizer.evaluation.evaluate import evaluate, model_slug

    chosen_task = load_task(task)
    out_dir = out if out is not None else Path("reports") / model_slug(model, name)
    options = _options(max_new_tokens, temperature, top_p, seed, grounding, strategy, summary, chosen_task)
    with _progress(quiet) as progress:
        result = evaluate(
            model,
            data_dir=data,
            out_dir=out_dir,
            store=store,
            options=options,
            task=chosen_task,
            no_cache=no_cache,
            progress=progress,
            concurrency=concurrency,
            name=name,
            **_backend_kwargs(
                backend,
                backend_opt,
                device=device,
                dtype=dtype,
                trust_remote_code=trust_remote_code,
                revision=revision,
                base_url=base_url,
                api_key_env=api_key_env,
                dialect=dialect,
                timeout=timeout,
            )(model),
        )
    _print_report(result.report, chosen_task)
    left_out = _print_notes(result.report)
    pages = ", ".join(evaluation_of(chosen_task).REPORT_FILES)
    typer.echo(f"reports: {out_dir}/ ({pages}, predictions/)")
    if left_out:
        raise typer.Exit(1)  # scored what was fine; the benchmark itself is incomplete


@command("compare")
def compare_command(
    models: ModelsOption,
    names: NamesOption = None,
    data: DataOption = None,
    out: OutDirOption = None,
    store: StoreOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    max_new_tokens: MaxNewTokensOption = DEFAULT_MAX_NEW_TOKENS,
    temperature: TemperatureOption = 0.0,
    top_p: TopPOption = 1.0,
    seed: SeedOption = 0,
    task: TaskOption = "claims",
    grounding: GroundingOption = True,
    strategy: StrategyOption = None,
    summary: SummaryOption = "model",
    device: DeviceOption = "auto",
    dtype: DtypeOption = "auto",
    trust_remote_code: TrustRemoteCodeOption = False,
    revision: RevisionOption = None,
    backend: BackendOption = None,
    backend_opt: BackendOptOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = None,
    dialect: DialectOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = DEFAULT_CONCURRENCY,
) -> None:
    """Score several models on the same dataset; write each model's reports and a leaderboard.

    Reports go to --out (default reports/compare/): leaderboard.md, .json, .png and one
    folder per model. Interrupted? Run the same command again: finished work comes from the store.
    """
    from summarizer.core.task import load_task
    from summarizer.evaluation.compare import compare

    if names and len(names) != len(models):
        raise typer.BadParameter(
            f"give one --name per --model, in the same order (got {len(names)} for {len(models)} models)",
            param_hint="--name",
        )
    chosen_task = load_task(task)
    out_dir = out if out is not None else Path("reports") / "compare"
    options = _options(max_new_tokens, temperature, top_p, seed, grounding, strategy, summary, chosen_task)
    with _progress(quiet) as progress:
        outcome = compare(
            models,
            data_dir=data,
            out_dir=out_dir,
            store=store,
            options=options,
            task=chosen_task,
            no_cache=no_cache,
            progress=progress,
            backend_kwargs=_backend_kwargs(
                backend,
                backend_opt,
                device=device,
                dtype=dtype,
                trust_remote_code=trust_remote_code,
                revision=revision,
                base_url=base_url,
                api_key_env=api_key_env,
                dialect=dialect,
                timeout=timeout,
            ),
            concurrency=concurrency,
            names=names,
        )
    evaluation_of(chosen_task).print_leaderboard(outcome.leaderboard)
    left_out = _print_notes(outcome.results[0].report, failures=False)  # the dataset is the same for all
    for result in outcome.results:
        _print_failures(result.report, prefix=f"{result.model}: ")
    pages = evaluation_of(chosen_task).COMPARE_PAGES
    typer.echo(f"reports: {out_dir}/ (leaderboard.md, leaderboard.json, {pages})")
    if left_out:
        raise typer.Exit(1)


@contextmanager
def _progress(quiet: bool) -> Iterator[Any]:
    """The progress bar (one line per model, with how many articles came from the run store)."""
    from summarizer.cli.progress import CACHED, ProgressBar

    with ProgressBar(quiet, CACHED) as bar:

        def update(event) -> None:
            bar.task(event.model, event.total)
            bar.advance(event.model, from_cache=event.from_cache)

        yield update


def _print_report(report: dict, task) -> None:
    """The same headline table as ``summarizer score``, then cache use and speed."""
    from rich.console import Console

    from summarizer.reporting.formatting import fmt

    Console().print(*evaluation_of(task).headline_tables(report))
    typer.echo(
        f"{report['model']}: {report['n_generated']} generated, {report['n_cached']} from the run store; "
        f"{fmt(report.get('seconds_per_article'))} s/article, {fmt(report.get('tokens_per_second'), 1)} tokens/s"
    )


def _print_notes(report: dict, failures: bool = True) -> int:
    """Unlabelled articles, files that could not be used (and failed generations), on stderr.
    Returns how many files were left out: each is an error, printed as one."""
    if report.get("unlabelled"):
        typer.echo(f"unlabelled, left out of the scores: {', '.join(report['unlabelled'])}", err=True)
    problems = report.get("problems") or {}
    left_out = [*problems.get("unreadable_gold", []), *problems.get("unreadable_articles", [])]
    for entry in left_out:
        typer.echo(f"error: {entry['path']}: {entry['reason']}", err=True)
    if failures:
        _print_failures(report)
    return len(left_out)


def _print_failures(report: dict, prefix: str = "") -> None:
    for failure in report.get("failed") or []:
        typer.echo(f"{prefix}failed on {failure['article']} (counted invalid): {failure['reason']}", err=True)
