"""Schema and grounding checks: JSON paths, short reasons, and the seed labels."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from summarizer.core.validation import Problem, grounding_problems, is_valid, schema_problems, validate_document
from summarizer.testing import strategies

ARTICLE = (
    "Alexander Bastrykin, head of Russia\u2019s Investigative Committee, said Ukrainian attacks\n"
    "killed 652 civilians. This figure includes twenty-three children. Dozens were hurt."
)

CLAIM = {
    "claimant": "Alexander Bastrykin",
    "claimant_type": "state",
    "claimant_side": "Russia",
    "outcome": "killed",
    "victim_side": "Russia",
    "victim_group": "civilians",
    "equipment": None,
    "count": {"value": 652, "qualifier": "exact", "upper": None},
    "period": None,
    "location": None,
    "perpetrator_side": "Ukraine",
    "verification": "not_stated",
    "evidence": "Ukrainian attacks killed 652 civilians.",
}
DOC = {"summary": "Russia says Ukrainian attacks killed 652 civilians.", "claims": [CLAIM]}
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _doc(**changes) -> dict:
    """DOC with the first claim changed; ``count__value=5`` sets a nested field."""
    doc = copy.deepcopy(DOC)
    for key, value in changes.items():
        target, *rest = key.split("__")
        if rest:
            doc["claims"][0][target][rest[0]] = value
        else:
            doc["claims"][0][target] = value
    return doc


def _paths(problems: list[Problem]) -> list[str]:
    return [p.path for p in problems]


def test_a_good_document_has_no_problems():
    assert validate_document(DOC, ARTICLE) == []
    assert is_valid(DOC)


def test_empty_claims_list_is_valid():
    assert is_valid({"summary": "No figures.", "claims": []})


@pytest.mark.parametrize(
    "changes, path, reason",
    [
        ({"victim_group": "kids"}, "$.claims[0].victim_group", "must be one of"),
        ({"count__value": -1}, "$.claims[0].count.value", "at least 0"),
        ({"count__value": "652"}, "$.claims[0].count.value", "expected number, got string"),
        ({"count__upper": 700}, "$.claims[0].count.upper", "null unless qualifier is 'range'"),
        ({"count__qualifier": "range"}, "$.claims[0].count.upper", "must be a number when qualifier is 'range'"),
        ({"count__qualifier": "roughly"}, "$.claims[0].count.qualifier", "must be one of"),
        ({"evidence": ""}, "$.claims[0].evidence", "must not be empty"),
        ({"claimant": 3}, "$.claims[0].claimant", "expected string or null, got number"),
        ({"source": "x"}, "$.claims[0].source", "unexpected field"),
    ],
)
def test_schema_problem_path_and_reason(changes, path, reason):
    problems = schema_problems(_doc(**changes))
    assert _paths(problems) == [path]
    assert reason in problems[0].message and problems[0].kind == "schema"
    assert not is_valid(_doc(**changes))


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), float("nan"), 10**400, -(10**400), 2**53 + 1])
@pytest.mark.parametrize("field", ["value", "upper"])
def test_numbers_no_count_can_be_are_schema_problems(value, field):
    doc = _doc(count__qualifier="range", count__value=23, count__upper=652)
    doc["claims"][0]["count"][field] = value
    problems = schema_problems(doc)
    assert _paths(problems) == [f"$.claims[0].count.{field}"]
    assert "not a usable number" in problems[0].message and "\n" not in problems[0].message
    assert not is_valid(doc)
    assert _paths(validate_document(doc, ARTICLE)) == [f"$.claims[0].count.{field}"]  # no grounding crash


def test_the_largest_usable_count_is_valid():
    assert is_valid(_doc(count__value=2**53))


def test_an_integer_too_long_for_python_to_print_is_one_problem():
    problems = schema_problems(_doc(count__value=10**5000))
    assert len(problems) == 1 and problems[0].kind == "schema"


def test_a_range_count_is_valid():
    assert is_valid(_doc(count__qualifier="range", count__upper=700))


def test_missing_fields_are_named():
    doc = copy.deepcopy(DOC)
    del doc["claims"][0]["period"]
    del doc["summary"]
    assert sorted(str(p) for p in schema_problems(doc)) == [
        "$.claims[0].period: required field is missing",
        "$.summary: required field is missing",
    ]


def test_problems_come_in_document_order():
    doc = copy.deepcopy(DOC)
    doc["claims"] = [CLAIM] * 12
    doc["claims"][10] = dict(CLAIM, outcome="dead")
    doc["claims"][2] = dict(CLAIM, outcome="dead")
    assert _paths(schema_problems(doc)) == ["$.claims[2].outcome", "$.claims[10].outcome"]


@pytest.mark.parametrize("doc", [[], "text", None, {"claims": "none", "summary": "x"}])
def test_wrong_shapes_are_reported_not_raised(doc):
    assert schema_problems(doc)
    assert grounding_problems(doc, ARTICLE) == []


def test_evidence_with_straight_quotes_and_other_whitespace_grounds():
    doc = _doc(evidence="head of Russia's   Investigative Committee, said Ukrainian attacks killed 652 civilians")
    assert grounding_problems(doc, ARTICLE) == []


def test_evidence_not_in_article():
    problems = grounding_problems(_doc(evidence="Ukrainian attacks killed 653 civilians."), ARTICLE)
    assert [(p.path, p.kind) for p in problems] == [("$.claims[0].evidence", "grounding")]
    assert "not found verbatim" in problems[0].message


def test_count_value_must_occur_in_article():
    problems = grounding_problems(_doc(count__value=650), ARTICLE)
    assert [str(p) for p in problems] == ["$.claims[0].count.value: 650 does not occur in the article"]


def test_number_words_and_vague_words_ground():
    assert grounding_problems(_doc(count__value=23), ARTICLE) == []
    assert grounding_problems(_doc(count__value=12), ARTICLE) == []


def test_range_upper_must_occur_too():
    doc = _doc(count__qualifier="range", count__value=23, count__upper=700)
    assert _paths(grounding_problems(doc, ARTICLE)) == ["$.claims[0].count.upper"]


def test_validate_document_combines_both_and_skips_grounding_without_article():
    doc = _doc(victim_group="kids", count__value=650)
    assert _paths(validate_document(doc)) == ["$.claims[0].victim_group"]
    assert [p.kind for p in validate_document(doc, ARTICLE)] == ["schema", "grounding"]


def test_every_seed_article_has_a_label():
    articles = sorted(p.stem for p in (SEEDS / "articles").glob("*.txt"))
    labels = sorted(p.stem for p in (SEEDS / "labels").glob("*.json"))
    assert labels == articles


@pytest.mark.parametrize("label", sorted((SEEDS / "labels").glob("*.json")), ids=lambda p: p.stem)
def test_seed_label_validates_and_grounds(label):
    article = (SEEDS / "articles" / f"{label.stem}.txt").read_text(encoding="utf-8")
    doc = json.loads(label.read_text(encoding="utf-8"))
    assert [str(p) for p in validate_document(doc, article)] == []
    assert doc["claims"], "a seed label with no claims"


# --- hostile input: a clean verdict, never an exception ----------------------------------------


@settings(max_examples=300, deadline=None)
@given(doc=strategies.claims_documents())
def test_any_json_value_gives_one_line_problems_never_an_exception(doc):
    problems = validate_document(doc, strategies.ARTICLE)
    for problem in problems:
        assert problem.path.startswith("$") and not {"\n", "\r"} & set(str(problem))
    assert is_valid(doc) == (not schema_problems(doc))


@pytest.mark.parametrize("kind", ["array", "object"])
def test_nesting_as_deep_as_json_reads_is_a_problem_not_a_crash(kind):
    doc = json.loads(strategies.deeply_nested(900, kind))  # json.loads itself stops near 1000
    problems = schema_problems(doc)
    assert problems and all(path.startswith("$.claims[0]") for path in _paths(problems))
