"""Long articles with the tiny random model: time and peak memory per article, with the figure cap.

    python -m benchmarks.long_article_bench --kb 50 250 --out benchmarks/LONG_ARTICLES.md

Each size runs in a fresh process (peak RSS is per process): the seed articles are repeated to
the size, summarized once with ``--model <tiny model>`` (figure strategy, no store), and the
wall time, peak RSS, figures found and labelled, and claims kept are recorded. ``--no-cap`` runs
the same without the per-article figure cap (tasks/claims/article_limits.py), for the comparison.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path


def _one(model_dir: str, kb: int, cap: bool) -> dict:
    from summarizer.api import summarize
    from summarizer.core.resources import seeds_dir
    from summarizer.tasks.claims import article_limits
    from summarizer.tasks.claims.figure_extraction import figures_to_label

    seeds = [p.read_text(encoding="utf-8") for p in sorted((seeds_dir() / "articles").glob("*.txt"))]
    article, i = "", 0
    while len(article.encode("utf-8")) < kb * 1024:
        article += seeds[i % len(seeds)] + "\n\n"
        i += 1
    if not cap:
        article_limits.MAX_FIGURES = 10**9
        article_limits.cap_figures.__defaults__ = (10**9,)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = len(figures_to_label(article, [])[0])
        started = time.perf_counter()
        result = summarize(article, model_dir, backend="transformers", store=None, no_cache=True, device="cpu")
        seconds = time.perf_counter() - started
    return {
        "kb": kb,
        "cap": cap,
        "chars": len(article),
        "figures_labelled": found,
        "claims": len((result.document or {}).get("claims", [])),
        "status": str(result.status),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "warnings": sorted({str(w.message) for w in caught if "candidate figures" in str(w.message)}),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, nargs="+", default=[50, 250])
    parser.add_argument("--no-cap", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/LONG_ARTICLES.md"))
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # model_dir kb cap: the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]), args.one[2] == "1")))
        return 0
    from summarizer.testing.tiny_model import build_tiny_model

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        model_dir = str(build_tiny_model(Path(folder) / "tiny"))
        for kb in args.kb:
            for cap in [True, False] if args.no_cap else [True]:
                command = [sys.executable, __file__, "--one", model_dir, str(kb), "1" if cap else "0"]
                try:
                    done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=True)
                    rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
                except subprocess.TimeoutExpired:
                    rows.append({"kb": kb, "cap": cap, "status": f"not finished in {args.timeout:g} s"})
                print(rows[-1], flush=True)
    lines = [
        "# Long articles, tiny random model (CPU)\n",
        "`python -m benchmarks.long_article_bench` (seed articles repeated to the size; one fresh",
        "process per row; figure strategy, no store). Peak RSS is the whole process (Python, torch, model).\n",
        "| size | figure cap | figures labelled | claims | status | seconds | peak RSS (MB) |",
        "|---:|---|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kb']} KB | {'200' if r['cap'] else 'none'} | {r.get('figures_labelled', '-')} | "
            f"{r.get('claims', '-')} | {r['status']} | {r.get('seconds', '-')} | {r.get('peak_rss_mb', '-')} |"
        )
    warned = sorted({w for r in rows for w in r.get("warnings", [])})
    lines += ["", "Warnings: " + ("; ".join(warned) if warned else "none"), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
