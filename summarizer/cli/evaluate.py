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
    task_strategy,
)
from summarizer.engine.presets import DEFAULT_MODEL


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
    from summarizer.backends.base import ExtractOptions

    check_sampling(temperature, top_p)
    check_strategy(strategy, summary)
    return ExtractOptions(
        grounded=grounding,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
        top_p=top_p,
        seed=seed,
        strategy=task_strategy(task, strategy),
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

    Reports go to --out (default reports/<model>/). Every generation is kept in the run
    store, so an identical second run generates nothing (unless --no-cache).
    """
    from summarizer.core.task import load_task
    from summarizer.evaluation.evaluate import evaluate, model_slug

    chosen_task = load_task(task)
    out_dir = out if out is not None else Path("reports") / model_slug(model)
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
    _print_report(result.report)
    left_out = _print_notes(result.report)
    pages = "report.json, report.md, review.html" if chosen_task.is_claims else "report.json, report.md"
    typer.echo(f"reports: {out_dir}/ ({pages}, predictions/)")
    if left_out:
        raise typer.Exit(1)  # scored what was fine; the benchmark itself is incomplete


@command("compare")
def compare_command(
    models: ModelsOption,
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
        )
    _print_leaderboard(outcome.leaderboard)
    left_out = _print_notes(outcome.results[0].report, failures=False)  # the dataset is the same for all
    for result in outcome.results:
        _print_failures(result.report, prefix=f"{result.model}: ")
    pages = "leaderboard.png, <model>/review.html" if chosen_task.is_claims else "<model>/report.md"
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


def _print_report(report: dict) -> None:
    """The same headline table as ``summarizer score``, then cache use and speed."""
    from rich.console import Console

    from summarizer.reporting.formatting import fmt
    from summarizer.reporting.task_report import task_tables
    from summarizer.tasks.claims.terminal import headline_table

    Console().print(*(task_tables(report)[:1] if "task" in report else [headline_table(report)]))
    typer.echo(
        f"{report['model']}: {report['n_generated']} generated, {report['n_cached']} from the run store; "
        f"{fmt(report.get('seconds_per_article'))} s/article, {fmt(report.get('tokens_per_second'), 1)} tokens/s"
    )


# The terminal table keeps the columns that decide; leaderboard.md has them all.
TERMINAL_COLUMNS = (
    ("claim_f1", "F1 [95% CI]", "claim_f1_ci"),
    ("strict_f1", "strict F1", None),
    ("attributed_f1", "attributed F1", None),
    ("validity_rate", "valid", None),
    ("grounding_rate", "grounded", None),
    ("summary_invented_number_rate", "summ. invented", None),
    ("seconds_per_article", "s/article", None),
)


def _print_leaderboard(board: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from summarizer.reporting.formatting import fmt, fmt_ci
    from summarizer.tasks.claims.terminal import default_console

    if "task" in board:  # a user task: leaderboard.md's table, as text
        from summarizer.reporting.task_report import render_task_leaderboard_markdown

        typer.echo(render_task_leaderboard_markdown(board))
        return
    table = Table(title=f"Leaderboard: {board['n_articles']} articles, by claim F1")
    table.add_column("model", overflow="fold")
    for _, label, ci in TERMINAL_COLUMNS:
        # Short values under long headers: on a narrow terminal the headers fold, not the model names.
        table.add_column(label, justify="right", no_wrap=ci is not None, overflow="fold")
    for row in board["models"]:
        cells = [fmt_ci(row.get(k), row.get(c)) if c else fmt(row.get(k)) for k, _, c in TERMINAL_COLUMNS]
        table.add_row(escape(row["slug"]), *cells)
    default_console().print(table)


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
