"""``summarizer eval`` and ``summarizer compare`` through the CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.store import RunStore


def run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    # CliRunner catches a crash without printing it: a traceback shows only here.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "runs.sqlite3"


def test_eval_prints_the_headline_and_writes_reports(tmp_path, store):
    out = tmp_path / "out"
    result = run("eval", "--model", "rules", "--out", out, "--store", store, "--quiet")
    assert result.exit_code == 0, result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "claim F1" in result.stdout and f"{report['claim_f1']:.3f}" in result.stdout
    invented = [line for line in result.stdout.splitlines() if "summary invented-number rate" in line]
    assert len(invented) == 1 and f"{report['summary_invented_number_rate']:.3f}" in invented[0]
    assert "rules: 5 generated, 0 from the run store" in result.stdout
    assert f"reports: {out}/" in result.stdout
    assert all((out / name).is_file() for name in ("report.json", "report.md", "review.html"))


def test_a_second_eval_is_served_from_the_store_and_no_cache_regenerates(tmp_path, store):
    args = ("eval", "-m", "rules", "--out", tmp_path / "out", "--store", store, "-q")
    run(*args)
    second = run(*args)
    assert "0 generated, 5 from the run store" in second.stdout
    third = run(*args, "--no-cache")
    assert "5 generated, 0 from the run store" in third.stdout
    with RunStore(store) as opened:
        assert opened.count() == 10


def test_predictions_served_from_the_store_are_written_byte_for_byte_as_fresh_ones(tmp_path, store):
    fresh, cached = tmp_path / "fresh", tmp_path / "cached"
    run("eval", "-m", "rules", "--out", fresh, "--store", store, "-q")
    assert (
        "0 generated, 5 from the run store"
        in run("eval", "-m", "rules", "--out", cached, "--store", store, "-q").stdout
    )
    files = sorted((fresh / "predictions").glob("*.json"))
    assert len(files) == 5
    for path in files:
        assert (cached / "predictions" / path.name).read_bytes() == path.read_bytes()


def test_decoding_options_are_part_of_the_cache_key(tmp_path, store):
    run("eval", "-m", "rules", "--out", tmp_path / "out", "--store", store, "-q")
    other = run("eval", "-m", "rules", "--out", tmp_path / "out", "--store", store, "-q", "--max-new-tokens", "99")
    assert "5 generated, 0 from the run store" in other.stdout


def test_eval_defaults_to_reports_slash_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUMMARIZER_STORE", str(tmp_path / "env-store.sqlite3"))
    result = run("eval", "--model", "rules", "--quiet")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "reports" / "rules" / "review.html").is_file()
    assert (tmp_path / "env-store.sqlite3").is_file()  # the env var chose the store


def test_eval_names_the_model_and_its_reports_folder_by_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("eval", "--model", "rules", "--name", "Rule baseline", "--store", tmp_path / "s.sqlite3", "-q")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "reports" / "Rule-baseline"  # the name, as a folder name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert (report["model"], report["name"]) == ("rules", "Rule baseline")
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Evaluation of Rule baseline\n")
    assert "<title>Review: Rule baseline</title>" in (out / "review.html").read_text(encoding="utf-8")


def test_compare_takes_one_name_per_model(tmp_path, store):
    out = tmp_path / "cmp"
    result = run("compare", "--model", "rules", "--name", "Baseline", "--out", out, "--store", store, "-q")
    assert result.exit_code == 0, result.stderr
    board = json.loads((out / "leaderboard.json").read_text(encoding="utf-8"))
    assert [(row["model"], row["name"], row["slug"]) for row in board["models"]] == [("rules", "Baseline", "Baseline")]
    assert "| 1 | Baseline |" in (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "Baseline" in result.stdout  # the terminal's leaderboard
    assert (out / "Baseline" / "review.html").is_file()


def test_compare_refuses_a_name_count_that_is_not_the_model_count(tmp_path, store):
    result = run("compare", "-m", "rules", "-m", "x", "--name", "A", "--out", tmp_path / "out", "--store", store)
    assert result.exit_code == 2
    assert "give one --name per --model, in the same order (got 1 for 2 models)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_eval_shows_progress_unless_quiet(tmp_path, store):
    result = run("eval", "--model", "rules", "--out", tmp_path / "out", "--store", store)
    assert "5/5" in result.stderr


def test_compare_writes_the_leaderboard(tmp_path, store):
    out = tmp_path / "cmp"
    result = run("compare", "--model", "rules", "--out", out, "--store", store, "-q")
    assert result.exit_code == 0, result.stderr
    board = json.loads((out / "leaderboard.json").read_text(encoding="utf-8"))
    assert "Leaderboard" in result.stdout and f"{board['models'][0]['claim_f1']:.3f}" in result.stdout
    rules_row = next(line for line in result.stdout.splitlines() if "rules" in line)
    assert "summ. invented" in result.stdout
    assert f"{board['models'][0]['summary_invented_number_rate']:.3f}" in rules_row
    markdown = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "| summary invented numbers | summaries inventing |" in markdown
    assert all((out / name).is_file() for name in ("leaderboard.md", "leaderboard.png", "rules/review.html"))


def test_unlabelled_articles_are_reported(tmp_path, seeds_dir, store):
    data = tmp_path / "data"
    shutil.copytree(seeds_dir, data)
    (data / "articles" / "extra.txt").write_text("Police said 2 people were injured.\n", encoding="utf-8")
    result = run("eval", "-m", "rules", "--data", data, "--out", tmp_path / "out", "--store", store, "-q")
    assert result.exit_code == 0
    assert "unlabelled, left out of the scores: extra" in result.stderr


@pytest.mark.parametrize("command", ["eval", "compare"])
def test_a_label_without_an_article_is_a_one_line_error(tmp_path, seeds_dir, store, command):
    data = tmp_path / "data"
    shutil.copytree(seeds_dir, data)
    (data / "labels" / "ghost.json").write_text((data / "labels" / "000_cf12a2bbd9f641f4.json").read_text())
    result = run(command, "-m", "rules", "--data", data, "--out", tmp_path / "out", "--store", store, "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "ghost.json" in result.stderr and "label has no article" in result.stderr


def test_a_corrupt_store_is_a_one_line_error(tmp_path):
    bad = tmp_path / "runs.sqlite3"
    bad.write_bytes(b"\x00garbage, not sqlite" * 50)
    result = run("eval", "-m", "rules", "--out", tmp_path / "out", "--store", bad, "-q")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "not a summarizer run store" in result.stderr and str(bad) in result.stderr


def test_compare_rejects_a_repeated_model(tmp_path, store):
    result = run("compare", "-m", "rules", "-m", "rules", "--out", tmp_path / "out", "--store", store, "-q")
    assert result.exit_code == 1 and "same model twice" in result.stderr


def test_compare_needs_a_model(tmp_path, store):
    result = run("compare", "--out", tmp_path / "out", "--store", store)
    assert result.exit_code == 2  # a usage error, from the option parser


@pytest.mark.parametrize("command", ["eval", "compare"])
def test_an_out_that_is_a_file_is_one_line_before_any_generation(tmp_path, store, command):
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = run(command, "-m", "rules", "--out", out, "--store", store, "-q")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"error: {out}: is a file, expected a folder\n"
    assert not store.exists()  # nothing generated, not even the store opened


@pytest.mark.parametrize("in_the_way", ["rules/report.json", "rules/predictions", "leaderboard.png"])
def test_compare_checks_every_output_before_the_first_model(tmp_path, store, in_the_way):
    out = tmp_path / "out"
    blocker = out / in_the_way
    if blocker.suffix:
        blocker.mkdir(parents=True)  # a folder where a report goes
    else:
        blocker.parent.mkdir(parents=True)
        blocker.write_text("a file where a folder goes")
    result = run("compare", "-m", "rules", "--out", out, "--store", store, "-q")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {blocker}: ")
    assert not store.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_one_line(tmp_path, store):
    (tmp_path / "ro").mkdir(mode=0o500)
    result = run("eval", "-m", "rules", "--out", tmp_path / "ro" / "out", "--store", store, "-q")
    assert result.exit_code == 1 and "Permission denied" in result.stderr and result.stderr.count("\n") == 1


def _break_two_files(data: Path) -> tuple[Path, Path]:
    """A label that fails the schema and an article that is not UTF-8: both are left out."""
    label = sorted((data / "labels").glob("*.json"))[0]
    label.write_text('{"summary": "x"}', encoding="utf-8")
    article = sorted((data / "articles").glob("*.txt"))[1]
    article.write_bytes(b"caf\xe9 strike")
    return label, article


@pytest.mark.parametrize("command", ["eval", "compare"])
def test_files_left_out_are_errors_the_rest_is_scored_and_the_exit_is_1(tmp_path, seeds_dir, store, command):
    data = tmp_path / "data"
    shutil.copytree(seeds_dir, data)
    label, article = _break_two_files(data)
    out = tmp_path / "out"
    result = run(command, "-m", "rules", "--data", data, "--out", out, "--store", store, "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {label}: fails the schema: $.claims: required field is missing",
        f"error: {article}: not valid UTF-8 (byte 0xe9 at offset 3)",
    ]
    report = json.loads(((out / "rules") if command == "compare" else out).joinpath("report.json").read_text())
    assert report["n_articles"] == 3  # what was fine is scored, and the reports are written


def test_when_no_label_is_usable_the_error_names_the_first_bad_file(tmp_path, seeds_dir, store):
    data = tmp_path / "data"
    shutil.copytree(seeds_dir, data)
    labels = sorted((data / "labels").glob("*.json"))
    for label in labels:
        label.write_text("[]", encoding="utf-8")
    result = run("eval", "-m", "rules", "--data", data, "--out", tmp_path / "out", "--store", store, "-q")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {labels[0]}: fails the schema: $: expected object, got array")
    assert f"{len(labels)} file(s) left out" in result.stderr


@pytest.mark.parametrize("command", ["eval", "compare"])
@pytest.mark.parametrize("options", [["--temperature", "inf"], ["--temperature", "1", "--top-p", "0"]])
def test_sampling_values_torch_cannot_use_are_usage_errors_before_any_generation(tmp_path, store, command, options):
    result = run(command, "-m", "rules", "--out", tmp_path / "out", "--store", store, "-q", *options)
    assert result.exit_code == 2 and "Invalid value: --t" in result.stderr
    assert not store.exists() and not (tmp_path / "out").exists()


def test_eval_through_a_server_writes_the_same_report_files_as_in_process(tmp_path, store):
    from summarizer.testing.fake_server import FakeServer

    served, local = tmp_path / "served", tmp_path / "local"
    with FakeServer() as server:
        result = run(
            "eval",
            "--backend",
            "openai",
            "--base-url",
            server.url,
            "--model",
            "fake",
            "--out",
            served,
            "--store",
            store,
            "--quiet",
            "--concurrency",
            "2",
        )
    assert result.exit_code == 0, result.stderr
    assert run("eval", "--model", "rules", "--out", local, "--store", store, "--quiet").exit_code == 0
    files = lambda root: sorted(str(p.relative_to(root)) for p in root.rglob("*") if "predictions" not in p.parts)  # noqa: E731
    assert files(served) == files(local)
    report = json.loads((served / "report.json").read_text(encoding="utf-8"))
    assert report["backend"]["backend"] == "openai" and report["backend"]["base_url"] == server.url
    assert report["statuses"] == {"ok": 5} and len(list((served / "predictions").glob("*.json"))) == 5
