"""Long articles: time and peak memory of one article of each size, with the tiny random model and
the rule baseline (issue 22, item 14; the bounds are tasks/claims/article_limits.py's).

    python -m benchmarks.long_article_bench --kb 250 5120 --out benchmarks/LONG_ARTICLES.md

The article is synthetic (:func:`synthetic_article`: sentences of this file's own, with invented
places and bodies and random figures, so that claims do not repeat). Each row runs in a fresh
process (peak RSS is per process) under a CPU-time limit (``--cpu``): the machine may be shared, so
CPU seconds are the measure of the work and wall seconds only what it took there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["Tarsk", "Belvane", "Ostrava Ridge", "Korvel", "the Amber Valley", "Pellin", "Dunmore Heights", "Sarn"]
BODIES = [
    "the Marivian health ministry",
    "the Tessalian defence ministry",
    "a spokesman for the Hill Front",
    "the regional governor",
    "Dr. Anya Koval of the city hospital",
    "the Northern Front",
    "local officials",
    "a monitoring group based in Pellin",
    "witnesses",
    "the Red Lantern relief agency",
    "Colonel Ivo Marsh",
]
SENTENCES = [
    "{body} said {n} civilians were killed in {place} on Tuesday.",
    "At least {n} people were injured when shelling hit a market in {place}, according to {body}.",
    "{body} reported that {n} soldiers had been captured near {place}.",
    "More than {n} families fled {place} over the weekend, {body} said.",
    "The town of {place}, home to about {big} people, has been without power for a week.",
    "{body} claimed its forces destroyed {small} tanks and {small} armoured vehicles near {place}.",
    "Between {n} and {n2} residents remain missing after the flooding of shelters in {place}, {body} said.",
    "The claims could not be independently verified.",
    "Aid convoys carrying {n} tonnes of flour reached {place} on {day} March.",
    "In 2023 the population of {place} was estimated at {big}.",
    "Nearly {n} children were among the dead, {body} added.",
    "The report was published at 10:30 on the {day}th and cited {small} sources.",
    "Rescue teams pulled {small} survivors from the rubble of a school in {place}.",
]


def synthetic_article(kb: int, seed: int = 0) -> str:
    """About ``kb`` KB of paragraphs of 3-6 sentences, with random figures (fixed ``seed``)."""
    rnd = random.Random(seed)
    paragraphs: list[str] = []
    sentences: list[str] = []
    size = 0
    while size < kb * 1024:
        text = rnd.choice(SENTENCES).format(
            body=rnd.choice(BODIES),
            place=rnd.choice(PLACES),
            n=rnd.randint(2, 900),
            n2=rnd.randint(901, 2000),
            big=rnd.randint(10, 900) * 1000,
            small=rnd.randint(2, 40),
            day=rnd.randint(1, 28),
        )
        sentences.append(text[0].upper() + text[1:])
        if len(sentences) >= rnd.randint(3, 6):
            paragraphs.append(" ".join(sentences))
            size += len(paragraphs[-1]) + 2
            sentences = []
    return "\n\n".join(paragraphs) + "\n"


def _one(model: str, kb: int) -> dict:
    """One article of ``kb`` KB through ``summarize`` (figure strategy for a model; no store)."""
    from summarizer.api import summarize

    article = synthetic_article(kb)
    started = time.perf_counter()
    if model == "rules":
        result = summarize(article, "rules", store=None, no_cache=True)
    else:
        result = summarize(article, model, backend="transformers", store=None, no_cache=True, device="cpu")
    stats = result.stats
    return {
        "status": str(result.status),
        "claims": len((result.document or {}).get("claims", [])),
        "figures_found": stats.get("figures_found"),
        "figures_asked": stats.get("figures"),
        "chunks_read": stats.get("chunks"),
        "article_seconds": round(time.perf_counter() - started, 1),
    }


def _row(model: str, label: str, kb: int, cpu: int) -> dict:
    """One size in a fresh process, under ``cpu`` seconds of CPU time; its own CPU time and peak
    RSS (from ``wait4``), whether it finished or not."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    command = [sys.executable, "-m", "benchmarks.long_article_bench", "--one", model, str(kb)]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, preexec_fn=limit)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        printed = out.read().strip().splitlines()
    row = {
        "model": label,
        "kb": kb,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }
    if child.returncode == 0:
        return {**row, **json.loads(printed[-1])}
    killed = child.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    return {**row, "status": f"not finished in {cpu} CPU s" if killed else f"failed ({child.returncode})"}


def _table(rows: list[dict]) -> list[str]:
    lines = [
        "| model | size | status | figures found | asked | chunks read | claims | CPU s | wall s | peak RSS (MB) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = [r.get(k) for k in ("figures_found", "figures_asked", "chunks_read", "claims")]
        cells += [r.get(k) for k in ("cpu_seconds", "seconds", "peak_rss_mb")]
        shown = " | ".join("-" if c is None else f"{c:,}" if isinstance(c, int) else str(c) for c in cells)
        lines.append(f"| {r['model']} | {r['kb']:,} KB | {r['status']} | {shown} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, nargs="+", default=[250, 5120])
    parser.add_argument("--cpu", type=int, default=1800, help="CPU seconds allowed per row")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/long_articles.json"))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # model kb: the child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]))))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        # Built by another process: a child forked from one that holds torch starts with its memory,
        # which its peak RSS would count.
        tiny = str(Path(folder) / "tiny")
        subprocess.run([sys.executable, "-m", "summarizer.testing.tiny_model", tiny], check=True, capture_output=True)
        for model, label in ((tiny, "tiny"), ("rules", "rules")):
            for kb in args.kb:
                rows.append(_row(model, label, kb, args.cpu))
                print(rows[-1], flush=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print("\n".join(_table(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
