"""The generic task scorer against hand-computed cases (tests/data/task_scoring/*.json), on the quotes task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.core.task import load_task
from summarizer.evaluation.task_scoring import agreement, align, normalized, score_task_documents

REPO = Path(__file__).resolve().parent.parent
CASES = sorted((Path(__file__).parent / "data" / "task_scoring").glob("*.json"))
QUOTES = load_task(REPO / "examples" / "quotes")


def _score(case: dict) -> dict:
    return score_task_documents(case["gold"], case["pred"], QUOTES, case.get("articles"), n_bootstrap=50)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_matches_hand_computed_numbers(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    report = _score(case)
    for key, expected in case["expected"].items():
        if isinstance(expected, float):
            assert report[key] == pytest.approx(expected), key
        else:
            assert report[key] == expected, key


def test_there_are_cases():
    assert len(CASES) >= 4


def test_item_order_does_not_change_the_numbers():
    case = json.loads((CASES[0].parent / "missed_and_spurious.json").read_text(encoding="utf-8"))
    reordered = json.loads(json.dumps(case))
    reordered["pred"]["a"]["quotes"].reverse()
    first, second = _score(case), _score(reordered)
    assert {k: first[k] for k in ("item_f1", "n_matched")} == {k: second[k] for k in ("item_f1", "n_matched")}


def test_a_missing_prediction_is_invalid_and_empty():
    case = json.loads((CASES[0].parent / "identity.json").read_text(encoding="utf-8"))
    report = score_task_documents(case["gold"], {}, QUOTES, n_bootstrap=10)
    assert report["validity_rate"] == 0.0 and report["item_recall"] == 0.0
    assert report["per_article"][0]["invalid_reason"] == "no readable prediction"


def test_text_agreement_is_word_overlap_after_normalising():
    assert normalized(" “Not  today,” ") == "not today"
    assert agreement("Ana Ruiz", "ana  RUIZ.") == 1.0
    assert agreement("one two three four", "one two") == pytest.approx(2 * 2 / 6)
    assert agreement(None, None) == 1.0 and agreement(None, "x") == 0.0 and agreement(3, 3.0) == 1.0


def test_alignment_is_one_to_one():
    gold = [{"speaker": "A", "quote": "same words here"}]
    pred = [{"speaker": "A", "quote": "same words here"}, {"speaker": "A", "quote": "same words here"}]
    assert [(g, p) for g, p, _ in align(gold, pred, QUOTES)] == [(0, 0)]
