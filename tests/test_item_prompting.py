"""Prompts of item-by-item extraction: the task's worked example answered item by item in real turns,
then the article and one request (the items so far, a candidate, or the rest of the document)."""

from __future__ import annotations

import json

from summarizer.core.candidates import quotations
from summarizer.core.task import load_task
from summarizer.engine.item_prompting import (
    candidate_request,
    compact,
    item_chat,
    item_messages,
    next_request,
    rest_request,
)

EXAMPLE = 'The mill closes. "We tried everything," said Ada Roe. "Not again," said Ben Ode.'
SCHEMA = {
    "type": "object",
    "properties": {
        "topic": {"type": "string", "maxLength": 40, "x-grounded": "span"},
        "quotes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "speaker": {"type": "string", "maxLength": 40, "x-grounded": "span"},
                    "quote": {"type": "string", "maxLength": 90, "x-grounded": "span"},
                },
                "required": ["speaker", "quote"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["topic", "quotes"],
    "additionalProperties": False,
}
# The example's items with their keys out of schema order: the turns write them as the grammar does.
DOCUMENT = {
    "topic": "The mill closes.",
    "quotes": [{"quote": "We tried everything,", "speaker": "Ada Roe"}, {"quote": "Not again,", "speaker": "Ben Ode"}],
}


def make_task(tmp_path):
    folder = tmp_path / "mill"
    (folder / "examples").mkdir(parents=True)
    (folder / "schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (folder / "instructions.md").write_text("Find the quotations.", encoding="utf-8")
    (folder / "task.toml").write_text('merge_key = ["quote"]\n', encoding="utf-8")
    (folder / "examples" / "mill.txt").write_text(EXAMPLE, encoding="utf-8")
    (folder / "examples" / "mill.json").write_text(json.dumps(DOCUMENT), encoding="utf-8")
    return load_task(folder)


def test_in_turn_the_example_is_each_item_after_the_ones_before_then_null_then_the_rest(tmp_path):
    task = make_task(tmp_path)
    messages = item_messages(task, None, None, "The bakery opens.", "REQUEST")
    ada = {"speaker": "Ada Roe", "quote": "We tried everything,"}
    ben = {"speaker": "Ben Ode", "quote": "Not again,"}
    assert messages[0]["role"] == "system" and messages[0]["content"].startswith(
        "Find the quotations.\n\nHere the quotes"
    )
    answers = [compact(ada), compact(ben), "null", '{"topic":"The mill closes."}']
    assert [m["content"] for m in messages[4:11:2]] == answers
    assert [m["content"] for m in messages[3:10:2]] == [
        next_request(task, []),
        next_request(task, [ada]),
        next_request(task, [ada, ben]),
        rest_request(task, [ada, ben]),
    ]
    assert messages[-3]["content"].endswith("The bakery opens.") and messages[-1] == {
        "role": "user",
        "content": "REQUEST",
    }


def test_about_candidates_the_example_answers_each_quotation(tmp_path):
    task = make_task(tmp_path)
    messages = item_messages(task, quotations, "quote", "The bakery opens.", "REQUEST")
    asked = [m["content"].split("\n")[0] for m in messages[3:6:2]]
    assert asked == ["The passage: We tried everything,", "The passage: Not again,"]
    assert messages[4]["content"] == compact({"speaker": "Ada Roe", "quote": "We tried everything,"})


def test_a_candidate_is_marked_where_it_stands():
    [candidate, _] = quotations(EXAMPLE)
    assert candidate_request(EXAMPLE, candidate) == (
        "The passage: We tried everything,\n"
        'Where it stands: The mill closes. "[We tried everything,]" said Ada Roe. "Not again," said Ben Ode.\n\n'
        "Write the item that holds this passage, or null if it is none."
    )


def test_a_long_list_shows_the_latest_items_and_how_many_came_before(tmp_path):
    task = make_task(tmp_path)
    written = [{"speaker": f"Speaker {n}", "quote": "x" * 90} for n in range(60)]  # 125 characters a line
    request = next_request(task, written)
    assert "(and 36 before them)" in request and '"Speaker 36"' in request and '"Speaker 35"' not in request


def test_each_way_of_asking_is_its_own_chat(tmp_path):
    task = make_task(tmp_path)
    assert item_chat(task).name != item_chat(task, quotations, "quote").name
    assert item_chat(task).request_tokens == 1024
