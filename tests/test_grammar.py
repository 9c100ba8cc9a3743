"""Grammars for the claims schema: grounded documents pass, anything ungrounded or malformed fails."""

from __future__ import annotations

import copy
import json
import time

import pytest

pytest.importorskip("llguidance")
pytest.importorskip("transformers")

from summarizer.core.errors import GrammarError  # noqa: E402
from summarizer.core.resources import load_schema  # noqa: E402
from summarizer.core.text import find_span  # noqa: E402
from summarizer.engine.grammar import build_grammar, check_grammar, evidence_chunks, grounded_lark, grounded_numbers  # noqa: E402

ARTICLE = (
    "Officials in Kharkiv said 12 civilians were killed and “about 40” injured on Monday.\n"
    "The army reported between 3 and 5 soldiers missing; Ukraine’s ministry said 1,180 homes were destroyed."
)


def claim(**overrides) -> dict:
    base = {
        "claimant": "Officials in Kharkiv",
        "claimant_type": "state",
        "claimant_side": None,
        "outcome": "killed",
        "victim_side": None,
        "victim_group": "civilians",
        "equipment": None,
        "count": {"value": 12, "qualifier": "exact", "upper": None},
        "period": "on Monday",
        "location": "Kharkiv",
        "perpetrator_side": None,
        "verification": "unverified",
        "evidence": "12 civilians were killed",
    }
    base.update(overrides)
    return base


