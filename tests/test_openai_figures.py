"""Figure-guided extraction through a server (--backend openai, --strategy figures), against a
scripted loopback server; the real vLLM server is in test_openai_backend_vllm.py."""

from __future__ import annotations

import json
import threading

import pytest

from summarizer.api import summarize
from summarizer.backends.registry import get_backend
from summarizer.core.records import ExtractOptions
from summarizer.core.validation import validate_document
from summarizer.engine.summary_grammar import summary_grammar
from summarizer.tasks.claims.actors import find_candidates
from summarizer.tasks.claims.cast import kind_grammar, kind_schema
from summarizer.tasks.claims.figure_extraction import _label_grammar, claims_summary, draft_for, label_figures
from summarizer.tasks.claims.figure_grammar import label_schema, label_sides
from summarizer.tasks.claims.figure_prompting import actor_request, figure_messages, figure_request
from summarizer.tasks.claims.figures import find_figures
from summarizer.tasks.claims.rules import rule_drafts
from summarizer.testing.fake_server import FakeServer, completion, request_kind

ARTICLE = (
    "Ukrainian officials in Kharkiv said 12 civilians were killed on Monday. "
    "Local doctors said 7 children were injured, and 3 tanks were destroyed."
)
OPTIONS = ExtractOptions(max_new_tokens=300)
LABELS = {  # by the figure's text, as a model that follows the grammar might answer
    "12": {
        "outcome": "killed",
        "victim_group": "civilians",
        "equipment": None,
        "victim_side": "Ukraine",
        "claimant": "Ukrainian officials in Kharkiv",
        "claimant_type": "state",
        "claimant_side": "Ukraine",
    },
    "7": {
        "outcome": "injured",
        "victim_group": "children",
        "equipment": None,
        "victim_side": None,
        "claimant": "Local doctors",
        "claimant_type": "witness",
        "claimant_side": None,
    },
    "3": {
        "outcome": "equipment_destroyed",
        "victim_group": "military",
        "equipment": "tanks",
        "victim_side": None,
        "claimant": None,
        "claimant_type": "unattributed",
        "claimant_side": None,
    },
}
SUMMARY = "Officials say 12 civilians were killed and 7 children injured."


def answer(kind: str, request: str, labels: dict = LABELS, summary: str = SUMMARY) -> str:
    """What the scripted model answers to one request."""
    if kind == "summary":
        return json.dumps(summary)
    if kind == "actor":
        return '{"kind":"other"}'  # no actor: claimants are article spans, as without a cast
    figure = request.split("[", 1)[1].split("]", 1)[0]  # the request marks its figure [like this]
    return json.dumps(labels[figure], separators=(",", ":"))


def served(labels: dict = LABELS, summary: str = SUMMARY, finish=lambda kind, figure: "stop"):
    def reply(body):
        kind, request = request_kind(body), body["messages"][-1]["content"]
        figure = request.split("[", 1)[1].split("]", 1)[0] if kind == "label" else None
        return 200, completion(answer(kind, request, labels, summary), finish=finish(kind, figure))

    return reply


def extract(reply, owned_by: str = "vllm", options: ExtractOptions = OPTIONS, **kwargs):
    with FakeServer(reply, owned_by=owned_by) as server:
        backend = get_backend("fake", "openai", base_url=server.url, backoff=0.0, **kwargs)
        return backend.extract(ARTICLE, options), server


# -- what is sent: the in-process chat and grammar, per figure -------------------------------------
@pytest.mark.parametrize(
    "owned_by, field",
    [
        ("vllm", lambda body: body["structured_outputs"]["grammar"]),
        ("sglang", lambda body: body["ebnf"]),
        ("llamacpp", lambda body: body["grammar"]),
    ],
)
def test_each_figure_is_one_request_with_the_in_process_chat_and_label_grammar(owned_by, field):
    extraction, server = extract(served(), owned_by=owned_by)
    figures, drafts = find_figures(ARTICLE), rule_drafts(ARTICLE)
    actors = [body for body in server.requests if request_kind(body) == "actor"]
    labels = [body for body in server.requests if request_kind(body) == "label"]
    summary = server.requests[-1]
    candidates = find_candidates(ARTICLE)
    assert {body["messages"][-1]["content"] for body in actors} == {actor_request(ARTICLE, c) for c in candidates}
    assert all(field(body) == kind_grammar() and body["max_tokens"] == 12 for body in actors)
    expected = {
        figure_request(ARTICLE, f): _label_grammar(ARTICLE, f, True, draft_for(f, drafts, ARTICLE)) for f in figures
    }
    assert {body["messages"][-1]["content"]: field(body) for body in labels} == expected
    assert all(body["messages"] == figure_messages(ARTICLE, body["messages"][-1]["content"]) for body in labels)
    assert all(body["max_tokens"] == 160 and "response_format" not in body for body in labels)
    assert field(summary) == summary_grammar(ARTICLE) and request_kind(summary) == "summary"
    assert extraction.status == "ok" and extraction.stats["grounding"] == "grammar"
    assert (extraction.stats["figures"], extraction.stats["generations"]) == (3, 4 + len(candidates))


