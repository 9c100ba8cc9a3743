"""``summarizer ledger`` through the CLI: the report, incremental runs, --open, exports, scoring,
and bad input as one line each with exit status 1 and no traceback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


def run(*args):
    return CliRunner().invoke(app, ["ledger", *map(str, args)])


def test_the_series_ledger_report_page_and_scores(tmp_path):
    out = tmp_path / "l.sqlite3"
    result = run(SERIES / "labels", "--out", out, "--expected", SERIES / "expected.json", "--json", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{out}: 12 articles (12 new, 0 replaced, 0 unchanged), 25 claims, 7 groups (4 with one claimant), 5 conflicts"
    )
    assert lines[1:4] == [
        "dated by: dateline 6, front_matter 5, text 1",
        "series flags: decrease 1, outlier 1",
        "claims in no group: 0",
    ]
    assert f"wrote {tmp_path / 'l.html'}" in lines
    assert "grouping: precision 1.000, recall 1.000 (52 of 52 pairs right, 52 of 52 labelled pairs found)" in lines
    assert "conflicts: precision 1.000, recall 1.000 (5 found, 5 labelled)" in lines
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["conflicts"] == 5 and report["scores"]["grouping_recall"] == 1.0
    assert (tmp_path / "l.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_second_run_adds_only_what_is_new(tmp_path):
    out = tmp_path / "l.sqlite3"
    assert run(SERIES / "labels" / "s03.json", "--articles", SERIES / "articles", "--out", out).exit_code == 0
    result = run(SERIES / "labels", "--out", out, "--no-page")
    assert result.exit_code == 0, result.output
    assert "12 articles (11 new, 0 replaced, 1 unchanged)" in result.output.splitlines()[0]
    assert not (tmp_path / "l.html").exists() or "wrote" not in result.output


def test_unplaced_claims_are_reported_with_their_reason(tmp_path):
    result = run(SERIES / "predictions" / "rules", "--articles", SERIES / "articles", "--out", tmp_path / "l.sqlite3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    index = lines.index("claims in no group: 3")
    assert lines[index + 1] == "  3: no victim side: whose losses the figure counts is not said"


def test_open_opens_the_page(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = run(SERIES / "labels", "--out", tmp_path / "l.sqlite3", "--open", "--csv", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "l.html").resolve().as_uri()]
    assert (tmp_path / "csv" / "conflicts.csv").is_file()


def test_an_article_without_any_date(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "articles" / "s03.txt").write_text("Officials put the number of soldiers killed at 140.\n")
    (tmp_path / "labels" / "s03.json").write_text((SERIES / "labels" / "s03.json").read_text())
    result = run(tmp_path, "--out", tmp_path / "l.sqlite3", "--no-file-dates")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: {tmp_path / 'articles' / 's03.txt'}: no date: no front-matter line, dateline or full date in the "
        "text (and file times are off)"
    )
    assert "Traceback" not in result.output


def test_a_document_that_breaks_the_schema_is_one_line_and_the_others_go_in(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("s03", "s07"):
        (folder / f"{name}.json").write_text((SERIES / "labels" / f"{name}.json").read_text())
    broken = json.loads((SERIES / "labels" / "s05.json").read_text())
    broken["claims"][0]["count"]["value"] = -3
    (folder / "s05.json").write_text(json.dumps(broken))
    result = run(folder, "--articles", SERIES / "articles", "--out", tmp_path / "l.sqlite3")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {folder / 's05.json'}: fails the schema: $.claims[0].count.value: must be at least 0 (got -3)",
        "1 input(s) could not be read and were left out",
    ]
    assert "2 articles (2 new" in result.stdout


def test_a_store_with_no_runs_for_the_model(tmp_path):
    from summarizer.store import RunStore

    store = tmp_path / "runs.sqlite3"
    RunStore(store).close()
    result = run(
        "--store", store, "--model", "qwen2.5-1.5b", "--articles", SERIES / "articles", "--out", tmp_path / "l"
    )
    assert result.exit_code == 1
    assert result.stderr == f"error: {store}: no runs for model 'qwen2.5-1.5b' in this store (its models: none)\n"


def test_nothing_to_read_and_a_missing_input(tmp_path):
    result = run("--out", tmp_path / "l.sqlite3")
    assert result.exit_code == 1
    assert result.stderr == "error: nothing to read: give documents (folders, .json, .jsonl) or --store with --model\n"
    result = run(tmp_path / "missing", "--out", tmp_path / "l.sqlite3")
    assert (result.exit_code, result.stderr) == (1, f"error: {tmp_path / 'missing'}: not found\n")
