"""The benchmark run: options, timed runs of every system on every article, the rules
baseline's scaling with article length, and the results they make.

Run by hand (``summarizer bench`` or ``python -m benchmarks``), never in CI (CI runs the
seconds-long ``--smoke`` version). Everything is offline: greedy decoding, a fixed token cap,
the seed articles and the claims schema, on the model of :mod:`benchmarks.model`.

Figures, in one run: (1) mask overhead per token, (2) forward passes per generated
token and forced-token share, (3) prefill cold vs warm (shared prompt prefix cached),
(4) end-to-end seconds per article against ``outlines`` and plain ``model.generate``
with an llguidance logits processor, (5) per-token decode time against the memory
bandwidth floor, (6) peak resident memory, (7) the rules baseline against article length.
Written to ``RESULTS.md`` and ``results.json`` (:mod:`benchmarks.report`) with the
targets of the performance issue, met or not (:mod:`benchmarks.figures`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import figures as fig
from benchmarks.machine import (
    load_average,
    machine_info,
    memory_bandwidth,
    peak_rss_mib,
    weight_bytes,
)
from benchmarks.model import default_cache_dir, ensure_bench_model, ensure_smoke_model
from benchmarks.replay import profile_project, replay_gold_documents
from benchmarks.systems import (
    SYSTEMS,
    OutlinesRunner,
    Workbench,
    load_workbench,
    outlines_core_compile,
    require_outlines,
    run_plain_generate,
    run_project,
    run_unconstrained,
)
from summarizer.core.errors import SummarizerError


@dataclass
class BenchOptions:
    out_dir: Path = Path("benchmarks")
    runs: int = 3  # timed repetitions; every timing is the median over them
    max_new_tokens: int = 128  # the fixed cap: random weights never stop, every system runs to it
    articles: int = 0  # how many seed articles (0: all)
    smoke: bool = False  # tiny model, one article, a few tokens: seconds (what CI runs)
    cache_dir: Path | None = None  # where the built benchmark model is kept
    outlines_core_timeout: float = 120.0  # seconds allowed to outlines' default backend to compile (0: skip)
    profile: bool = True
    model_dir: Path | None = None  # smoke mode: an already built tiny model (tests pass theirs)
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


# Enough for a few sampled tokens after the forced opening ``{"summary":"``.
SMOKE_TOKENS = 24


def _effective(options: BenchOptions) -> BenchOptions:
    """Smoke mode: one article, one run, a few tokens, no outlines."""
    if not options.smoke:
        return options
    return replace(
        options, runs=1, max_new_tokens=min(options.max_new_tokens, SMOKE_TOKENS), articles=1, outlines_core_timeout=0
    )


def _model_dir(options: BenchOptions) -> Path:
    cache = Path(options.cache_dir) if options.cache_dir else default_cache_dir()
    if options.smoke and options.model_dir:
        return Path(options.model_dir)
    if options.smoke:
        return ensure_smoke_model(cache.parent / "bench-tiny" if not options.cache_dir else cache / "tiny")
    return ensure_bench_model(cache, options.log)


def run_benchmark(options: BenchOptions) -> dict:
    """Measure everything, write ``RESULTS.md`` and ``results.json`` into ``options.out_dir``, return the results."""
    options = _effective(options)
    log = options.log
    if not options.smoke:
        require_outlines()
    if options.runs < 1 or options.max_new_tokens < 2:
        raise SummarizerError("--runs must be at least 1 and --max-new-tokens at least 2")
    from summarizer.core.io import check_output_folder

    check_output_folder(options.out_dir)  # before the run, not after forty minutes of it
    # Never download: everything here is built locally.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    started = time.perf_counter()
    model_dir = _model_dir(options)
    machine = machine_info()
    bench = load_workbench(model_dir, options.articles, log)
    memory = {"after_load_mib": peak_rss_mib()}
    cap = options.max_new_tokens
    first_article = next(iter(bench.articles.values()))

    if not options.smoke:  # smoke timings mean nothing: no warm-up
        log("warm-up (first-call costs are not timed)")
        run_project(bench, first_article, cap)
        memory["project_peak_mib"] = peak_rss_mib()  # before any peer ran: the project's own peak
        run_project(bench, first_article, 2, warm=False, fast_forward=False)
        run_plain_generate(bench, first_article, 2)
        run_unconstrained(bench, first_article, 2)
    outlines = _start_outlines(bench, options, first_article)

    samples = _timed_runs(bench, options, outlines)
    memory.setdefault("project_peak_mib", peak_rss_mib())
    outlines_core = (
        {"status": "skipped", "reason": "smoke mode"}
        if options.smoke
        else outlines_core_compile(model_dir, bench.schema, options.outlines_core_timeout)
    )
    profile = (
        profile_project(bench, first_article, cap)
        if options.profile
        else {"status": "skipped", "reason": "--no-profile"}
    )
    memory["peak_mib"] = peak_rss_mib()
    # Last: its large arrays would count in the peak resident memory of the process.
    log("measuring memory bandwidth")
    bandwidth = memory_bandwidth(64 * 2**20 if options.smoke else 1024 * 2**20)
    machine["load_average_at_end"] = load_average()
    loads = [x for x in samples["load_average"] if x is not None]
    machine["load_average_max_during_runs"] = max(loads) if loads else None
    log("measuring the rules baseline's scaling")
    rules = rules_scaling(SMOKE_RULES_SCALING_BYTES if options.smoke else RULES_SCALING_BYTES)
    results = assemble_results(
        bench, options, machine, bandwidth, memory, samples, outlines, outlines_core, profile, rules
    )
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    from benchmarks.report import write_results

    write_results(results, Path(options.out_dir))
    bench.warm.close()
    bench.cold.close()
    return results


def _start_outlines(bench: Workbench, options: BenchOptions, article: str) -> dict:
    """The outlines runner (warmed up: its first call compiles a torch kernel), or why it is skipped."""
    if options.smoke:
        return {
            "runner": None,
            "status": "skipped",
            "reason": "smoke mode (outlines' first call compiles a torch kernel, tens of seconds)",
        }
    runner = OutlinesRunner(bench)
    started = time.perf_counter()
    runner.run(article, 2)
    return {
        "runner": runner,
        "status": "ok",
        "setup_seconds": round(runner.setup_seconds, 3),
        "first_call_seconds": round(time.perf_counter() - started, 3),
    }


def _timed_runs(bench: Workbench, options: BenchOptions, outlines: dict) -> dict:
    """Every system on every article, ``runs`` times, interleaved so that drift in the
    machine's speed hits all systems alike. samples[system][article] = [run, ...]."""
    samples: dict[str, Any] = {system: {aid: [] for aid in bench.articles} for system in SYSTEMS}
    samples["load_average"] = []  # after each article: others' work on the machine shows here
    cap = options.max_new_tokens
    total = options.runs * len(bench.articles)
    started, done = time.perf_counter(), 0
    for run in range(options.runs):
        for aid, article in bench.articles.items():
            project = run_project(bench, article, cap)
            samples["project"][aid].append(project)
            # The project may finish the document before the cap (greedy is deterministic: the same
            # count every run); the others get exactly as many tokens, so all generate the same number.
            budget = max(project["generated_tokens"], 2)
            # The mask-overhead pair back to back: a change in the machine's speed hits both alike.
            samples["stepwise"][aid].append(run_project(bench, article, budget, warm=False, fast_forward=False))
            samples["unconstrained"][aid].append(run_unconstrained(bench, article, budget))
            samples["plain_generate"][aid].append(run_plain_generate(bench, article, budget))
            if outlines["runner"] is not None:
                samples["outlines"][aid].append(outlines["runner"].run(article, budget))
            samples["load_average"].append(load_average())
            done += 1
            elapsed = time.perf_counter() - started
            options.log(
                f"run {run + 1}/{options.runs}, {aid}: {elapsed:.0f} s elapsed, "
                f"about {elapsed / done * (total - done):.0f} s to go"
            )
    return samples