def test_the_document_is_what_in_process_extraction_makes_of_the_same_answers():
    extraction, _ = extract(served())
    in_process = label_figures(
        ARTICLE,
        lambda kind, requests, grammars, budget, totals: [(answer(kind, request), True) for request in requests],
        drafts=rule_drafts(ARTICLE),
    )
    assert extraction.document == in_process.document
    assert [c["claimant"] for c in extraction.document["claims"]] == [
        "Ukrainian officials in Kharkiv",
        "Local doctors",
        None,
    ]
    assert validate_document(extraction.document, ARTICLE) == []


def test_the_figures_of_an_article_are_in_flight_at_once_up_to_the_limit():
    arrived, peak, lock = threading.Barrier(3, timeout=10), [0, 0], threading.Lock()

    def reply(body):
        with lock:
            peak[0] += 1
            peak[1] = max(peak)
        if request_kind(body) == "label":
            arrived.wait()  # answers only once all three figures are being asked at once
        with lock:
            peak[0] -= 1
        return served()(body)

    extraction, _ = extract(reply, in_flight=4)
    assert extraction.status == "ok" and peak[1] == 3
    peak[1] = 0
    extraction, _ = extract(served(), in_flight=1)
    assert extraction.status == "ok"


def test_no_more_figures_are_in_flight_than_a_llama_servers_slots_unless_in_flight_says():
    """llama-server's /props says 2 slots: the three figures go two at a time (each slot reads the
    shared prompt once), and the server's build is its version in the run store's key."""
    props = {"total_slots": 2, "build_info": "b6123-0a1b2c3d"}

    def first_together(parties: int):
        arrived, asked, lock = threading.Barrier(parties, timeout=10), [0], threading.Lock()

        def reply(body):
            if request_kind(body) == "label":
                with lock:
                    asked[0] += 1
                    first = asked[0] <= parties
                if first:
                    arrived.wait()  # answers only once the first ``parties`` figures are asked at once
            return served()(body)

        return reply

    with FakeServer(first_together(2), owned_by="llamacpp", version=None, props=props) as server:
        backend = get_backend("fake", "openai", base_url=server.url, backoff=0.0)
        extraction = backend.extract(ARTICLE, OPTIONS)
    assert extraction.status == "ok" and extraction.stats["figures"] == 3
    assert server.peak == 2 and backend.describe()["server_version"] == "b6123-0a1b2c3d"
    with FakeServer(first_together(3), owned_by="llamacpp", version=None, props=props) as server:
        backend = get_backend("fake", "openai", base_url=server.url, backoff=0.0, in_flight=3)
        assert backend.extract(ARTICLE, OPTIONS).status == "ok"
    assert server.peak == 3


def test_a_summary_mode_of_claims_asks_the_server_for_labels_only():
    extraction, server = extract(served(), options=ExtractOptions(summary="claims"))
    assert [request_kind(body) for body in server.requests if request_kind(body) != "actor"] == ["label"] * 3
    assert extraction.document["summary"] == claims_summary(extraction.document["claims"])


# -- what comes back --------------------------------------------------------------------------------
def test_a_cut_off_label_loses_its_figure_and_a_cut_off_summary_falls_back_to_the_claims():
    cut = lambda kind, figure: "length" if figure == "7" or kind == "summary" else "stop"  # noqa: E731
    extraction, _ = extract(served(finish=cut))
    assert extraction.status == "ok" and extraction.stats["labels_cut_off"] == 1
    assert [c["count"]["value"] for c in extraction.document["claims"]] == [12, 3]
    assert extraction.document["summary"] == claims_summary(extraction.document["claims"])


