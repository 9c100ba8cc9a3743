"""A cut-off document keeps its summary and complete claims, without repeats."""

from __future__ import annotations

import json

from summarizer.tasks.claims.salvage import salvage_document, without_repeats


def claim(value: int, evidence: str = "12 killed") -> dict:
    return {"outcome": "killed", "count": {"value": value, "qualifier": "exact", "upper": None}, "evidence": evidence}


def compact(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def test_complete_claims_are_kept_and_the_cut_one_dropped():
    full = compact({"summary": 'S, with "quotes".', "claims": [claim(12), claim(3, "3 hurt")]})
    cut = full[: full.rindex('"evidence"')]  # inside the second claim
    assert salvage_document(cut) == {"summary": 'S, with "quotes".', "claims": [claim(12)]}


def test_a_looping_document_keeps_each_claim_once():
    looping = compact({"summary": "S", "claims": [claim(12), claim(3, "3 hurt")] * 5})[:-30]
    assert salvage_document(looping)["claims"] == [claim(12), claim(3, "3 hurt")]


def test_nothing_is_kept_before_the_summary_ends():
    assert salvage_document('{"summary":"The ministry sa') is None
    assert salvage_document('{"summary":"S","claims":[') == {"summary": "S", "claims": []}


def test_the_same_figure_with_other_evidence_is_not_a_repeat():
    assert len(without_repeats([claim(12), claim(12, "twelve died")])) == 2