# --------------------------------------------------------------------------------------
# Figures and targets

# --------------------------------------------------------------------------------------

RULES_SCALING_BYTES = (1 * 2**20, 5 * 2**20)  # 1 MB and 5 MB: it was quadratic, 412 s for 5 MB
SMOKE_RULES_SCALING_BYTES = (20_000, 100_000)


def long_text(articles: list[str], n_bytes: int) -> str:
    """The articles repeated, one after another, cut to ``n_bytes`` of UTF-8."""
    base = "\n\n".join(articles).encode("utf-8")
    data = (base + b"\n\n") * (n_bytes // (len(base) + 2) + 1)
    return data[:n_bytes].decode("utf-8", errors="ignore")


def rules_scaling(sizes: tuple[int, ...] = RULES_SCALING_BYTES, articles: list[str] | None = None) -> dict:
    """Seconds of the rules baseline on text of each size, and how that time grows against the
    size: ``growth_over_linear`` is 1.0 for linear time, 5.0 for quadratic time from 1 MB to 5 MB.
    The text is ``articles`` repeated, or by default the long-article benchmark's synthetic article,
    whose figures do not repeat: the seed articles repeated fold each copy's claims into the first
    copy's, which hid a quadratic step (repeats compared pairwise). Recorded, not asserted by a test."""
    from benchmarks.long_article_bench import synthetic_article
    from summarizer.tasks.claims.rules import RulesBackend

    def text_of(size: int) -> str:
        return long_text(articles, size) if articles else long_text([synthetic_article(size // 1024 + 1)], size)

    backend = RulesBackend()
    backend.extract(text_of(sizes[0])[:5000])  # untimed warm-up: regular expressions compile on first use
    seconds = []
    for size in sizes:
        text = text_of(size)
        started = time.perf_counter()
        backend.extract(text)
        seconds.append(time.perf_counter() - started)
    size_ratio, time_ratio = sizes[-1] / sizes[0], seconds[-1] / seconds[0]
    return {
        "bytes": list(sizes),
        "seconds": [round(x, 3) for x in seconds],
        "size_ratio": round(size_ratio, 3),
        "time_ratio": round(time_ratio, 3),
        "growth_over_linear": round(time_ratio / size_ratio, 3),
        "load_average": load_average(),
        "method": (
            "the seed articles repeated to each size"
            if articles
            else "benchmarks/long_article_bench.py's synthetic article (figures that do not repeat) at each size"
        )
        + ", one extraction each, after an untimed warm-up",
    }


def record_rules_scaling(out_dir: Path, log: Callable[[str], None] = lambda message: None) -> dict:
    """Measure :func:`rules_scaling` and add it to the results already in ``out_dir``, so that the
    figure can be brought up to date without the full run (tens of minutes)."""
    from benchmarks.report import write_results
    from summarizer.core.io import read_json

    results = read_json(Path(out_dir) / "results.json")
    if not isinstance(results, dict):
        raise SummarizerError(f"{Path(out_dir) / 'results.json'}: not a benchmark results object")
    log("measuring the rules baseline on 1 MB and 5 MB of text")
    scaling = rules_scaling()
    scaling["measured"] = time.strftime("%Y-%m-%d %H:%M:%S %Z") + ", by `summarizer bench --rules-scaling`"
    results["figures"]["rules_scaling"] = scaling
    results["targets"] = fig.evaluate_targets(results)
    write_results(results, Path(out_dir))
    return results


def assemble_results(
    bench: Workbench,
    options: BenchOptions,
    machine: dict,
    bandwidth: dict,
    memory: dict,
    samples: dict,
    outlines: dict,
    outlines_core: dict,
    profile: dict,
    rules: dict,
) -> dict:
    figures = {
        "mask_overhead": fig.mask_figures(samples),
        "fast_forward": fig.fast_forward_figures(bench, samples, replay_gold_documents(bench)),
        "prefix_reuse": fig.prefix_figures(bench, samples),
        "end_to_end": fig.end_to_end_figures(samples, outlines),
        "floor": fig.floor_figures(bench, samples, bandwidth, options.max_new_tokens),
        "memory": {**memory, "weights_mib": round(weight_bytes(bench.model) / 2**20, 1)},
        "outlines_default_backend": outlines_core,
        "equivalence": fig.equivalence(samples),
        "rules_scaling": rules,
    }
    results: dict[str, Any] = {
        "mode": "smoke" if options.smoke else "full",
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine,
        "settings": {
            "model_dir": str(bench.model_dir),
            "model": _model_description(bench),
            "command": _command_line(options),
            "max_new_tokens": options.max_new_tokens,
            "runs": options.runs,
            "articles": list(bench.articles),
            "decoding": "greedy",
            "dtype": "float32",
        },
        "figures": figures,
        "profile": {k: v for k, v in profile.items() if k != "text"},
    }
    results["targets"] = fig.evaluate_targets(results)
    results["_profile_text"] = profile.get("text")
    return results


def _command_line(options: BenchOptions) -> str:
    if options.smoke:
        return "summarizer bench --smoke"
    parts = ["summarizer bench", f"--runs {options.runs}", f"--max-new-tokens {options.max_new_tokens}"]
    if options.articles:
        parts.append(f"--articles {options.articles}")
    return " ".join(parts)


def _model_description(bench: Workbench) -> dict:
    config = bench.model.config
    return {
        "architecture": type(bench.model).__name__,
        "parameters": sum(p.numel() for p in bench.model.parameters()),
        "layers": config.num_hidden_layers,
        "hidden": config.hidden_size,
        "heads": config.num_attention_heads,
        "kv_heads": config.num_key_value_heads,
        "intermediate": config.intermediate_size,
        "tied_embeddings": bool(getattr(config, "tie_word_embeddings", False)),
        "model_vocab": bench.vocab_size,
        "tokenizer_vocab": len(bench.tokenizer),
        "stop_token_ids": bench.stop_ids,
    }
