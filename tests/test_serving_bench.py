"""The serving benchmark, against a scripted loopback server (the real numbers are in benchmarks/SERVING.md)."""

from __future__ import annotations

import json

from benchmarks.serving import ServingBenchOptions, render_serving_markdown, run_serving_bench
from summarizer.testing.fake_server import FakeServer


def test_each_concurrency_gets_a_row_and_both_files_are_written(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    for n in range(3):
        (articles / f"{n}.txt").write_text(f"Officials said {n + 1} people were killed.", encoding="utf-8")
    with FakeServer() as server:
        results = run_serving_bench(
            ServingBenchOptions(server.url, "fake", articles, concurrencies=(1, 3), out_dir=tmp_path / "out")
        )
        assert len(server.requests) == 2 * (1 + 3)  # a warm-up article, then all three, per concurrency
    assert [(row["backend"], row["concurrency"], row["statuses"]) for row in results["rows"]] == [
        ("openai", 1, {"ok": 3}),
        ("openai", 3, {"ok": 3}),
    ]
    assert json.loads((tmp_path / "out" / "serving.json").read_text()) == results
    table = (tmp_path / "out" / "SERVING.md").read_text()
    assert table == render_serving_markdown(results) and "| openai | 3 |" in table and "n/a" in table
