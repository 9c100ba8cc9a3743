"""The one progress bar: counts articles, tokens/s and run-store hits per line; quiet hides it."""

from __future__ import annotations

from summarizer.cli.progress import CACHED, ProgressBar


def test_a_line_per_task_with_its_rate(capsys):
    with ProgressBar(quiet=False) as bar:
        bar.task("summarizing", 3)
        bar.message("error: a.txt: failed: boom")
        for stats in ({"generated_tokens": 30, "seconds": 1.0}, {"generated_tokens": 10, "seconds": 1.0}, None):
            bar.advance("summarizing", stats)
    err = capsys.readouterr().err
    assert "error: a.txt: failed: boom" in err
    assert "summarizing" in err and "3/3" in err and "20.0 tok/s" in err


def test_cached_articles_are_counted_per_model(capsys):
    with ProgressBar(quiet=False, detail=CACHED) as bar:
        for model, cached in (("rules", True), ("rules", True), ("tiny", False), ("rules", False)):
            bar.task(model, 3)
            bar.advance(model, from_cache=cached)
    lines = capsys.readouterr().err.splitlines()
    assert any("rules" in line and "3/3" in line and "2 cached" in line for line in lines)
    assert any("tiny" in line and "1/3" in line and "0 cached" in line for line in lines)


def test_quiet_shows_no_bar_but_still_messages(capsys):
    with ProgressBar(quiet=True) as bar:
        bar.task("summarizing", 1)
        bar.message("error: x")
        bar.advance("summarizing")
    assert capsys.readouterr().err.strip() == "error: x"