def compact(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture(scope="module")
def ll_tokenizer(tiny_tokenizer):  # noqa: F811
    import llguidance.hf

    return llguidance.hf.from_tokenizer(tiny_tokenizer, n_vocab=1024)


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def accepts(ll_tokenizer, grammar: str, text: str) -> bool:
    """Feed ``text`` as tokens; True if every token is accepted and the grammar is complete."""
    from llguidance import LLMatcher

    matcher = LLMatcher(ll_tokenizer, grammar, log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    return matcher.consume_tokens(ll_tokenizer.tokenize_str(text)) and matcher.is_accepting()


def seed_label_as_generated(label: dict, article: str, schema: dict) -> dict:
    """The label with keys in schema order and evidence as the exact article span (labels may normalise whitespace)."""
    claim_keys = list(schema["$defs"]["claim"]["properties"])
    count_keys = ["value", "qualifier", "upper"]
    claims = []
    for c in label["claims"]:
        start, end = find_span(article, c["evidence"])
        item = {k: c[k] for k in claim_keys}
        item["count"] = {k: c["count"][k] for k in count_keys}
        item["evidence"] = article[start:end]
        claims.append(item)
    return {"summary": label["summary"], "claims": claims}


def test_seed_labels_are_accepted(seeds_dir, seed_articles, schema, ll_tokenizer):
    labels = sorted((seeds_dir / "labels").glob("*.json"))
    assert labels, "no seed labels"
    for path in labels:
        article = seed_articles[path.stem]
        doc = seed_label_as_generated(json.loads(path.read_text(encoding="utf-8")), article, schema)
        assert doc["claims"], path.name
        text = compact(doc)
        assert accepts(ll_tokenizer, build_grammar(schema, article), text), path.name
        assert accepts(ll_tokenizer, build_grammar(schema, grounded=False), text), path.name


@pytest.mark.parametrize(
    "doc",
    [
        {"summary": "Officials report deaths.", "claims": []},
        {"summary": "x", "claims": [claim()]},
        {
            "summary": "Several claims.",
            "claims": [
                claim(),
                claim(
                    claimant=None,
                    claimant_type="unattributed",
                    outcome="injured",
                    count={"value": 40, "qualifier": "approximately", "upper": None},
                    evidence="“about 40” injured on Monday.\nThe army",
                ),
                claim(
                    claimant="The army",
                    claimant_type="state",
                    outcome="missing",
                    victim_group="military",
                    count={"value": 3, "qualifier": "range", "upper": 5},
                    evidence="between 3 and 5 soldiers missing",
                ),
                claim(
                    outcome="equipment_destroyed",
                    equipment="homes",
                    victim_group="unspecified",
                    count={"value": 1180, "qualifier": "exact", "upper": None},
                    evidence="Ukraine’s ministry said 1,180 homes were destroyed.",
                ),
            ],
        },
    ],
    ids=["no-claims", "one-claim", "several-claims"],
)
def test_grounded_documents_are_accepted(schema, ll_tokenizer, doc):
    assert accepts(ll_tokenizer, build_grammar(schema, ARTICLE), compact(doc))


@pytest.mark.parametrize(
    "bad_claim",
    [
        claim(evidence="12 civilians killed"),  # not verbatim
        claim(evidence="12 Civilians were killed"),  # case differs
        claim(evidence=""),  # empty
        claim(evidence='Officials in Kharkiv said 12 civilians were killed and "about 40"'),  # straight quotes
        claim(count={"value": 13, "qualifier": "exact", "upper": None}),  # number not in the article
        claim(count={"value": 12.0, "qualifier": "exact", "upper": None}),  # not as the parser formats it
        claim(count={"value": 3, "qualifier": "range", "upper": 7}),  # upper not in the article
        claim(count={"value": 3, "qualifier": "range", "upper": None}),  # schema: range needs upper
        claim(count={"value": 3, "qualifier": "exact", "upper": 5}),  # schema: only range has upper
        claim(outcome="died"),  # not in the enum
        claim(claimant=""),  # minLength
        claim(claimant="x" * 201),  # maxLength
    ],
    ids=[
        "paraphrase",
        "case",
        "empty-evidence",
        "quotes",
        "number",
        "number-format",
        "upper",
        "range-null",
        "exact-upper",
        "enum",
        "empty-name",
        "long-name",
    ],
)
def test_ungrounded_or_invalid_claims_are_rejected(schema, ll_tokenizer, bad_claim):
    grammar = build_grammar(schema, ARTICLE)
    assert not accepts(ll_tokenizer, grammar, compact({"summary": "s", "claims": [bad_claim]}))


def test_layout_is_fixed(schema, ll_tokenizer):
    doc = {"summary": "s", "claims": [claim()]}
    reordered = {"claims": doc["claims"], "summary": "s"}
    for grammar in (build_grammar(schema, ARTICLE), build_grammar(schema, grounded=False)):
        assert accepts(ll_tokenizer, grammar, compact(doc))
        assert not accepts(ll_tokenizer, grammar, json.dumps(doc, ensure_ascii=False))  # spaces after , and :
        assert not accepts(ll_tokenizer, grammar, json.dumps(doc, ensure_ascii=False, indent=2))
        assert not accepts(ll_tokenizer, grammar, compact(reordered))


def test_summary_bounds_come_from_the_schema(schema, ll_tokenizer):
    grammar = build_grammar(schema, ARTICLE, grounded=False)
    assert accepts(ll_tokenizer, grammar, compact({"summary": "y" * 600, "claims": []}))
    assert not accepts(ll_tokenizer, grammar, compact({"summary": "y" * 601, "claims": []}))
    for grammar in (build_grammar(schema, ARTICLE), build_grammar(schema, grounded=False)):
        assert not accepts(ll_tokenizer, grammar, compact({"summary": "", "claims": []}))


def test_grounded_summary_states_only_article_numbers(schema, ll_tokenizer):
    grammar = build_grammar(schema, ARTICLE)
    assert accepts(
        ll_tokenizer, grammar, compact({"summary": "Officials say 12 died and about 40 were hurt.", "claims": []})
    )
    for invented in ("Officials say 13 died.", "Officials say two died.", "Officials say 12,040 died."):
        assert not accepts(ll_tokenizer, grammar, compact({"summary": invented, "claims": []}))


def test_article_without_numbers_forces_empty_claims(schema, ll_tokenizer):
    article = "Fighting continued overnight, officials said, without giving figures."
    grammar = build_grammar(schema, article)
    check_grammar(grammar, ll_tokenizer)
    assert accepts(ll_tokenizer, grammar, compact({"summary": "No figures.", "claims": []}))
    one = claim(evidence="officials said", count={"value": 1, "qualifier": "exact", "upper": None})
    assert not accepts(ll_tokenizer, grammar, compact({"summary": "s", "claims": [one]}))


def test_evidence_chunks_escape_json_and_cover_the_article():
    text = 'He said "no"\n\tthen – left\\ 5'
    chunks = evidence_chunks(text)
    assert json.loads('"' + "".join(chunks) + '"') == text
    assert '\\"' in chunks and "\\n\\t" in chunks


def test_grounded_numbers_are_the_parsers():
    from summarizer.core.numbers import find_numbers, format_number

    numbers = grounded_numbers(ARTICLE)
    assert numbers == list(dict.fromkeys(format_number(m.value) for m in find_numbers(ARTICLE)))
    assert {"12", "40", "3", "5", "1180"} <= set(numbers) and "13" not in numbers


def test_the_lark_text_for_servers_is_the_grounded_grammar(schema, ll_tokenizer):
    """What a serving engine gets verbatim decides as the in-process grammar does."""
    from llguidance import LLMatcher

    lark = grounded_lark(schema, ARTICLE)
    assert lark.startswith("%llguidance {}") and '"1180"' in lark  # counts as JSON numbers
    assert "\nsummary: " in lark  # the summary's numbers are grounded too
    grammar = LLMatcher.grammar_from_lark(lark)
    assert accepts(ll_tokenizer, grammar, compact({"summary": "x", "claims": [claim()]}))
    assert not accepts(ll_tokenizer, grammar, compact({"summary": "x", "claims": [claim(evidence="13 killed")]}))


def test_grounded_grammar_needs_the_article(schema):
    with pytest.raises(GrammarError):
        build_grammar(schema)


def test_check_grammar_reports_one_line(ll_tokenizer):
    from llguidance import LLMatcher

    broken = LLMatcher.grammar_from_lark("start: undefined_rule\n")
    with pytest.raises(GrammarError) as info:
        check_grammar(broken, ll_tokenizer)
    assert "\n" not in str(info.value) and str(info.value)


def test_unsupported_ref_is_a_grammar_error(schema):
    bad = copy.deepcopy(schema)
    bad["properties"]["claims"]["items"] = {"$ref": "https://example.com/claim.json"}
    with pytest.raises(GrammarError):
        build_grammar(bad, ARTICLE)


def test_seed_grammars_compile_fast(seed_articles, schema, ll_tokenizer):
    from llguidance import LLMatcher

    slowest = 0.0
    for article in seed_articles.values():
        start = time.perf_counter()
        grammar = build_grammar(schema, article)
        check_grammar(grammar, ll_tokenizer)
        LLMatcher(ll_tokenizer, grammar, log_level=0)
        slowest = max(slowest, time.perf_counter() - start)
    # Typically 15-40 ms on a 2-core machine; the bound leaves room for a loaded CI box.
    assert slowest < 1.0, f"slowest seed grammar took {slowest * 1000:.0f} ms"


# -- grounding declared with x-grounded in any task's schema ------------------------------------
EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "events": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "place": {"type": ["string", "null"], "minLength": 1, "maxLength": 40, "x-grounded": "span"},
                    "people": {"type": "integer", "minimum": 0, "x-grounded": "number"},
                    "kind": {"enum": ["protest", "strike"]},
                },
                "required": ["place", "people", "kind"],
                "additionalProperties": False,
            },
        },
        "note": {"type": "string", "minLength": 1, "maxLength": 100, "x-grounded": "numbers"},
    },
    "required": ["events", "note"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    "doc,ok",
    [
        ({"events": [{"place": "Kharkiv", "people": 12, "kind": "protest"}], "note": "About 40 came."}, True),
        ({"events": [{"place": None, "people": 1180, "kind": "strike"}], "note": "n"}, True),
        ({"events": [], "note": "Quiet day."}, True),
        ({"events": [{"place": "Kyiv", "people": 12, "kind": "protest"}], "note": "n"}, False),  # not a span
        ({"events": [{"place": "Kharkiv", "people": 13, "kind": "protest"}], "note": "n"}, False),  # not its number
        ({"events": [{"place": "Kharkiv", "people": 12, "kind": "riot"}], "note": "n"}, False),  # not in the enum
        ({"events": [], "note": "Some 77 came."}, False),  # invented number
    ],
    ids=["span", "null-span", "empty", "not-a-span", "number", "enum", "free-text-number"],
)
def test_x_grounded_grounds_any_schema(ll_tokenizer, doc, ok):
    assert accepts(ll_tokenizer, build_grammar(EVENT_SCHEMA, ARTICLE), compact(doc)) is ok


def test_x_grounded_does_not_reach_the_json_schema_engine(ll_tokenizer):
    grammar = build_grammar(EVENT_SCHEMA, grounded=False)
    assert "x-grounded" not in grammar
    assert accepts(
        ll_tokenizer,
        grammar,
        compact({"events": [{"place": "Kyiv", "people": 3, "kind": "strike"}], "note": "Some 77 came."}),
    )


def test_a_plain_leaf_with_a_ref_into_defs_gets_the_definition_inlined():
    """Found by the schema-shape property test (issue 22): the leaf is compiled on its own, where
    '#/$defs/tag' pointed nowhere, so every article failed after the model loaded."""
    schema = {
        "type": "object",
        "properties": {
            "who": {"type": "string", "x-grounded": "span"},
            "meta": {"type": "object", "properties": {"tag": {"$ref": "#/$defs/tag"}}, "required": ["tag"]},
        },
        "required": ["who", "meta"],
        "$defs": {"tag": {"enum": ["a", "b"]}},
    }
    lark = grounded_lark(schema, "Officials said 12 were killed.")
    assert "$ref" not in lark and '"tag": {"enum": ["a", "b"]}' in lark
