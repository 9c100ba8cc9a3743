"""Throughput through a serving engine against the in-process backend: the same model, articles,
prompt and grounded grammar (the "document" strategy), nothing from the run store.

Articles per second at each concurrency through the server, and once in process. Forward
passes per generated token come from the in-process decoder, which appends grammar-forced
tokens in one pass (fast-forward); the vLLM server reports no such count, and its guidance
backend does one pass per token. Results: ``serving.json`` and ``SERVING.md`` in the output folder.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.api import summarize_many
from summarizer.backends.base import Backend
from summarizer.backends.registry import get_backend
from summarizer.core.errors import InputError
from summarizer.core.io import write_json_atomic, write_text_atomic
from summarizer.core.records import ExtractOptions


@dataclass(frozen=True)
class ServingBenchOptions:
    base_url: str
    served_model: str
    articles_dir: Path
    local_model: str | None = None  # the same model as a folder, for the in-process row
    concurrencies: Sequence[int] = (1, 2, 4, 8)
    max_new_tokens: int = 400
    out_dir: Path = Path("benchmarks")


def run_serving_bench(options: ServingBenchOptions) -> dict[str, Any]:
    texts = _articles(options.articles_dir)
    extract = ExtractOptions(strategy="document", max_new_tokens=options.max_new_tokens)
    server = get_backend(options.served_model, "openai", base_url=options.base_url)
    rows = [_timed(server, texts, extract, concurrency) for concurrency in options.concurrencies]
    if options.local_model:
        local = get_backend(options.local_model, "transformers", device="cpu")
        rows.append(_timed(local, texts, extract, 1))
    results = {
        "server": server.describe(),
        "local_model": options.local_model,
        "articles": len(texts),
        "articles_dir": str(options.articles_dir),
        "max_new_tokens": options.max_new_tokens,
        "machine": {"cpus": _cpus(), "platform": platform.platform()},
        "rows": rows,
    }
    write_json_atomic(options.out_dir / "serving.json", results)
    write_text_atomic(options.out_dir / "SERVING.md", render_serving_markdown(results))
    return results


def _articles(folder: Path) -> list[str]:
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise InputError("no *.txt articles to benchmark", folder)
    return [path.read_text(encoding="utf-8") for path in paths]


def _cpus() -> int | None:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _timed(backend: Backend, texts: list[str], options: ExtractOptions, concurrency: int) -> dict[str, Any]:
    """One pass over ``texts`` after a warm-up article (model load, prefix cache and compilation left out)."""
    list(summarize_many(texts[:1], backend=backend, options=options))
    started = time.perf_counter()
    results = list(summarize_many(texts, backend=backend, options=options, concurrency=concurrency))
    seconds = time.perf_counter() - started
    tokens = sum(int(r.stats.get("generated_tokens") or 0) for r in results)
    passes = sum(int(r.stats.get("forward_passes") or 0) for r in results)
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    return {
        "backend": backend.name,
        "concurrency": concurrency if backend.concurrent else 1,
        "seconds": round(seconds, 2),
        "articles_per_second": round(len(texts) / seconds, 4),
        "generated_tokens": tokens,
        "tokens_per_second": round(tokens / seconds, 2),
        "forward_passes_per_token": round(passes / tokens, 3) if passes and tokens else None,
        "statuses": statuses,
    }


def render_serving_markdown(results: dict[str, Any]) -> str:
    server = results["server"]
    lines = [
        "# Serving at scale: throughput through a server against in-process",
        "",
        f"{results['articles']} articles from `{results['articles_dir']}`, at most {results['max_new_tokens']} new "
        f"tokens each, grounded grammar, greedy; server: {server.get('dialect')} {server.get('server_version')} "
        f"at {server.get('base_url')}, model `{server.get('model')}` ({server.get('revision')}); "
        f"in process: `{results.get('local_model')}`. Machine: {results['machine']['cpus']} CPUs.",
        "",
        "| backend | concurrency | seconds | articles/s | tokens/s | forward passes/token | statuses |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in results["rows"]:
        passes = row["forward_passes_per_token"]
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(row["statuses"].items()))
        lines.append(
            f"| {row['backend']} | {row['concurrency']} | {row['seconds']:.1f} | "
            f"{row['articles_per_second']:.3f} | {row['tokens_per_second']:.1f} | "
            f"{'n/a' if passes is None else f'{passes:.3f}'} | {statuses} |"
        )
    return "\n".join(lines) + "\n"
