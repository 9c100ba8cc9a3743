"""The ledger of the series scored against its labels (summarizer/claimledger/scoring.py): the gold
documents, and the frozen documents of the rules baseline and SmolLM2-135M
(eval/datasets/ledger-series/predictions/, made by `summarizer summarize ... --out`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.claimledger.api import build_ledger
from summarizer.claimledger.scoring import score_ledger

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"
EXPECTED = SERIES / "expected.json"


def scores_of(documents: Path, tmp_path: Path) -> dict:
    result = build_ledger([documents], out=tmp_path / "l.sqlite3", articles=SERIES / "articles", expected=EXPECTED)
    assert result.problems == []
    assert result.scores is not None
    return result.scores


def test_the_gold_ledger_is_the_labelled_one(tmp_path):
    scores = scores_of(SERIES / "labels", tmp_path)
    assert (scores["grouping_precision"], scores["grouping_recall"]) == (1.0, 1.0)
    assert (scores["pairs_labelled"], scores["pairs_right"]) == (52, 52)
    assert len(scores["groups_found"]) == 7
    assert (scores["conflict_precision"], scores["conflict_recall"]) == (1.0, 1.0)
    assert (scores["flag_precision"], scores["flag_recall"]) == (1.0, 1.0)


def test_the_rules_baselines_ledger(tmp_path):
    scores = scores_of(SERIES / "predictions" / "rules", tmp_path)
    # Every pair it groups is right; it loses pairs where it misreads "140 of its soldiers" as
    # Azerbaijani and where it leaves the retraction and two victim sides unattributed.
    assert (scores["pairs_right"], scores["pairs_predicted"]) == (34, 34)
    assert (scores["pairs_recovered"], scores["pairs_labelled"]) == (34, 52)
    assert scores["grouping_recall"] == pytest.approx(34 / 52)
    assert scores["conflicts_predicted"] == [("armenian-soldiers-killed-total", "2031-03-13")]
    assert (scores["flag_precision"], scores["flag_recall"]) == (1.0, 0.5)  # the outlier; not the retraction


def test_smollm2s_ledger(tmp_path):
    scores = scores_of(SERIES / "predictions" / "smollm2-135m", tmp_path)
    assert (scores["pairs_right"], scores["pairs_predicted"]) == (37, 37)
    assert (scores["pairs_recovered"], scores["pairs_labelled"]) == (37, 52)
    assert scores["conflicts_predicted"] == [("armenian-soldiers-killed-total", "2031-03-13")]
    assert (scores["flags_predicted"], scores["flag_recall"]) == (0, 0.0)  # precision 0.0 by the convention


def test_a_missed_claim_and_a_wrong_group_by_hand():
    expected = {
        "groups": [{"name": "g", "members": [["a", 0], ["a", 1], ["b", 0]]}],
        "conflicts": [{"group": "g", "dates": ["2031-03-05"]}],
        "series_flags": [],
    }
    # Ledger: a0 and a1 together, b0 in another group with a spurious claim b1.
    claims = [
        {"id": 1, "article_id": "a", "claim_index": 0, "group_id": "x"},
        {"id": 2, "article_id": "a", "claim_index": 1, "group_id": "x"},
        {"id": 3, "article_id": "b", "claim_index": 0, "group_id": "y"},
        {"id": 4, "article_id": "b", "claim_index": 1, "group_id": "y"},
    ]
    matches = {("a", 0): ("a", 0), ("a", 1): ("a", 1), ("b", 0): ("b", 0), ("b", 1): None}
    conflicts = [{"group_id": "x", "date": "2031-03-05"}, {"group_id": "y", "date": "2031-03-06"}]
    scores = score_ledger(claims, conflicts, [], expected, matches)
    # predicted pairs: (1,2) right, (3,4) wrong -> precision 1/2; labelled pairs: 3, found 1 -> recall 1/3
    assert (scores["grouping_precision"], scores["grouping_recall"]) == (0.5, pytest.approx(1 / 3))
    assert scores["groups_found"] == []
    assert (scores["conflict_precision"], scores["conflict_recall"]) == (0.5, 1.0)
    assert (scores["flag_precision"], scores["flag_recall"]) == (1.0, 1.0)  # nothing flagged, nothing labelled
