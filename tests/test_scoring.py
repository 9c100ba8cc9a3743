"""The scorer against hand-computed cases (tests/data/scoring/*.json) and its own invariants.

Each data file holds ``gold`` and ``pred`` documents by article id, the ``articles``
and the ``expected`` report entries. Expected numbers may be written as arithmetic
("8/9", "(12 + 2/3)/13") so the hand computation stays visible; they are evaluated
exactly with fractions. Expected dicts are checked as subsets of the report, except
``field_diffs`` and ``summary_invented_numbers``, which must match exactly (their strings
are field values and summary words, not arithmetic); ``per_article`` is keyed by id; a list
of matches must match position by position.
"""

from __future__ import annotations

import ast
import copy
import json
import operator
import random
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

from summarizer.core.errors import InputError
from summarizer.core.validation import is_valid
from summarizer.tasks.claims.alignment import FIELDS
from summarizer.tasks.claims.scoring import score_documents, summary_numbers
from summarizer.testing import strategies

CASES_DIR = Path(__file__).parent / "data" / "scoring"
CASES = sorted(CASES_DIR.glob("*.json"))
HEADLINE = (
    "claim_precision",
    "claim_recall",
    "claim_f1",
    "strict_precision",
    "strict_recall",
    "strict_f1",
    "macro_f1",
    "macro_strict_f1",
    "attributed_f1",
    "validity_rate",
    "grounding_rate",
    "hallucinated_number_rate",
    "summary_invented_number_rate",
    "summaries_with_invented_number_rate",
    "n_matched",
    "count_accuracy",
    "mean_field_accuracy",
)

