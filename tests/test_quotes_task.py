"""examples/quotes end to end with the tiny random model: a user task summarized, validated and scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.core.task import load_task
from summarizer.core.text import find_span
from summarizer.core.validation import validate_document

pytest.importorskip("llguidance")
pytest.importorskip("transformers")

REPO = Path(__file__).resolve().parent.parent
QUOTES = REPO / "examples" / "quotes"
DATA = QUOTES / "data"


def _run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def test_summarize_writes_valid_grounded_quotes_documents(tiny_model_dir, tmp_path):
    out, records = tmp_path / "out", tmp_path / "runs.jsonl"
    result = _run(
        "summarize",
        DATA / "articles",
        "--task",
        QUOTES,
        "--model",
        tiny_model_dir,
        "--out",
        out,
        "--jsonl",
        records,
        "--max-new-tokens",
        300,
        "--store",
        tmp_path / "store.sqlite3",
        "--quiet",
    )
    task = load_task(QUOTES)
    articles = sorted((DATA / "articles").glob("*.txt"))
    runs = {r["id"]: r for r in map(json.loads, records.read_text().splitlines())}
    assert set(runs) == {a.stem for a in articles}
    for article in articles:
        run = runs[article.stem]
        # Item by item (the task's default), no generation can run away: every article is ok.
        assert run["status"] == "ok", run["reason"]
        assert run["stats"]["candidates"] == article.read_text(encoding="utf-8").count('"') // 2
        document = json.loads((out / f"{article.stem}.json").read_text())
        text = article.read_text(encoding="utf-8")
        assert validate_document(document, text, task) == []  # the task's schema, and every span in the article
        for quote, offsets in zip(document["quotes"], run["offsets"], strict=True):
            assert offsets == list(find_span(text, quote["speaker"]))
    assert result.exit_code == 0


def test_eval_scores_the_quotes_task(tiny_model_dir, tmp_path):
    # The document strategy, whose outputs the numbers below are (the default, item by item, is
    # tests/test_item_strategy.py).
    result = _run(
        "eval",
        "--strategy",
        "document",
        "--task",
        QUOTES,
        "--data",
        DATA,
        "--model",
        tiny_model_dir,
        "--out",
        tmp_path / "report",
        "--max-new-tokens",
        300,
        "--store",
        tmp_path / "store.sqlite3",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["task"] == "quotes" and report["n_articles"] == 4 and report["n_gold_items"] == 9
    assert report["options"]["strategy"] == "document"
    # The random-weight model writes one quote an article (4 items), each a span of its article (grounding
    # 1.0) but none the quote the labels hold: 0 of 4 predicted and 0 of 9 gold items match, so precision,
    # recall and F1 are all exactly 0 (F1 = 2 * 0 / (4 + 9)).
    assert report["n_pred_items"] == 4 and report["n_matched"] == 0 and report["grounding_rate"] == 1.0
    assert report["item_precision"] == report["item_recall"] == report["item_f1"] == 0.0
    assert set(report["per_field"]) == {"speaker", "role", "quote"}
    assert (tmp_path / "report" / "report.md").read_text().startswith("# quotes: evaluation of")
    rescored = _run(
        "score",
        "--task",
        QUOTES,
        "--gold",
        DATA / "labels",
        "--pred",
        tmp_path / "report" / "predictions",
        "--json",
        tmp_path / "score.json",
    )
    assert json.loads((tmp_path / "score.json").read_text())["item_f1"] == report["item_f1"]
    assert "Item F1" in rescored.stdout
    compared = _run(
        "compare",
        "--strategy",
        "document",
        "--task",
        QUOTES,
        "--data",
        DATA,
        "--model",
        tiny_model_dir,
        "--out",
        tmp_path / "compare",
        "--max-new-tokens",
        300,
        "--store",
        tmp_path / "store.sqlite3",
        "--quiet",
    )
    board = json.loads((tmp_path / "compare" / "leaderboard.json").read_text())
    assert compared.exit_code == 0 and board["task"] == "quotes"
    assert board["models"][0]["item_f1"] == report["item_f1"]  # the same generations, from the run store
    assert "by item F1" in (tmp_path / "compare" / "leaderboard.md").read_text()


def test_gold_labels_score_perfectly_and_validate():
    result = _run("score", "--task", QUOTES, "--gold", DATA / "labels", "--pred", DATA / "labels")
    assert result.exit_code == 0 and "Item F1" in result.stdout
    valid = _run(
        "validate", *sorted((DATA / "labels").glob("*.json")), "--task", QUOTES, "--articles", DATA / "articles"
    )
    assert valid.exit_code == 0 and valid.stdout.count("OK ") == 4
    as_claims = _run("validate", DATA / "labels" / "q1_library.json")  # without --task: the claims schema
    assert as_claims.exit_code == 1


@pytest.mark.parametrize(
    "args,message,code",
    [
        (["--model", "rules"], "the rules baseline extracts only the built-in claims task", 1),
        (["--model", "TINY", "--strategy", "figures"], "--strategy must be one of items, document for task", 2),
    ],
)
def test_claims_only_features_refuse_a_user_task(tiny_model_dir, tmp_path, args, message, code):
    args = [str(tiny_model_dir) if a == "TINY" else a for a in args]
    result = _run(
        "summarize",
        DATA / "articles" / "q1_library.txt",
        "--task",
        QUOTES,
        *args,
        "--quiet",
        "--store",
        tmp_path / "store.sqlite3",
    )
    assert result.exit_code == code and message in " ".join(result.stderr.split())
