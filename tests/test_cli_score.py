"""``summarizer score`` through the CLI: tables, problem listing, --json, bad input without tracebacks."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.testing import strategies

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CASE = Path(__file__).parent / "data" / "scoring" / "identity.json"  # gold a, b, c with articles
REQUIRED_KEYS = {
    "claim_precision",
    "claim_recall",
    "claim_f1",
    "strict_f1",
    "validity_rate",
    "grounding_rate",
    "hallucinated_number_rate",
    "n_articles",
    "n_gold_claims",
    "n_pred_claims",
    "per_article",
    "per_field",
    "ci",
    "macro_f1",
    "problems",
    "summary_invented_number_rate",
    "summaries_with_invented_number_rate",
}


def _run(*args):
    result = CliRunner().invoke(app, ["score", *map(str, args)])
    assert "Traceback" not in result.output + result.stderr
    # CliRunner catches a crash without printing it: a traceback shows only here.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _write_docs(folder: Path, docs: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, doc in docs.items():
        (folder / f"{article_id}.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


@pytest.fixture
def dataset(tmp_path):
    """tmp/labels (gold a, b, c), tmp/articles (their texts), tmp/pred (empty, for each test to fill)."""
    case = json.loads(CASE.read_text(encoding="utf-8"))
    _write_docs(tmp_path / "labels", case["gold"])
    (tmp_path / "articles").mkdir()
    for article_id, text in case["articles"].items():
        (tmp_path / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "pred").mkdir()
    return tmp_path, case


@pytest.mark.skipif(not any((SEEDS / "labels").glob("*.json")), reason="seed labels not written yet")
def test_seed_labels_against_themselves_score_one(tmp_path):
    out = tmp_path / "report.json"
    result = _run("--gold", SEEDS / "labels", "--pred", SEEDS / "labels", "--json", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["claim_f1"] == 1.0 and report["strict_f1"] == 1.0
    assert report["validity_rate"] == 1.0
    assert report["grounding_rate"] == 1.0  # articles found at labels/../articles
    assert report["hallucinated_number_rate"] == 0.0
    assert report["n_gold_claims"] == report["n_pred_claims"] == report["n_matched"] == 46  # the seeds' 46 claims
    assert "claim F1" in result.stdout


def test_json_report_has_the_required_keys(dataset, tmp_path):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    out = tmp_path / "out" / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert REQUIRED_KEYS <= set(report)
    assert report["claim_f1"] == 1.0 and report["n_articles"] == 3
    assert report["inputs"]["articles"] == str(root / "articles")
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


@pytest.mark.parametrize(
    "target, reason", [("folder", "is a folder, expected a file"), ("under-a-file", "is a file, not a folder")]
)
def test_a_json_report_that_cannot_be_written_is_one_line_before_scoring(dataset, tmp_path, target, reason):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    out = root if target == "folder" else root / "labels" / "a.json" / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 1 and result.stdout == ""  # checked before any table is printed
    assert result.stderr.startswith(f"error: {out}: ") and reason in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_unexpected_os_error_is_still_one_line(dataset, tmp_path, monkeypatch):
    import errno

    from summarizer.core import io

    def disk_full(path, obj):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(io, "write_json_atomic", disk_full)
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    out = tmp_path / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 1 and result.stderr == f"error: {out}: No space left on device\n"


def test_problems_are_listed_and_scoring_goes_on(dataset, tmp_path):
    root, case = dataset
    _write_docs(root / "pred", {"a": case["pred"]["a"], "zzz": case["pred"]["a"]})  # b missing, zzz stray
    (root / "pred" / "c.json").write_text('{"summary": "x", "claims": [', encoding="utf-8")  # broken JSON
    out = tmp_path / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "missing prediction (scored as empty): b" in lines
    assert "prediction with no gold (ignored): zzz" in lines
    assert any(line.startswith("invalid prediction (scored as empty): c: invalid JSON") for line in lines)
    report = json.loads(out.read_text())
    assert report["n_articles"] == 3 and report["n_matched"] == 3
    assert report["validity_rate"] == pytest.approx(1 / 3)
    assert report["claim_recall"] == pytest.approx(3 / 9)
    assert [p["id"] for p in report["problems"]["missing_predictions"]] == ["b"]
    assert [p["id"] for p in report["problems"]["stray_predictions"]] == ["zzz"]
    assert [p["id"] for p in report["problems"]["invalid_predictions"]] == ["c"]


def test_schema_invalid_and_non_utf8_predictions_are_listed_with_a_reason(dataset):
    root, case = dataset
    _write_docs(root / "pred", {"a": case["pred"]["a"], "b": {"summary": "no claims key"}})
    (root / "pred" / "c.json").write_bytes(b'{"summary": "\xff"}')
    result = _run("--gold", root / "labels", "--pred", root / "pred")
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("invalid prediction (scored as empty): b: fails the schema")
        for line in result.stdout.splitlines()
    )
    assert any(
        line.startswith("invalid prediction (scored as empty): c: not valid UTF-8")
        for line in result.stdout.splitlines()
    )


@pytest.mark.parametrize("literal", ["1e400", "1" + "0" * 400])
def test_a_prediction_with_a_number_too_large_is_invalid_and_the_report_is_written(dataset, tmp_path, literal):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    value = case["pred"]["a"]["claims"][0]["count"]["value"]
    text = (root / "pred" / "a.json").read_text(encoding="utf-8")
    (root / "pred" / "a.json").write_text(text.replace(f'"value": {value}', f'"value": {literal}', 1))
    out = tmp_path / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 0, result.output
    assert (
        "invalid prediction (scored as empty): a: fails the schema: $.claims[0].count.value: not a usable number"
        in result.stdout
    )
    report = json.loads(out.read_text())
    assert report["validity_rate"] == pytest.approx(2 / 3)


def test_a_gold_label_with_infinity_is_left_out_and_the_rest_scored(dataset, tmp_path):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    value = case["gold"]["b"]["claims"][0]["count"]["value"]
    text = (root / "labels" / "b.json").read_text(encoding="utf-8")
    (root / "labels" / "b.json").write_text(text.replace(f'"value": {value}', '"value": 1e400', 1))
    out = tmp_path / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert json.loads(out.read_text())["n_articles"] == 2
    assert "not a usable number" in result.stdout


def test_unreadable_gold_is_listed_left_out_and_fails_the_run(dataset, tmp_path):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    (root / "labels" / "d.json").write_text("not json", encoding="utf-8")
    (root / "pred" / "d.json").write_text(json.dumps(case["pred"]["a"]), encoding="utf-8")
    out = tmp_path / "report.json"
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", out)
    assert result.exit_code == 1
    assert any(line.startswith("unreadable gold (left out): d: invalid JSON") for line in result.stdout.splitlines())
    assert result.stderr.startswith("error: 1 gold label(s) could not be read")
    assert not any(line.startswith("prediction with no gold") for line in result.stdout.splitlines())
    report = json.loads(out.read_text())  # the rest was still scored and written
    assert report["n_articles"] == 3 and report["claim_f1"] == 1.0


def test_missing_article_means_no_grounding_for_that_id(dataset):
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    (root / "articles" / "b.txt").unlink()
    result = _run("--gold", root / "labels", "--pred", root / "pred")
    assert result.exit_code == 0, result.output
    assert any(line.startswith("unreadable article (no grounding check): b") for line in result.stdout.splitlines())


def test_without_articles_the_rates_are_not_computed(tmp_path):
    case = json.loads(CASE.read_text(encoding="utf-8"))
    _write_docs(tmp_path / "gold", case["gold"])
    _write_docs(tmp_path / "pred", case["pred"])
    out = tmp_path / "r.json"
    result = _run("--gold", tmp_path / "gold", "--pred", tmp_path / "pred", "--json", out)
    assert result.exit_code == 0, result.output
    assert "hallucinated-number and summary invented-number rates are not computed" in result.stdout
    report = json.loads(out.read_text())
    assert report["grounding_rate"] is None and report["claim_f1"] == 1.0
    assert report["summary_invented_number_rate"] is None and report["summaries_with_invented_number_rate"] is None


def test_summary_invented_numbers_are_in_the_tables_and_the_json(tmp_path):
    # The hand-computed scorer case: the summary states 652, 23 and 3,500; the article has no 3,500.
    case = json.loads((CASE.parent / "summary_invented_number.json").read_text(encoding="utf-8"))
    _write_docs(tmp_path / "gold", case["gold"])
    _write_docs(tmp_path / "pred", case["pred"])
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text(case["articles"]["a"], encoding="utf-8")
    out = tmp_path / "r.json"
    result = _run(
        "--gold", tmp_path / "gold", "--pred", tmp_path / "pred", "--articles", tmp_path / "texts", "--json", out
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["summary_invented_number_rate"] == pytest.approx(1 / 3)
    assert report["summaries_with_invented_number_rate"] == 1.0
    assert len(report["ci"]["summary_invented_number_rate"]) == 2
    row = report["per_article"][0]
    assert (row["n_summary_numbers"], row["n_summary_invented"]) == (3, 1)
    assert [m["text"] for m in row["summary_invented_numbers"]] == ["3,500"]
    lines = result.stdout.splitlines()
    assert any("summary invented-number rate" in line and "0.333" in line for line in lines)
    assert any("summaries inventing a number" in line and "1.000" in line for line in lines)


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda root: root / "nope", "gold folder not found"),
        (lambda root: root / "articles" / "a.txt", "expected a folder"),
    ],
)
def test_bad_gold_folder_is_one_line_error(dataset, make_bad, message):
    root, _ = dataset
    result = _run("--gold", make_bad(root), "--pred", root / "pred")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_articles_folder_and_pred_folder_are_errors(dataset):
    root, _ = dataset
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--articles", root / "missing")
    assert result.exit_code == 1 and "articles folder not found" in result.stderr
    result = _run("--gold", root / "labels", "--pred", root / "nothing")
    assert result.exit_code == 1 and "prediction folder not found" in result.stderr


def test_no_readable_gold_is_an_error(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "pred").mkdir()
    result = _run("--gold", tmp_path / "gold", "--pred", tmp_path / "pred")
    assert result.exit_code == 1 and "no readable gold labels" in result.stderr


def test_missing_option_is_a_usage_error():
    assert _run("--pred", ".").exit_code == 2


# --- hostile files: scored as invalid or left out in one line, never a traceback --------------------


def _score_folder(folder: Path, gold_text: str, pred_text: str):
    for name, text in (("labels", gold_text), ("pred", pred_text)):
        (folder / name).mkdir()
        (folder / name / "a.json").write_bytes(text.encode("utf-8", "surrogatepass"))
        (folder / name / "b.json").write_text(json.dumps(strategies.VALID_DOCUMENT), encoding="utf-8")
    (folder / "articles").mkdir()
    for name in ("a", "b"):
        (folder / "articles" / f"{name}.txt").write_text(strategies.ARTICLE, encoding="utf-8")
    out = folder / "report.json"
    result = _run("--gold", folder / "labels", "--pred", folder / "pred", "--json", out)
    return result, json.loads(out.read_text(encoding="utf-8"))


@settings(max_examples=40, deadline=None)
@given(text=strategies.json_texts())
def test_any_prediction_file_is_scored_and_the_json_report_written(text):
    with tempfile.TemporaryDirectory() as folder:
        result, report = _score_folder(Path(folder), json.dumps(strategies.VALID_DOCUMENT), text)
    assert result.exit_code == 0 and result.stderr == ""
    assert report["n_articles"] == 2 and report["per_article"][1]["valid"]


@settings(max_examples=40, deadline=None)
@given(text=strategies.json_texts())
def test_any_gold_file_is_scored_or_left_out_with_one_error_line(text):
    with tempfile.TemporaryDirectory() as folder:
        result, report = _score_folder(Path(folder), text, json.dumps(strategies.VALID_DOCUMENT))
    left_out = report["problems"]["unreadable_gold"]
    assert result.exit_code == (1 if left_out else 0)
    assert result.stderr.count("\n") == len(result.stderr.split("\n")) - 1 == (1 if left_out else 0)
    assert report["n_articles"] == (1 if left_out else 2)


def test_json_through_a_symlink_writes_the_target_and_a_pipe_is_refused_before_scoring(dataset):
    """Issue 22, item 1: the link is kept (its target replaced); a pipe is one line and stays a pipe."""
    root, case = dataset
    _write_docs(root / "pred", case["pred"])
    target, link = root / "target.json", root / "link.json"
    target.write_text("{}")
    link.symlink_to(target)
    assert _run("--gold", root / "labels", "--pred", root / "pred", "--json", link).exit_code == 0
    assert link.is_symlink() and json.loads(target.read_text())["n_articles"] == 3
    pipe = root / "pipe.json"
    os.mkfifo(pipe)
    result = _run("--gold", root / "labels", "--pred", root / "pred", "--json", pipe)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {pipe}: is not a regular file (a named pipe); refusing to replace it\n"
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
