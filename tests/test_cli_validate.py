"""``summarizer validate`` through the CLI: verdict lines, exit codes, and bad input without tracebacks."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.testing import strategies

ARTICLE = "Officials said Ukrainian attacks killed 652 civilians on Monday."
CLAIM = {
    "claimant": None,
    "claimant_type": "unattributed",
    "claimant_side": None,
    "outcome": "killed",
    "victim_side": None,
    "victim_group": "civilians",
    "equipment": None,
    "count": {"value": 652, "qualifier": "exact", "upper": None},
    "period": "Monday",
    "location": None,
    "perpetrator_side": "Ukraine",
    "verification": "not_stated",
    "evidence": "Ukrainian attacks killed 652 civilians",
}
DOC = {"summary": "Officials say attacks killed 652 civilians.", "claims": [CLAIM]}
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _run(*args: str):
    result = CliRunner().invoke(app, ["validate", *map(str, args)])
    assert "Traceback" not in result.output + result.stderr
    # CliRunner catches a crash without printing it: a traceback shows only here.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _write(path: Path, doc) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


@pytest.fixture
def files(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a1.txt").write_text(ARTICLE)
    return tmp_path


def test_valid_document_prints_ok(files):
    doc = _write(files / "a1.json", DOC)
    result = _run(doc, "--article", files / "articles" / "a1.txt")
    assert result.exit_code == 0
    assert result.stdout == f"OK {doc}\n"


def test_schema_only_without_article(files):
    result = _run(_write(files / "a1.json", DOC))
    assert result.exit_code == 0 and result.stdout.startswith("OK ")


def test_schema_failure_is_one_line_with_json_path(files):
    bad = copy.deepcopy(DOC)
    bad["claims"][0]["victim_group"] = "kids"
    doc = _write(files / "bad.json", bad)
    result = _run(doc)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{doc}: $.claims[0].victim_group: must be one of civilians, children, "
        'women, men, military, medical_workers, mixed, unspecified (got "kids")'
    ]


def test_grounding_against_articles_folder(files):
    invented = copy.deepcopy(DOC)
    invented["claims"][0]["count"]["value"] = 700
    good = _write(files / "a1.json", DOC)
    (files / "other").mkdir()
    bad = _write(files / "other" / "a1.json", invented)
    result = _run(good, bad, "--articles", files / "articles")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"OK {good}",
        f"{bad}: $.claims[0].count.value: 700 does not occur in the article",
    ]


def test_document_without_its_article_in_folder(files):
    doc = _write(files / "zz.json", DOC)
    result = _run(doc, "--articles", files / "articles")
    assert result.exit_code == 1
    assert "zz.txt: file not found" in result.stderr


def test_one_bad_file_does_not_hide_the_others(files):
    broken = _write(files / "broken.json", '{"summary": ')
    good = _write(files / "a1.json", DOC)
    result = _run(broken, good)
    assert result.exit_code == 1
    assert result.stdout == f"OK {good}\n"
    assert result.stderr.count("\n") == 1 and "broken.json: invalid JSON" in result.stderr
    assert "line 1, column 13" in result.stderr


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing", "file not found"),
        ("directory", "is a directory"),
        ("utf8", "not valid UTF-8 (byte 0xff"),
        ("empty_json", "file is empty"),
    ],
)
def test_bad_document_inputs(files, case, expected):
    path = {
        "missing": files / "nope.json",
        "directory": files / "articles",
        "utf8": files / "u.json",
        "empty_json": files / "e.json",
    }[case]
    if case == "utf8":
        path.write_bytes(b'{"summary": "\xff"}')
    if case == "empty_json":
        path.write_text("")
    result = _run(path)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: {expected}")


@pytest.mark.parametrize("content, expected", [(b"", "article is empty"), (b"\xe9t\xe9", "not valid UTF-8")])
def test_bad_article_is_one_error_line(files, content, expected):
    article = files / "bad.txt"
    article.write_bytes(content)
    result = _run(_write(files / "a1.json", DOC), "--article", article)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {article}: {expected}")


def test_missing_article_file(files):
    result = _run(_write(files / "a1.json", DOC), "--article", files / "nope.txt")
    assert result.exit_code == 1 and "nope.txt: file not found" in result.stderr


def test_articles_option_must_be_a_folder(files):
    result = _run(_write(files / "a1.json", DOC), "--articles", files / "articles" / "a1.txt")
    assert result.exit_code == 1 and "expected a folder" in result.stderr


def test_article_and_articles_together_is_a_usage_error(files):
    doc = _write(files / "a1.json", DOC)
    result = _run(doc, "--article", files / "articles" / "a1.txt", "--articles", files / "articles")
    assert result.exit_code == 2
    assert "either --article or --articles" in result.stderr


def test_no_documents_is_a_usage_error():
    assert _run().exit_code == 2


def test_seed_labels_validate_against_seed_articles():
    labels = sorted((SEEDS / "labels").glob("*.json"))
    if not labels:
        pytest.skip("no seed labels yet")
    result = _run(*labels, "--articles", SEEDS / "articles")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [f"OK {path}" for path in labels]


@pytest.mark.parametrize("literal", ["1e400", "1" + "0" * 400, "-1e400"])
def test_a_number_too_large_is_a_schema_problem_of_that_file_only(files, literal):
    bad = _write(files / "bad.json", json.dumps(DOC).replace('"value": 652', f'"value": {literal}'))
    good = _write(files / "a1.json", DOC)
    result = _run(bad, good, "--article", files / "articles" / "a1.txt")
    assert result.exit_code == 1
    shown = "-Infinity" if literal[0] == "-" else "Infinity" if "e" in literal else literal[:37] + "..."
    assert result.stdout.splitlines() == [
        f"{bad}: $.claims[0].count.value: not a usable number: {shown}"
        " (a count is finite and at most 9007199254740992)",
        f"OK {good}",
    ]


# --- hostile files: verdict lines or one error line, never a traceback ----------------------------


@settings(max_examples=60, deadline=None)
@given(text=strategies.json_texts())
def test_any_file_gives_verdict_lines_or_one_error_line(text):
    with tempfile.TemporaryDirectory() as folder:
        document, article = Path(folder) / "doc.json", Path(folder) / "a.txt"
        document.write_bytes(text.encode("utf-8", "surrogatepass"))  # a lone surrogate: bytes that are not UTF-8
        article.write_text(strategies.ARTICLE, encoding="utf-8")
        result = _run(document, "--article", article)
    assert result.exit_code in (0, 1)
    errors = [line for line in result.stderr.split("\n") if line]
    assert len(errors) <= 1 and all(line.startswith(f"error: {document}: ") for line in errors)
    for line in result.stdout.split("\n")[:-1]:
        assert line == f"OK {document}" or line.startswith(f"{document}: $")
    assert (result.exit_code == 0) == (result.stdout == f"OK {document}\n")
