"""The long-article benchmark: its synthetic article and one row measured in a child process."""

from __future__ import annotations

from benchmarks import long_article_bench as bench


def test_the_synthetic_article_is_the_size_asked_and_the_same_each_time():
    article = bench.synthetic_article(8)
    assert 8 * 1024 <= len(article) < 8 * 1024 + 1000 and article == bench.synthetic_article(8)
    assert article != bench.synthetic_article(8, seed=1)
    paragraphs = article.rstrip("\n").split("\n\n")
    assert all(p[0].isupper() and p.endswith(".") for p in paragraphs)


def test_a_row_is_measured_in_its_own_process_under_a_cpu_limit():
    row = bench._row("rules", "rules", 4, cpu=120)
    assert (row["model"], row["kb"], row["status"]) == ("rules", 4, "ok")
    assert row["claims"] > 0 and row["cpu_seconds"] > 0 and row["peak_rss_mb"] > 0
    assert bench._table([row])[2].startswith("| rules | 4 KB | ok | - | - | - |")
