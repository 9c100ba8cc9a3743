"""``summarizer summarize PATH...``: articles in, claims documents out."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from summarizer.cli.app import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_NEW_TOKENS,
    ApiKeyEnvOption,
    BackendOption,
    BackendOptOption,
    BaseUrlOption,
    ConcurrencyOption,
    DeviceOption,
    DialectOption,
    DtypeOption,
    GroundingOption,
    MaxFiguresOption,
    MaxNewTokensOption,
    ModelOption,
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
    backend_choice,
    check_sampling,
    check_strategy,
    command,
    note_backend_choice,
)
from summarizer.cli.progress import ProgressBar
from summarizer.core.inputs import collect_articles
from summarizer.core.records import DEFAULT_MAX_FIGURES
from summarizer.engine.presets import DEFAULT_MODEL

HELP = f"""Extract the document of each article: its claims, or what --task asks for.

PATH is an article file, a folder (its *.txt files) or '-' for standard input (id
"stdin"). Articles must be UTF-8: a file that is not, or that is empty, fails with a
one-line message on stderr and the other articles go on.

With --out DIR each document is written to DIR/<id>.json in the gold format (what
`summarizer score --pred DIR` reads), each file complete or absent even on Ctrl-C.
Without --out documents go to stdout: one article prints its document; several
print JSON Lines, one line per article in the order given, `null` for an article
without a document. --jsonl FILE appends one run record per article (id, model,
status, reason, document, offsets, stats).

An article cut off by --max-new-tokens gets no document (status "truncated").
Every generation is recorded in the run store; an identical request (same model,
prompt, schema, article and options) is answered from it unless --no-cache.
Exit status 1 if any article failed or got no document. Default model: {DEFAULT_MODEL}.
"""


@dataclass
class Sinks:
    out_dir: Path | None
    jsonl: TextIO | None
    stdout_lines: bool  # several articles to stdout: JSON Lines

    def document(self, article_id: str, result: Any) -> None:
        """--out DIR/<id>.json, as soon as the article is done (Ctrl-C then keeps it)."""
        from summarizer.core.io import write_json_atomic

        if self.out_dir is not None and result.document is not None:
            write_json_atomic(self.out_dir / f"{article_id}.json", result.document)

    def record(self, article_id: str, model: str, result: Any | None, error: str | None) -> None:
        """stdout and --jsonl, in the order of the articles."""
        document = result.document if result is not None else None
        if self.out_dir is None:
            self._stdout(document)
        if self.jsonl is not None:
            record = (
                result.record()
                if result is not None
                else {"document": None, "offsets": [], "status": "failed", "reason": error, "stats": {}, "model": model}
            )
            self.jsonl.write(json.dumps({"id": article_id, **record}, ensure_ascii=False) + "\n")
            self.jsonl.flush()

    def _stdout(self, document: dict | None) -> None:
        if self.stdout_lines:
            typer.echo(json.dumps(document, ensure_ascii=False))
        elif document is not None:
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        sys.stdout.flush()


def figures_left(stats: Any) -> str:
    """What the figure cap left out of an article (tasks/claims/article_limits), in a few words."""
    found, unasked = stats["figures_found"], stats["figures_unasked"]
    return (
        f"{found} candidate figures; the {found - unasked} most likely to be claims were asked, "
        f"{unasked} left unasked (--max-figures raises the cap)"
    )


@command(name="summarize", help=HELP)
def summarize_command(
    paths: Annotated[
        list[str], typer.Argument(metavar="PATH", help="Article files, folders of *.txt, or '-' for stdin.")
    ],
    model: ModelOption = DEFAULT_MODEL,
    out: OutDirOption = None,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="Append run records (JSON Lines) to this file.")] = None,
    task: TaskOption = "claims",
    grounding: GroundingOption = True,
    strategy: StrategyOption = None,
    summary: SummaryOption = "model",
    max_new_tokens: MaxNewTokensOption = DEFAULT_MAX_NEW_TOKENS,
    max_figures: MaxFiguresOption = DEFAULT_MAX_FIGURES,
    temperature: TemperatureOption = 0.0,
    top_p: TopPOption = 1.0,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    dtype: DtypeOption = "auto",
    trust_remote_code: TrustRemoteCodeOption = False,
    revision: RevisionOption = None,
    store: StoreOption = None,
    no_cache: NoCacheOption = False,
    quiet: QuietOption = False,
    backend: BackendOption = None,
    backend_opt: BackendOptOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = None,
    dialect: DialectOption = None,
    timeout: TimeoutOption = None,
    concurrency: ConcurrencyOption = DEFAULT_CONCURRENCY,
) -> None:
    from summarizer.api import load_backend, make_options, summarize_many
    from summarizer.core.io import check_output_folder, open_for_append
    from summarizer.core.task import load_task
    from summarizer.store import store_session

    check_sampling(temperature, top_p, seed)
    chosen_task = load_task(task)
    check_strategy(strategy, summary, chosen_task)  # no --strategy: the library takes the task's default
    if out is not None:
        check_output_folder(out)
    articles = collect_articles(paths)
    failed = 0
    with ExitStack() as stack:
        # Output paths first: a bad --out or --jsonl must not cost a model load.
        records = stack.enter_context(open_for_append(jsonl)) if jsonl else None
        name, backend_options = backend_choice(
            model,
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
        )
        chosen = load_backend(model, name, backend_options, task=chosen_task)
        note_backend_choice(model, backend, name)
        options = make_options(
            grounded=grounding,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            seed=seed,
            strategy=strategy,
            summary=summary,
            max_figures=max_figures,
        )
        sinks = Sinks(out, records, stdout_lines=out is None and len(articles) > 1)
        progress = stack.enter_context(ProgressBar(quiet))
        progress.task("summarizing", len(articles))
        run_store = stack.enter_context(store_session(store))
        errors = [
            article.error or (None if (article.text or "").strip() else f"{article.source}: article is empty")
            for article in articles
        ]
        readable = [article for article, error in zip(articles, errors, strict=True) if error is None]

        def finished(index: int, result: Any) -> None:  # in the order articles finish
            sinks.document(readable[index].id, result)
            progress.advance("summarizing", result.stats)

        results = summarize_many(
            [article.text or "" for article in readable],
            backend=chosen,
            options=options,
            store=run_store,
            no_cache=no_cache,
            concurrency=concurrency,
            on_finish=finished,
        )
        for article, error in zip(articles, errors, strict=True):
            result = next(results) if error is None else None  # in the order of the articles
            if result is not None and result.status != "ok":
                error = f"{article.source}: {result.status}: {result.reason}"
            if result is not None and result.stats.get("figures_unasked"):
                progress.message(f"warning: {article.source}: {figures_left(result.stats)}")
            if error:
                failed += 1
                progress.message(f"error: {error}")
            sinks.record(article.id, chosen.model_id, result, error)
            if result is None:
                progress.advance("summarizing")
    if failed:
        typer.echo(f"{failed} of {len(articles)} articles failed", err=True)
        raise typer.Exit(1)
