"""Reading a schema: x-grounded declarations (through $ref and anyOf), plain schemas, paths into documents."""

from __future__ import annotations

import json

import pytest

from summarizer.core.errors import TaskError
from summarizer.core.schema_paths import (
    field_value,
    grounded_paths,
    iter_values,
    plain_schema,
    plain_schema_text,
    schema_node,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "x-grounded": "numbers"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    },
    "$defs": {
        "item": {
            "type": "object",
            "properties": {
                "who": {"type": ["string", "null"], "x-grounded": "span"},
                "count": {
                    "anyOf": [
                        {"type": "object", "properties": {"value": {"type": "number", "x-grounded": "number"}}},
                        {"type": "null"},
                    ]
                },
            },
        }
    },
}


def test_grounded_paths_follow_refs_and_branches_in_schema_order():
    assert grounded_paths(SCHEMA) == [
        (("summary",), "numbers"),
        (("items", "*", "who"), "span"),
        (("items", "*", "count", "value"), "number"),
    ]


@pytest.mark.parametrize(
    "node, message",
    [
        ({"type": "string", "x-grounded": "quote"}, "$.a: unknown x-grounded value 'quote'"),
        ({"type": "number", "x-grounded": "span"}, "$.a: x-grounded 'span' needs a property of type string"),
        ({"$ref": "#/nowhere"}, "$.a: $ref '#/nowhere' points nowhere"),
        ({"$ref": "other.json#/a"}, "$.a: only local $ref"),
    ],
)
def test_a_bad_declaration_is_one_line_naming_the_path(node, message):
    with pytest.raises(TaskError, match=message.replace("$", r"\$").replace("[", r"\[")):
        grounded_paths({"type": "object", "properties": {"a": node}})


def test_plain_schema_drops_only_the_grounding_keywords():
    plain = plain_schema(SCHEMA)
    assert "x-grounded" not in json.dumps(plain)
    assert plain["$defs"]["item"]["properties"]["who"] == {"type": ["string", "null"]}
    assert "x-grounded" in json.dumps(SCHEMA)  # the annotated schema is left as it was


def test_paths_into_documents():
    doc = {"summary": "Two.", "items": [{"who": "A", "count": {"value": 2}}, {"who": None, "count": None}]}
    assert list(iter_values(doc, ("items", "*", "who"))) == [(("items", 0, "who"), "A"), (("items", 1, "who"), None)]
    assert list(iter_values(doc, ("items", "*", "count", "value"))) == [(("items", 0, "count", "value"), 2)]
    assert field_value(doc["items"][0], "count.value") == 2 and field_value(doc["items"][1], "count.value") is None
    assert schema_node(SCHEMA, ("items", "*", "count", "value")) == {"type": "number", "x-grounded": "number"}
    assert schema_node(SCHEMA, ("items", "*", "nothing")) is None


@pytest.mark.parametrize(
    "annotated, plain",
    [
        ('{"a": {"type": "number", "x-grounded": "number"}}\n', '{"a": {"type": "number"}}\n'),
        (
            '{"a": {"type": "string", "x-grounded": "span", "maxLength": 9}}',
            '{"a": {"type": "string", "maxLength": 9}}',
        ),
        (
            '{\n  "a": {\n    "type": "string",\n    "x-grounded": "span",\n    "b": 1\n  }\n}',
            '{\n  "a": {\n    "type": "string",\n    "b": 1\n  }\n}',
        ),
        (
            '{\n  "a": {\n    "type": "string",\n    "x-grounded": "span"\n  }\n}',
            '{\n  "a": {\n    "type": "string"\n  }\n}',
        ),
        ('{"a": {"x-grounded": "span"}}', '{"a": {}}'),
    ],
)
def test_plain_schema_text_cuts_the_keywords_and_keeps_the_layout(annotated, plain):
    assert plain_schema_text(annotated) == plain


def test_plain_schema_text_leaves_a_quoted_keyword_in_text_alone():
    annotated = '{"description": "say \\"x-grounded\\": \\"span\\"", "x-grounded": "numbers", "type": "string"}'
    assert plain_schema_text(annotated) == '{"description": "say \\"x-grounded\\": \\"span\\"", "type": "string"}'


def test_plain_schema_text_falls_back_to_indented_json():
    # A keyword the text cut does not see (its value an object): the plain schema, as indented JSON.
    annotated = '{"type": "object", "x-grounded": {"kind": "span"}}'
    assert plain_schema_text(annotated) == '{\n  "type": "object"\n}\n'


def test_a_schema_whose_branches_multiply_is_refused_in_one_line():
    # Each level's two branches refer to the next level: 2**40 walks without a bound.
    defs = {f"n{i}": {"anyOf": [{"$ref": f"#/$defs/n{i + 1}"}, {"$ref": f"#/$defs/n{i + 1}"}]} for i in range(40)}
    defs["n40"] = {"type": "string"}
    schema = {"$defs": defs, "type": "object", "properties": {"a": {"$ref": "#/$defs/n0"}}}
    with pytest.raises(TaskError, match=r"^\$\.a: the schema branches into more than 20000 nodes$"):
        grounded_paths(schema)
