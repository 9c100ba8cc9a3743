"""``summarizer bench``: the performance benchmark (run by hand; CI runs ``--smoke``).

The benchmark code lives in the repository's top-level ``benchmarks/`` package, outside the wheel:
these commands import it when they run, from a checkout (an editable install finds it anywhere; a
plain install finds it from the checkout's root folder), and say so in one line where it is absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.app import command, fail

DEFAULT_CONCURRENCY = [1, 2, 4, 8]  # server requests in flight, one benchmark row each
NOT_IN_CHECKOUT = "the benchmarks live in the repository's benchmarks/ folder; run from a checkout"


def require_benchmarks() -> None:
    """Make the top-level ``benchmarks`` package importable, or end the command (one line, exit status 2).

    Found on the path (an editable install puts the checkout there), or in the current folder when that
    is a checkout of this project (``benchmarks/__init__.py`` next to ``pyproject.toml``)."""
    import importlib.util
    import sys

    try:
        found = importlib.util.find_spec("benchmarks.run") is not None
    except ModuleNotFoundError:  # no package named benchmarks at all
        found = False
    if found:
        return
    checkout = Path.cwd()
    if (checkout / "benchmarks" / "run.py").is_file() and (checkout / "pyproject.toml").is_file():
        sys.path.insert(0, str(checkout))
        return
    raise fail(NOT_IN_CHECKOUT, code=2)


@command("bench")
def bench(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for RESULTS.md, results.json, profile.txt.")] = Path(
        "benchmarks"
    ),
    runs: Annotated[int, typer.Option("--runs", help="Timed repetitions; each timing is their median.")] = 3,
    max_new_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-new-tokens", help="The token cap of every system (default 128; with --model 4096, whole documents)."
        ),
    ] = None,
    articles: Annotated[int, typer.Option("--articles", help="How many seed articles (0: all).")] = 0,
    smoke: Annotated[bool, typer.Option("--smoke", help="Tiny model, one article, a few tokens: seconds.")] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Where the built benchmark model is kept (default ~/.cache/summarizer/bench-model)."
        ),
    ] = None,
    outlines_core_timeout: Annotated[
        float,
        typer.Option(
            "--outlines-core-timeout",
            help="Seconds allowed to outlines' default backend to compile the schema (0: skip).",
        ),
    ] = 120.0,
    profile: Annotated[
        bool, typer.Option("--profile/--no-profile", help="Profile one generation (pyinstrument).")
    ] = True,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="Real weights (.gguf file or model folder): strategies, speculation, other engines, batch "
            "sizes and dtypes on the seed articles (--articles, default 1).",
        ),
    ] = None,
    rules_scaling: Annotated[
        bool,
        typer.Option(
            "--rules-scaling",
            help="Only time the rules baseline on 1 MB and 5 MB of text, and add that to the results already in --out.",
        ),
    ] = False,
) -> None:
    """Benchmark the decode loop against outlines, plain model.generate and the memory-bandwidth floor (offline)."""
    require_benchmarks()
    from benchmarks.run import BenchOptions, record_rules_scaling, run_benchmark

    if model is not None:
        from benchmarks.real import RealBenchOptions, run_real_benchmark

        real = run_real_benchmark(
            RealBenchOptions(model=model, out_dir=out, articles=articles or 1, max_new_tokens=max_new_tokens or 4096),
            log=typer.echo,
        )
        missed = [t["target"] for t in real["targets"] if not t["met"]]
        typer.echo(
            f"wrote {out / 'RESULTS.md'} and {out / 'real.json'}"
            + (f"; targets missed: {', '.join(missed)}" if missed else "")
        )
        return
    if rules_scaling:
        figure = record_rules_scaling(out)["figures"]["rules_scaling"]
        typer.echo(
            f"rules baseline: {figure['growth_over_linear']}x linear growth from 1 MB to 5 MB; "
            f"wrote {out / 'RESULTS.md'} and {out / 'results.json'}"
        )
        return
    results = run_benchmark(
        BenchOptions(
            out_dir=out,
            runs=runs,
            max_new_tokens=max_new_tokens or 128,
            articles=articles,
            smoke=smoke,
            cache_dir=cache_dir,
            outlines_core_timeout=outlines_core_timeout,
            profile=profile,
        )
    )
    missed = [t["target"] for t in results["targets"] if t["met"] is False]
    typer.echo(
        f"wrote {out / 'RESULTS.md'} and {out / 'results.json'}"
        + (f"; targets missed: {', '.join(missed)}" if missed else "")
    )


@command("bench-serving")
def bench_serving(
    base_url: Annotated[str, typer.Option("--base-url", help="The server's URL up to /v1.")],
    model: Annotated[str, typer.Option("--model", "-m", help="The served model name.")],
    local_model: Annotated[
        str | None,
        typer.Option(
            "--local-model", help="The same model as a folder or hub id, for the in-process row (omit: server only)."
        ),
    ] = None,
    articles: Annotated[Path, typer.Option("--articles", help="Folder of *.txt articles.")] = Path(
        "benchmarks/serving-articles"
    ),
    concurrency: Annotated[
        list[int], typer.Option("--concurrency", min=1, help="Repeat: 1, 2, 4, 8 by default.")
    ] = DEFAULT_CONCURRENCY,  # noqa: B006 (typer's way to give a list default; it is never mutated)
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", min=1)] = 400,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for SERVING.md and serving.json.")] = Path(
        "benchmarks"
    ),
) -> None:
    """Articles per second through an OpenAI-compatible server at each concurrency, and in process."""
    require_benchmarks()
    from benchmarks.serving import ServingBenchOptions, run_serving_bench

    results = run_serving_bench(
        ServingBenchOptions(base_url, model, articles, local_model, tuple(concurrency), max_new_tokens, out)
    )
    for row in results["rows"]:
        typer.echo(
            f"{row['backend']} x{row['concurrency']}: {row['articles_per_second']:.3f} articles/s, "
            f"{row['tokens_per_second']:.1f} tokens/s"
        )
    typer.echo(f"wrote {out / 'SERVING.md'} and {out / 'serving.json'}")
