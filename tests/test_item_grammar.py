"""Grammars of item-by-item extraction: one grounded item or null, no repeat of a written item on the
task's merge key, a candidate's field fixed; checked by feeding answers to llguidance."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llguidance")

from summarizer.core.task import load_task  # noqa: E402
from summarizer.engine.item_grammar import excludes_repeats, item_grammar, rest_grammar  # noqa: E402

ARTICLE = (
    'Ferry captain Olga Varga said 12 cars were aboard. "The sea was calm tonight," Varga said. '
    'Harbour master Jon Pell added: "We counted 7 passengers."'
)
CALM, COUNTED = "The sea was calm tonight,", "We counted 7 passengers."
SCHEMA = {
    "type": "object",
    "properties": {
        "quotes": {
            "type": "array",
            "maxItems": 5,
            "items": {
                "type": "object",
                "properties": {
                    "speaker": {"type": "string", "minLength": 1, "maxLength": 60, "x-grounded": "span"},
                    "tone": {"enum": ["calm", "stern"]},
                    "quote": {"type": "string", "minLength": 1, "maxLength": 200, "x-grounded": "span"},
                    "cars": {"type": ["integer", "null"], "x-grounded": "number"},
                },
                "required": ["speaker", "tone", "quote", "cars"],
                "additionalProperties": False,
            },
        },
        "summary": {"type": "string", "minLength": 1, "maxLength": 200, "x-grounded": "numbers"},
    },
    "required": ["quotes", "summary"],
    "additionalProperties": False,
}


def make_task(tmp_path, merge_key: list[str]):
    folder = tmp_path / "ferry-quotes"
    folder.mkdir(exist_ok=True)
    (folder / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (folder / "instructions.md").write_text("List the quotations.\n", encoding="utf-8")
    (folder / "task.toml").write_text(f"merge_key = {json.dumps(merge_key)}\n", encoding="utf-8")
    return load_task(folder)


def item(speaker: str, quote: str, tone: str = "calm", cars: int | None = None) -> dict:
    return {"speaker": speaker, "tone": tone, "quote": quote, "cars": cars}


def accepts(decoder, grammar: str, value) -> bool:
    """Whether the grammar lets a model write ``value`` as the grammar writes it (compact JSON)."""
    matcher = decoder.new_matcher(grammar)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    tokens = decoder.tokenizer.encode(text, add_special_tokens=False)
    return matcher.consume_tokens(tokens) and matcher.is_accepting()


def test_an_item_is_grounded_in_the_article_or_null(tiny_decoder, tmp_path):
    grammar = item_grammar(make_task(tmp_path, ["quote"]), ARTICLE)
    assert accepts(tiny_decoder, grammar, item("Olga Varga", CALM, cars=12))
    assert accepts(tiny_decoder, grammar, None)
    assert not accepts(tiny_decoder, grammar, item("Ola Varga", CALM))  # not an article span
    assert not accepts(tiny_decoder, grammar, item("Olga Varga", CALM, cars=13))  # not an article number
    assert not accepts(tiny_decoder, grammar, [item("Olga Varga", CALM)])  # one item, never the list


def test_a_written_item_cannot_be_written_again_on_one_key_field(tiny_decoder, tmp_path):
    grammar = item_grammar(make_task(tmp_path, ["quote"]), ARTICLE, written=[item("Olga Varga", CALM)])
    assert not accepts(tiny_decoder, grammar, item("Jon Pell", CALM))  # the same quote, whoever says it
    assert accepts(tiny_decoder, grammar, item("Jon Pell", COUNTED))
    assert accepts(tiny_decoder, grammar, item("Varga", "The sea was calm"))  # equal only when the same span


def test_on_several_key_fields_only_the_same_pair_is_forbidden(tiny_decoder, tmp_path):
    task = make_task(tmp_path, ["speaker", "quote"])
    grammar = item_grammar(task, ARTICLE, written=[item("Varga", CALM), item("Varga", COUNTED)])
    assert not accepts(tiny_decoder, grammar, item("Varga", CALM))
    assert not accepts(tiny_decoder, grammar, item("Varga", COUNTED))
    assert accepts(tiny_decoder, grammar, item("Olga Varga", CALM))
    assert accepts(tiny_decoder, grammar, item("Varga", "Ferry captain Olga Varga said 12 cars were aboard."))


def test_an_enum_or_a_number_key_field_excludes_the_values_written(tiny_decoder, tmp_path):
    by_tone = item_grammar(make_task(tmp_path, ["tone"]), ARTICLE, written=[item("Varga", CALM, "calm")])
    assert not accepts(tiny_decoder, by_tone, item("Jon Pell", COUNTED, "calm"))
    assert accepts(tiny_decoder, by_tone, item("Jon Pell", COUNTED, "stern"))
    by_cars = item_grammar(make_task(tmp_path, ["cars"]), ARTICLE, written=[item("Varga", CALM, cars=12)])
    assert not accepts(tiny_decoder, by_cars, item("Jon Pell", COUNTED, cars=12))
    assert accepts(tiny_decoder, by_cars, item("Jon Pell", COUNTED, cars=7))
    assert accepts(tiny_decoder, by_cars, item("Jon Pell", COUNTED, cars=None))
    every_tone = [item("Varga", CALM, "calm"), item("Varga", COUNTED, "stern")]
    assert accepts(tiny_decoder, item_grammar(make_task(tmp_path, ["tone"]), ARTICLE, written=every_tone), None)


def test_a_candidate_fixes_its_field_and_null_may_be_withheld(tiny_decoder, tmp_path):
    task = make_task(tmp_path, ["quote"])
    grammar = item_grammar(task, ARTICLE, fixed=("quote", COUNTED))
    assert accepts(tiny_decoder, grammar, item("Jon Pell", COUNTED, "stern", 7))
    assert not accepts(tiny_decoder, grammar, item("Jon Pell", CALM))
    assert accepts(tiny_decoder, grammar, None)
    assert not accepts(tiny_decoder, item_grammar(task, ARTICLE, may_end=False), None)


def test_a_key_field_no_grammar_can_exclude_leaves_the_repeat_to_the_strategy(tiny_decoder, tmp_path):
    assert excludes_repeats(make_task(tmp_path, ["quote"]), grounded=True)
    assert not excludes_repeats(make_task(tmp_path, ["quote"]), grounded=False)  # a free string
    assert not excludes_repeats(make_task(tmp_path, ["quote", "tone"]), grounded=False)
    ungrounded = item_grammar(make_task(tmp_path, ["quote"]), ARTICLE, grounded=False, written=[item("V", CALM)])
    assert accepts(tiny_decoder, ungrounded, item("Someone else", CALM))  # any text: the schema alone


def test_the_rest_of_the_document_is_one_object_with_the_article_s_numbers_only(tiny_decoder, tmp_path):
    grammar = rest_grammar(make_task(tmp_path, ["quote"]), ARTICLE)
    assert accepts(tiny_decoder, grammar, {"summary": "The ferry carried 12 cars."})
    assert not accepts(tiny_decoder, grammar, {"summary": "The ferry carried 40 cars."})
    assert not accepts(tiny_decoder, grammar, {"quotes": [], "summary": "No quotes."})
