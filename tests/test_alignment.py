"""Pairing claims: similarity, the threshold, the Hungarian assignment and its tie break.

The claims are those of the hand-computed scoring case tests/data/scoring/identity.json.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from summarizer.tasks.claims.alignment import MATCH_THRESHOLD, align, similarity

CASES_DIR = Path(__file__).parent / "data" / "scoring"


def _claims() -> list[dict]:
    return json.loads((CASES_DIR / "identity.json").read_text(encoding="utf-8"))["gold"]["a"]["claims"]


def test_different_outcome_is_never_similar():
    gold = _claims()[0]
    pred = {**gold, "outcome": "injured"}
    assert similarity(gold, pred) == 0.0
    assert align([gold], [pred]) == []


def test_right_number_alone_is_below_the_threshold():
    gold = _claims()[0]
    pred = {**gold, "victim_group": "military", "victim_side": "Israel", "claimant": "Hamas"}
    assert similarity(gold, pred) == pytest.approx(35 / 75)
    assert similarity(gold, pred) < MATCH_THRESHOLD
    assert align([gold], [pred]) == []


def test_align_with_nothing_on_one_side():
    assert align([], _claims()) == []
    assert align(_claims(), []) == []


def test_align_prefers_the_pairing_with_the_larger_total():
    gold = _claims()[:2]  # civilians 652, children 23
    pred = [copy.deepcopy(gold[1]), copy.deepcopy(gold[0])]
    assert align(gold, pred) == [(0, 1, 1.0), (1, 0, 1.0)]


def test_ties_on_the_weighted_fields_are_broken_by_the_evidence():
    # Same figure, group, side and claimant in two places: only location and evidence tell them apart.
    base = _claims()[0]
    kharkiv = {**base, "location": "Kharkiv", "evidence": "10 people were killed in Kharkiv"}
    kherson = {**base, "location": "Kherson", "evidence": "10 people were killed in Kherson"}
    assert similarity(kharkiv, kherson) == 1.0
    assert align([kharkiv, kherson], [kherson, kharkiv]) == [(0, 1, 1.0), (1, 0, 1.0)]
