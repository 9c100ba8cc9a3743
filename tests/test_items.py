"""Item-by-item extraction (engine/items.py) with a scripted model: one generation an item, the items so
far in the request, null or the bound to stop, a cut-off answer losing one item, never the document."""

from __future__ import annotations

import json

import pytest

from summarizer.core.candidates import quotations
from summarizer.core.task import load_task
from summarizer.engine.items import item_plan, repeats, token_budget, write_items

ARTICLE = (
    'The pool on Birch Lane reopens in May. "The new roof keeps the heat in," said Mara Lind, who runs it. '
    'Swimmers were pleased. "I have waited two years," said Tom Ek.'
)
ROOF, WAITED = "The new roof keeps the heat in,", "I have waited two years,"
SCHEMA = {
    "type": "object",
    "properties": {
        "quotes": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "speaker": {"type": "string", "minLength": 1, "maxLength": 60, "x-grounded": "span"},
                    "quote": {"type": "string", "minLength": 1, "maxLength": 90, "x-grounded": "span"},
                },
                "required": ["speaker", "quote"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["quotes"],
    "additionalProperties": False,
}


@pytest.fixture
def task(tmp_path):
    return make_task(tmp_path, SCHEMA)


def make_task(tmp_path, schema, toml='merge_key = ["quote"]\n'):
    folder = tmp_path / "pool-quotes"
    folder.mkdir(exist_ok=True)
    (folder / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (folder / "instructions.md").write_text("List the quotations.\n", encoding="utf-8")
    (folder / "task.toml").write_text(toml, encoding="utf-8")
    return load_task(folder)


def quote(speaker: str, text: str) -> str:
    return json.dumps({"speaker": speaker, "quote": text}, separators=(",", ":"))


def passage(request: str) -> str:
    """The passage a candidate's request asks about (its first line: "The passage: ...")."""
    return request.split("\n")[0].removeprefix("The passage: ")


class Script:
    """A model that answers each request in turn from ``answers`` ((text, stopped) pairs), recording
    (kind, request, limit) of every request."""

    def __init__(self, *answers: tuple[str, bool]):
        self.answers, self.asked = list(answers), []

    def __call__(self, kind, requests, grammars, limit, totals):
        totals["generations"] = totals.get("generations", 0) + len(requests)
        self.asked += [(kind, request, limit) for request in requests]
        return [self.answers.pop(0) for _ in requests]


def test_items_are_written_in_turn_until_null(task):
    model = Script((quote("Mara Lind", ROOF), True), (quote("Tom Ek", WAITED), True), ("null", True))
    run = write_items(ARTICLE, model, item_plan(task))
    assert run.document == {"quotes": [{"speaker": "Mara Lind", "quote": ROOF}, {"speaker": "Tom Ek", "quote": WAITED}]}
    assert run.stats == {"generations": 3, "items": 2, "items_cut_off": 0}
    requests = [request for _, request, _ in model.asked]
    assert "(none yet)" in requests[0] and quote("Mara Lind", ROOF) in requests[1]
    assert quote("Tom Ek", WAITED) in requests[2]


def test_the_bound_on_items_stops_a_model_that_never_says_null(tmp_path):
    task = make_task(tmp_path, SCHEMA, 'merge_key = ["quote"]\nmax_items = 2\n')
    model = Script((quote("Mara Lind", ROOF), True), (quote("Tom Ek", WAITED), True))
    run = write_items(ARTICLE, model, item_plan(task))
    assert len(run.document["quotes"]) == 2 and len(model.asked) == 2


def test_a_cut_off_answer_loses_that_item_and_ends_the_list_keeping_the_document(task):
    model = Script((quote("Mara Lind", ROOF), True), ('{"speaker":"Tom', False))
    run = write_items(ARTICLE, model, item_plan(task))
    assert run.document == {"quotes": [{"speaker": "Mara Lind", "quote": ROOF}]}
    assert run.stats["items_cut_off"] == 1 and run.answers == [quote("Mara Lind", ROOF), None]


def test_a_repeat_the_grammar_could_not_forbid_ends_the_list(task):
    model = Script((quote("Mara Lind", ROOF), True), (quote("Lind", ROOF), True), (quote("Tom Ek", WAITED), True))
    run = write_items(ARTICLE, model, item_plan(task), grounded=False)
    assert run.document == {"quotes": [{"speaker": "Mara Lind", "quote": ROOF}]} and len(model.asked) == 2


def test_a_span_within_or_around_a_written_one_is_the_same_item_and_ends_the_list(task):
    # The grammar forbids the equal span; the same quote cut short or run on is the model repeating itself.
    for again in (ROOF.rstrip(","), ROOF + '" said Mara Lind'):
        model = Script((quote("Mara Lind", ROOF), True), (quote("Mara Lind", again), True), ("null", True))
        run = write_items(ARTICLE, model, item_plan(task))
        assert run.document == {"quotes": [{"speaker": "Mara Lind", "quote": ROOF}]} and len(model.asked) == 2


def test_candidates_are_asked_about_in_one_batch_and_null_drops_one(tmp_path):
    task = make_task(tmp_path, SCHEMA, 'merge_key = ["quote"]\ncandidates = "quotations"\ncandidate_field = "quote"\n')
    model = Script((quote("Mara Lind", ROOF), True), ("null", True))
    run = write_items(ARTICLE, model, item_plan(task, quotations, "quote"))
    assert run.document == {"quotes": [{"speaker": "Mara Lind", "quote": ROOF}]}
    assert run.stats == {"generations": 2, "candidates": 2, "items": 1, "items_cut_off": 0}
    assert [request.split("\n")[0] for _, request, _ in model.asked] == [
        f"The passage: {ROOF}",
        f"The passage: {WAITED}",
    ]


def test_a_candidate_too_long_for_its_field_is_not_asked_about(tmp_path):
    schema = json.loads(json.dumps(SCHEMA))
    schema["properties"]["quotes"]["items"]["properties"]["quote"]["maxLength"] = 25
    task = make_task(tmp_path, schema)
    model = Script(("null", True))
    run = write_items(ARTICLE, model, item_plan(task, quotations, "quote"))
    assert run.document == {"quotes": []} and [r.split("\n")[0] for _, r, _ in model.asked] == [
        f"The passage: {WAITED}"
    ]


def test_the_rest_of_the_document_is_written_once_after_the_items(tmp_path):
    schema = json.loads(json.dumps(SCHEMA))
    schema["properties"] = {
        "headline": {"type": "string", "maxLength": 60, "x-grounded": "span"},
        **schema["properties"],
    }
    schema["required"] = ["headline", "quotes"]
    model = Script((quote("Tom Ek", WAITED), True), ("null", True), ('{"headline":"The pool on Birch Lane"}', True))
    run = write_items(ARTICLE, model, item_plan(make_task(tmp_path, schema)))
    assert run.document == {"headline": "The pool on Birch Lane", "quotes": [{"speaker": "Tom Ek", "quote": WAITED}]}
    kind, request, _ = model.asked[-1]
    assert kind == "rest" and quote("Tom Ek", WAITED) in request and request.endswith("one JSON object: headline.")


def test_a_cut_off_rest_leaves_no_document_and_says_why(tmp_path):
    schema = json.loads(json.dumps(SCHEMA))
    schema["properties"]["note"] = {"type": "string", "maxLength": 30}
    schema["required"] = ["quotes", "note"]
    model = Script(("null", True), ('{"note":"abc', False))
    run = write_items(ARTICLE, model, item_plan(make_task(tmp_path, schema)))
    assert run.document is None and run.cut_off.startswith("the document's other fields were cut off at 48 tokens")


def test_the_token_budget_follows_the_schema(task):
    plan = item_plan(task)
    # speaker: its 60 characters, 2 quotes, its 7-letter key and 12 for punctuation (81); quote: 5 + 12 + 92
    # (109); (81 + 109) // 3 + 16
    assert (plan.item_tokens, plan.rest_tokens, plan.max_items, plan.min_items) == (79, 0, 3, 0)
    assert token_budget({"type": "string", "maxLength": 30000}, {}) == 1024
    assert token_budget({"type": "boolean"}, {}) == 48


def test_repeats_compare_the_key_fields_as_chunk_merging_does(task, tmp_path):
    written = [{"speaker": "Mara Lind", "quote": ROOF}]
    assert repeats({"speaker": "Tom Ek", "quote": ROOF}, written, task)
    assert repeats({"speaker": "Tom Ek", "quote": "the new roof keeps the heat"}, written, task)  # within, any case
    assert not repeats({"speaker": "Tom Ek", "quote": WAITED}, written, task)
    by_both = make_task(tmp_path, SCHEMA, 'merge_key = ["speaker", "quote"]\n')
    assert not repeats({"speaker": "Tom Ek", "quote": ROOF}, written, by_both)