@pytest.mark.parametrize(
    "labels, summary, why",
    [
        ({**LABELS, "7": {**LABELS["7"], "claimant": "Doctors Without Borders"}}, SUMMARY, "not a span of the article"),
        ({**LABELS, "12": {**LABELS["12"], "victim_side": "Veldor"}}, SUMMARY, "not a side the article names"),
        ({**LABELS, "3": {"outcome": "killed"}}, SUMMARY, "breaks the label format"),
    ],
)
def test_an_answer_outside_the_grammar_makes_the_article_invalid_never_ok(labels, summary, why):
    extraction, _ = extract(served(labels, summary))
    assert extraction.status == "invalid" and why in extraction.reason and extraction.document is None


@pytest.mark.parametrize("owned_by", ["vllm", "ollama"])
def test_a_summary_with_a_number_the_article_does_not_state_gives_way_to_the_claims_summary(owned_by):
    extraction, _ = extract(served(summary="Officials say 40 civilians were killed."), owned_by=owned_by)
    assert extraction.status == "ok" and extraction.stats["summary_replaced"] == 1
    assert extraction.document["summary"] == claims_summary(extraction.document["claims"])


def test_an_answer_that_is_not_json_is_invalid():
    extraction, _ = extract(lambda body: (200, completion('{"outcome":')))
    assert extraction.status == "invalid" and "is not JSON" in extraction.reason


def test_a_json_schema_server_gets_the_label_schema_and_its_grounding_is_checked_after():
    extraction, server = extract(served(), owned_by="ollama")
    actor = next(body for body in server.requests if request_kind(body) == "actor")
    label = next(body for body in server.requests if request_kind(body) == "label")
    assert actor["response_format"]["json_schema"]["schema"] == kind_schema()
    schema = label["response_format"]["json_schema"]["schema"]
    # the article's side, and its speakers: the cast's and the rule reader's claimants
    assert schema == label_schema(["Ukraine"], ["Kharkiv", "Local doctors"])
    assert not {"structured_outputs", "ebnf", "grammar"} & set(label)
    assert extraction.status == "ok" and extraction.stats["grounding"] == "checked"


def test_an_ungrounded_answer_from_a_json_schema_server_has_its_own_status_and_no_document():
    invented = {**LABELS, "7": {**LABELS["7"], "claimant": "Veldor's health ministry"}}
    extraction, _ = extract(served(invented), owned_by="ollama")
    assert extraction.status == "ungrounded" and "Veldor's health ministry" in extraction.reason
    with FakeServer(served(invented), owned_by="ollama") as server:
        backend = get_backend("fake", "openai", base_url=server.url)
        result = summarize(ARTICLE, backend=backend, options=OPTIONS)
    assert result.status == "ungrounded" and result.document is None


def test_a_failed_figure_request_fails_the_article_with_one_line():
    def reply(body):
        if "[7]" in body["messages"][-1]["content"]:
            return 500, {"error": {"message": "the engine\nfell over"}}
        return served()(body)

    extraction, _ = extract(reply)
    assert extraction.status == "failed" and extraction.reason.endswith("HTTP 500: the engine fell over")


def test_the_schema_label_matches_the_grammar_branches():
    """Each scripted label (people, equipment, unnamed claimant, none) is one the schema allows."""
    import jsonschema

    for schema in (label_schema(), label_schema(label_sides(ARTICLE))):
        for label in [*LABELS.values(), {"outcome": "none"}]:
            jsonschema.validate({"what": "were killed", **label}, schema)
            with pytest.raises(jsonschema.ValidationError):  # the quote comes first, as the grammar asks
                jsonschema.validate(label, schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"what": "were killed", **LABELS["7"], "equipment": "tanks"}, schema)


def test_a_server_s_label_may_quote_its_sentence_first_and_the_quote_is_not_part_of_the_claim():
    from summarizer.tasks.claims.figure_grammar import label_problems

    assert label_problems({"what": "were killed", **LABELS["7"]}, ARTICLE) == ([], [])
    assert label_problems(LABELS["7"], ARTICLE) == ([], [])  # a drafted figure's grammar asks for none
    assert label_problems({"what": "need aid", "outcome": "none"}, ARTICLE) == ([], [])
    assert label_problems({"what": 7, **LABELS["7"]}, ARTICLE) == (["what is a short string"], [])
    assert label_problems({"what": "", "outcome": "none"}, ARTICLE) == (["what is a short string"], [])


