"""What the grounded grammar can build: every schema is built or refused in one line when the task
loads, before any model (issue 22, items 10 and 11)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.core.errors import GrammarError, TaskError
from summarizer.core.schema_paths import grounded_paths
from summarizer.core.schema_support import MAX_ENUM, check_grammar_support

ARTICLE = "Officials said 12 civilians were killed and 3 soldiers were wounded on Monday."
SPAN = {"type": "string", "x-grounded": "span"}
NUMBER = {"type": "number", "x-grounded": "number"}


def document(**properties) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


@pytest.mark.parametrize(
    "schema, line",
    [
        (
            document(who={"anyOf": [SPAN, {"type": "null"}]}),
            "$.who: every anyOf branch of a value holding grounded fields must be an object (for a value that may "
            'be missing, use "type": [..., "null"])',
        ),
        (
            document(who={**SPAN, "pattern": "^[A-Z]"}),
            "$.who: pattern on a grounded span is not supported (the grounded grammar keeps type and maxLength, "
            "minLength only)",
        ),
        (
            document(n={**NUMBER, "exclusiveMinimum": 0}),
            "$.n: exclusiveMinimum on a grounded number is not supported (the grounded grammar keeps type and "
            "maximum, minimum only)",
        ),
        (
            {**document(who=SPAN, note={"type": "string"}), "required": ["who"]},
            "$: property 'note' is optional; the grounded grammar needs every property of an object holding "
            'grounded fields required (make it nullable instead: "type": [..., "null"])',
        ),
        (
            {
                **document(tree={"$ref": "#/$defs/node"}),
                "$defs": {"node": document(name=SPAN, kids={"type": "array", "items": {"$ref": "#/$defs/node"}})},
            },
            "$.tree.kids[*]: $ref '#/$defs/node' leads back to itself (a recursive schema); the grammar needs a "
            "finite one",
        ),
        (document(who={**SPAN, "minLength": 5, "maxLength": 2}), "$.who: minLength 5 is greater than maxLength 2"),
        (
            document(tag={"enum": list(range(MAX_ENUM + 1))}),
            "$.tag: an enum of 1001 values; at most 1000 are supported",
        ),
        (
            document(items={"type": "array", "items": document(who=SPAN), "uniqueItems": True}),
            "$.items: uniqueItems on a value holding grounded fields is not supported",
        ),
        ({**document(a={"$ref": "#/$defs/a"}), "$defs": {"a": {"$ref": "#/$defs/a"}}}, "$.a: $ref cycle: #/$defs/a"),
    ],
)
def test_what_the_grammar_cannot_build_is_one_line_at_load(schema, line):
    with pytest.raises(TaskError) as caught:
        grounded_paths(schema)
        check_grammar_support(schema)
    assert str(caught.value).startswith(line)


def test_the_built_in_and_example_schemas_are_supported():
    from summarizer.core.resources import load_schema

    check_grammar_support(load_schema())
    check_grammar_support(json.loads(open("examples/quotes/schema.json", encoding="utf-8").read()))


# -- any schema shape: refused at load, or its grounded grammar builds and compiles ----------------
GROUNDED_EXTRA = st.dictionaries(
    st.sampled_from(["minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum"]),
    st.sampled_from([0, 1, 3, 50, "^a", "date"]),
    max_size=2,
)
LEAVES = st.one_of(
    st.builds(
        lambda extra, null: {**SPAN, "type": ["string", "null"] if null else "string", **extra},
        GROUNDED_EXTRA,
        st.booleans(),
    ),
    st.builds(lambda extra: {**NUMBER, **extra}, GROUNDED_EXTRA),
    st.just({"type": "string", "maxLength": 20}),
    st.builds(lambda n: {"enum": [f"v{i}" for i in range(n)]}, st.sampled_from([1, 3, MAX_ENUM + 1])),
    st.just({"$ref": "#/$defs/node"}),
)


def _shapes(inner):
    objects = st.builds(
        lambda props, optional: {
            "type": "object",
            "properties": props,
            "required": [k for k in props if k not in optional],
        },
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, min_size=1, max_size=3),
        st.sets(st.sampled_from(["a", "b", "c"]), max_size=1),
    )
    arrays = st.builds(
        lambda item, hi: {"type": "array", "items": item, "maxItems": hi}, objects, st.sampled_from([0, 2, 5])
    )
    choices = st.builds(lambda a, b: {"anyOf": [a, b]}, objects | LEAVES, objects | st.just({"type": "null"}))
    return objects | arrays | choices


SCHEMAS = st.builds(
    lambda root, node: {**root, "type": "object", "$defs": {"node": node}},
    st.recursive(LEAVES, _shapes, max_leaves=6).filter(lambda s: "properties" in s),
    st.recursive(LEAVES, _shapes, max_leaves=4),
)


@pytest.fixture(scope="module")
def ll_tokenizer(tiny_tokenizer):
    import llguidance.hf

    return llguidance.hf.from_tokenizer(tiny_tokenizer, n_vocab=1024)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(SCHEMAS)
def test_any_schema_is_refused_at_load_or_its_grounded_grammar_compiles(ll_tokenizer, schema):
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from summarizer.engine.grammar import build_grammar, check_grammar

    try:
        Draft202012Validator.check_schema(schema)  # the task loader's first check
        grounded_paths(schema)
        check_grammar_support(schema)
    except (SchemaError, TaskError):
        return
    try:
        grammar = build_grammar(schema, ARTICLE)
    except GrammarError as error:  # the one per-article refusal: this article has no number to ground
        assert "the article states no number" in str(error)
        return
    check_grammar(grammar, ll_tokenizer)