LITERAL_KEYS = ("field_diffs", "summary_invented_numbers")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def exact(expression: str) -> Fraction:
    """Evaluate "8/9" or "(10 + 3 * 3/4)/13" exactly: numbers, + - * / and brackets only."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Fraction(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(f"not plain arithmetic: {expression!r}")

    return walk(ast.parse(expression, mode="eval"))


def check(actual, expected, where: str) -> None:
    if isinstance(expected, str):
        assert actual == pytest.approx(float(exact(expected)), abs=1e-12), where
    elif isinstance(expected, bool) or expected is None:
        assert actual is expected, where
    elif isinstance(expected, (int, float)):
        assert actual == pytest.approx(expected, abs=1e-12), where
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            check(a, e, f"{where}[{i}]")
    elif isinstance(expected, dict):
        for key, value in expected.items():
            assert key in actual, f"{where}: no key {key!r}"
            if key in LITERAL_KEYS:  # field values and summary words, compared literally and completely
                assert actual[key] == value, f"{where}.{key}"
            else:
                check(actual[key], value, f"{where}.{key}")
    else:
        raise TypeError(f"{where}: cannot compare {expected!r}")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def score_case(case: dict) -> dict:
    return score_documents(case["gold"], case["pred"], case.get("articles"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_matches_hand_computed_numbers(path):
    case = load(path)
    report = score_case(case)
    expected = dict(case["expected"])
    per_article_expected = expected.pop("per_article", {})
    check(report, expected, path.stem)
    rows = {row["id"]: row for row in report["per_article"]}
    for article_id, row_expected in per_article_expected.items():
        check(rows[article_id], row_expected, f"{path.stem}.per_article[{article_id}]")


def test_required_cases_are_present():
    names = {p.stem for p in CASES}
    assert {
        "identity",
        "claim_order",
        "one_missing_claim",
        "invented_number",
        "wrong_victim_group",
        "invalid_document",
        "quotes_whitespace_grounding",
        "missing_vs_invented",
        "summary_invented_number",
        "summary_number_word",
        "summary_vague_word",
        "summary_not_checked",
        "attributed_claimant",
    } <= names


def _shuffled(pred: dict, rng: random.Random) -> dict:
    pred = copy.deepcopy(pred)
    for doc in pred.values():
        if isinstance(doc, dict) and isinstance(doc.get("claims"), list):
            rng.shuffle(doc["claims"])
    return pred


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_claim_order_does_not_change_any_number(path):
    case = load(path)
    base = score_case(case)
    shuffled = score_documents(case["gold"], _shuffled(case["pred"], random.Random(7)), case.get("articles"))
    for key in HEADLINE:
        assert shuffled[key] == base[key], key
    assert shuffled["per_field"] == base["per_field"]
    assert shuffled["ci"] == base["ci"]


def test_report_is_exactly_reproducible():
    case = load(CASES_DIR / "one_missing_claim.json")
    first, second = score_case(case), score_case(case)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_report_has_the_documented_keys():
    report = score_case(load(CASES_DIR / "invalid_document.json"))
    for key in HEADLINE + (
        "macro_f1",
        "n_articles",
        "n_gold_claims",
        "n_pred_claims",
        "ci",
        "per_article",
        "per_field",
        "settings",
    ):
        assert key in report
    assert set(report["per_field"]) == set(FIELDS)
    row = report["per_article"][0]
    for key in (
        "id",
        "n_gold",
        "n_pred",
        "tp",
        "precision",
        "recall",
        "f1",
        "strict_f1",
        "valid",
        "grounding_rate",
        "hallucinated_number_rate",
        "summary_invented_number_rate",
        "summary_has_invented_number",
        "summary_invented_numbers",
        "matches",
        "missed",
        "spurious",
    ):
        assert key in row
    assert {
        "claim_f1",
        "strict_f1",
        "claim_precision",
        "claim_recall",
        "summary_invented_number_rate",
        "summaries_with_invented_number_rate",
    } <= set(report["ci"])
    json.dumps(report, allow_nan=False)  # the report is plain JSON


def test_without_articles_grounding_is_undefined_not_perfect():
    case = load(CASES_DIR / "identity.json")
    report = score_documents(case["gold"], case["pred"], None)
    assert report["grounding_rate"] is None and report["hallucinated_number_rate"] is None
    assert report["summary_invented_number_rate"] is None and report["summaries_with_invented_number_rate"] is None
    assert report["claim_f1"] == 1.0


def test_prediction_for_unknown_article_is_ignored_and_listed():
    case = load(CASES_DIR / "identity.json")
    pred = {**case["pred"], "zzz": case["pred"]["a"]}
    report = score_documents(case["gold"], pred, case["articles"])
    assert report["ignored_predictions"] == ["zzz"]
    assert report["n_articles"] == 3 and report["n_pred_claims"] == 9


def test_gold_that_fails_the_schema_is_an_input_error_naming_the_id():
    case = load(CASES_DIR / "identity.json")
    gold = {**case["gold"], "broken": {"summary": "x"}}
    with pytest.raises(InputError, match="broken"):
        score_documents(gold, case["pred"], case["articles"])


# --- hostile input: scored as invalid, or refused in one line, never an exception ------------------


@settings(max_examples=200, deadline=None)
@given(pred=strategies.claims_documents())
def test_any_prediction_is_scored_and_the_report_is_strict_json(pred):
    gold = {"a": strategies.VALID_DOCUMENT}
    report = score_documents(gold, {"a": pred}, {"a": strategies.ARTICLE})
    json.dumps(report, allow_nan=False)  # what `score --json` writes
    assert report["per_article"][0]["valid"] == is_valid(pred)


@settings(max_examples=200, deadline=None)
@given(gold=strategies.claims_documents())
def test_any_gold_is_scored_or_refused_in_one_line(gold):
    try:
        report = score_documents({"a": gold}, {"a": strategies.VALID_DOCUMENT}, {"a": strategies.ARTICLE})
    except InputError as error:
        assert not is_valid(gold) and "\n" not in str(error)
    else:
        assert is_valid(gold) and json.dumps(report, allow_nan=False)


@pytest.mark.parametrize(
    "summary, texts",
    [
        ("A shell hit an apartment block, killing 3.", ["3"]),  # "A", "an": articles, not the count 1
        ("A hundred people fled; one was hurt.", ["A hundred", "one"]),  # "a hundred" is a figure, so is "one"
        ("Dozens were killed, twenty-three of them children.", ["Dozens", "twenty-three"]),
    ],
)
def test_summary_numbers_leave_out_only_a_bare_a_or_an(summary, texts):
    assert [m.text for m in summary_numbers(summary)] == texts