@pytest.mark.parametrize(
    "article, sides",
    [
        (ARTICLE, ["Ukraine"]),
        ("The Orla Front said its fighters killed 9 soldiers near the border on Tuesday.", ["Orla Front"]),
    ],
)
def test_a_json_schema_label_offers_only_the_sides_its_article_names(article, sides):
    """The worked example's side ("Veldor") is no answer a JSON-Schema server can give any more."""
    import jsonschema

    with FakeServer(served({**LABELS, "9": {"outcome": "none"}}), owned_by="ollama") as server:
        get_backend("fake", "openai", base_url=server.url, backoff=0.0).extract(article, OPTIONS)
    labels = [body for body in server.requests if request_kind(body) == "label"]
    schema = labels[0]["response_format"]["json_schema"]["schema"]
    assert all(body["response_format"]["json_schema"]["schema"] == schema for body in labels)
    side = {"anyOf": [{"enum": sides}, {"type": "null"}]}
    claims = [branch["properties"] for branch in schema["anyOf"] if "claimant" in branch["properties"]]
    assert claims and all(claim["victim_side"] == side for claim in claims)
    named = [claim for claim in claims if claim["claimant"] != {"type": "null"}]
    assert named and all(claim["claimant_side"] == side for claim in named)
    assert "Veldor" not in json.dumps(schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**LABELS["12"], "victim_side": "Veldor"}, schema)


def test_a_party_the_model_read_in_the_cast_is_a_side_of_the_json_schema_label_as_of_the_grammar():
    article = "Hamas said 4 of its fighters were killed in an air strike on Sunday."

    def reply(body):
        if request_kind(body) == "actor":
            return 200, completion('{"kind":"armed_group"}')
        return served({"4": {"outcome": "none"}})(body)

    with FakeServer(reply, owned_by="ollama") as server:
        get_backend("fake", "openai", base_url=server.url, backoff=0.0).extract(article, OPTIONS)
    [label] = [body for body in server.requests if request_kind(body) == "label"]
    schema = label["response_format"]["json_schema"]["schema"]
    claims = [branch["properties"] for branch in schema["anyOf"] if "claimant" in branch["properties"]]
    assert claims and all(
        claim["victim_side"] == {"anyOf": [{"enum": ["Hamas"]}, {"type": "null"}]} for claim in claims
    )


def test_an_article_that_names_no_side_gets_a_label_schema_whose_sides_are_null():
    article = "Local doctors in the river town said 7 people were injured on Friday when a ferry capsized."
    with FakeServer(served({"7": LABELS["7"]}), owned_by="ollama") as server:
        extraction = get_backend("fake", "openai", base_url=server.url, backoff=0.0).extract(article, OPTIONS)
    [label] = [body for body in server.requests if request_kind(body) == "label"]
    claims = [b for b in label["response_format"]["json_schema"]["schema"]["anyOf"] if "claimant" in b["properties"]]
    assert all(b["properties"]["victim_side"] == {"type": "null"} for b in claims)
    assert {json.dumps(b["properties"]["claimant_side"]) for b in claims} == {'{"type": "null"}'}
    assert extraction.status == "ok" and extraction.document["claims"][0]["claimant"] == "Local doctors"


def test_through_the_cli_a_llama_server_without_llguidance_is_one_note_and_the_article_succeeds(tmp_path):
    from typer.testing import CliRunner

    from summarizer.cli.app import app

    article = tmp_path / "kharkiv.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with FakeServer(served(), owned_by="llamacpp", llguidance=False) as server:
        args = ["summarize", str(article), "--backend", "openai", "--base-url", server.url, "--model", "fake"]
        result = CliRunner().invoke(app, [*args, "--quiet", "--store", str(tmp_path / "runs.sqlite3")])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"note: {server.url}: llama-server has no llguidance (built without LLAMA_LLGUIDANCE): JSON Schema, "
        "answers checked after generation"
    ]
    document = json.loads(result.stdout)
    assert [c["count"]["value"] for c in document["claims"]] == [12, 7, 3]
    assert all("grammar" not in body and "response_format" in body for body in server.requests)


def test_a_json_schema_label_names_only_a_claimant_the_article_holds():
    """A small model behind a JSON-Schema server copied the worked example's claimant; the schema
    offers the article's speakers only, as the grammar does."""
    import jsonschema

    schema = label_schema(["Ukraine"], ["Local doctors"])
    claim = {"what": "were injured", **LABELS["7"]}
    jsonschema.validate(claim, schema)
    for claimant in ("Veldor's health ministry", "Kharkiv"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**claim, "claimant": claimant}, schema)
    nobody = label_schema(["Ukraine"], [])  # no speaker: unattributed only
    jsonschema.validate({**claim, "claimant": None, "claimant_type": "unattributed", "claimant_side": None}, nobody)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(claim, nobody)
