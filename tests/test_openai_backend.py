"""The openai backend against a small scripted server on loopback (summarizer.testing.fake_server).

What a real vLLM server does with the grammar is tested in test_openai_backend_vllm.py, and what a
real llama-server (built without llguidance) does in test_openai_backend_llama_server.py.
"""

from __future__ import annotations

import json
import threading
import warnings

import pytest

from summarizer.api import summarize
from summarizer.backends.openai_backend import GRAMMAR_PROBE
from summarizer.backends.registry import get_backend
from summarizer.core.errors import ModelError, SummarizerNote
from summarizer.core.records import ExtractOptions
from summarizer.core.resources import load_schema
from summarizer.core.task import plain_schema
from summarizer.engine.grammar import grounded_lark
from summarizer.engine.prompting import build_messages
from summarizer.testing.fake_server import EMPTY_DOCUMENT, FakeServer, completion

ARTICLE = "Officials in Kharkiv said 12 civilians were killed on Monday."
CLAIM = {
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
OPTIONS = ExtractOptions(max_new_tokens=300, strategy="document")  # figures: test_openai_figures.py


def document(**claim_changes) -> str:
    return json.dumps({"summary": "Officials said 12 civilians were killed.", "claims": [{**CLAIM, **claim_changes}]})


def backend_for(server: FakeServer, **kwargs):
    return get_backend("fake", "openai", base_url=server.url, backoff=0.0, **kwargs)


def answer_instead(server: FakeServer, method: str, path: str, reply) -> None:
    """``server`` answers ``reply`` to ``method path``, and the rest as before."""
    original = server.answer
    server.answer = lambda m, p, body, headers: reply if (m, p) == (method, path) else original(m, p, body, headers)


def extract(reply, article: str = ARTICLE, owned_by: str = "vllm", **kwargs):
    with FakeServer(reply, owned_by=owned_by) as server:
        return backend_for(server, **kwargs).extract(article, OPTIONS), server


# -- what is sent -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "owned_by, field",
    [
        ("vllm", lambda body: body["structured_outputs"]["grammar"]),
        ("sglang", lambda body: body["ebnf"]),
        ("llamacpp", lambda body: body["grammar"]),
    ],
)
def test_each_engine_gets_the_grounded_grammar_in_its_own_field(owned_by, field):
    extraction, server = extract(lambda body: (200, completion(document())), owned_by=owned_by)
    [body] = server.requests
    assert field(body) == grounded_lark(load_schema(), ARTICLE)
    assert "response_format" not in body
    assert extraction.status == "ok" and extraction.stats["grounding"] == "grammar"


def test_the_chat_is_the_in_process_backends_and_the_options_go_along():
    _, server = extract(lambda body: (200, completion(document())), article=f"  {ARTICLE}\n")
    [body] = server.requests
    assert body["messages"] == build_messages(ARTICLE)
    assert (body["model"], body["max_tokens"], body["temperature"], body["seed"]) == ("fake", 300, 0.0, 0)


def test_a_server_without_a_known_grammar_engine_gets_json_schema():
    extraction, server = extract(lambda body: (200, completion(document())), owned_by="library")
    [body] = server.requests
    # The schema without this project's x-grounded keywords: a strict server may refuse unknown ones.
    assert body["response_format"]["json_schema"]["schema"] == plain_schema(load_schema())
    assert "x-grounded" not in json.dumps(body["response_format"])
    assert not {"structured_outputs", "ebnf", "grammar"} & set(body)
    assert extraction.status == "ok" and extraction.stats["grounding"] == "checked"


def test_the_dialect_option_overrides_detection():
    extraction, server = extract(lambda body: (200, completion(document())), owned_by="vllm", dialect="json-schema")
    assert "response_format" in server.requests[0] and extraction.stats["grounding"] == "checked"


def test_without_grounding_every_server_gets_json_schema():
    with FakeServer(lambda body: (200, completion(document()))) as server:
        backend_for(server).extract(ARTICLE, ExtractOptions(grounded=False, strategy="document"))
    assert "response_format" in server.requests[0] and "structured_outputs" not in server.requests[0]


def test_the_api_key_comes_from_the_named_environment_variable(monkeypatch):
    monkeypatch.setenv("MY_SERVER_KEY", "s3cret")
    extraction, server = extract(lambda body: (200, completion(document())), api_key_env="MY_SERVER_KEY")
    assert server.headers[0]["Authorization"] == "Bearer s3cret"
    with FakeServer() as server:
        backend_for(server).extract(ARTICLE, OPTIONS)
    assert "Authorization" not in server.headers[0]


def test_a_named_api_key_variable_that_is_not_set_is_an_error(monkeypatch):
    monkeypatch.delenv("MY_SERVER_KEY", raising=False)
    with FakeServer() as server, pytest.raises(ModelError, match="MY_SERVER_KEY"):
        backend_for(server, api_key_env="MY_SERVER_KEY")


def test_the_identity_names_the_server_the_model_and_what_the_server_reports():
    with FakeServer(root="/models/fake-r2", version="1.2.3") as server:
        described = backend_for(server).describe()
    assert described["base_url"] == server.url and described["model"] == "fake"
    assert (described["revision"], described["server_version"], described["dialect"]) == (
        "/models/fake-r2",
        "1.2.3",
        "vllm",
    )


# -- llama-server: a grammar it may not take, its slots, its build (issue 21) ---------------------
NOTE = "llama-server has no llguidance (built without LLAMA_LLGUIDANCE): JSON Schema, answers checked after generation"


def test_a_llama_server_without_llguidance_gets_json_schema_and_one_note():
    with FakeServer(lambda body: (200, completion(document())), owned_by="llamacpp", llguidance=False) as server:
        with pytest.warns(SummarizerNote) as notes:
            backend = backend_for(server)
        extraction = backend.extract(ARTICLE, OPTIONS)
    assert [str(note.message) for note in notes] == [f"{server.url}: {NOTE}"]
    [probe] = server.probes  # one one-token Lark grammar, before any article
    assert probe["grammar"] == GRAMMAR_PROBE and probe["max_tokens"] == 1
    [body] = server.requests
    assert "grammar" not in body and body["response_format"]["json_schema"]["schema"] == plain_schema(load_schema())
    assert extraction.status == "ok" and extraction.stats["grounding"] == "checked"
    assert backend.describe()["dialect"] == "json-schema"  # the run store keys it as what it is


def test_a_llama_server_with_llguidance_keeps_the_grammar_and_says_nothing():
    with FakeServer(lambda body: (200, completion(document())), owned_by="llamacpp") as server:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            backend = backend_for(server)
        extraction = backend.extract(ARTICLE, OPTIONS)
    assert len(server.probes) == 1 and backend.describe()["dialect"] == "llama"
    [body] = server.requests
    assert body["grammar"] == grounded_lark(load_schema(), ARTICLE) and "response_format" not in body
    assert extraction.status == "ok" and extraction.stats["grounding"] == "grammar"


def test_a_llama_server_that_refuses_lark_otherwise_gets_json_schema_with_its_message_in_the_note():
    with FakeServer(owned_by="llamacpp") as server:
        answer_instead(server, "POST", "/v1/chat/completions", (400, {"error": {"message": "Failed to parse grammar"}}))
        with pytest.warns(SummarizerNote) as notes:
            backend = backend_for(server)
    assert backend.dialect == "json-schema" and [str(note.message) for note in notes] == [
        f"{server.url}: the server refuses a Lark grammar (HTTP 400: Failed to parse grammar): JSON Schema, "
        "answers checked after generation"
    ]


def test_an_explicit_llama_dialect_is_not_probed_and_a_refused_grammar_fails_the_article():
    with FakeServer(owned_by="llamacpp", llguidance=False) as server:
        extraction = backend_for(server, dialect="llama").extract(ARTICLE, OPTIONS)
    assert server.probes == [] and len(server.requests) == 1
    assert failed_reason(extraction).endswith(
        "HTTP 400: Failed to initialize samplers: failed to parse grammar: llguidance is not enabled"
    )


def test_a_grammar_probe_that_fails_otherwise_is_a_one_line_error_before_any_article():
    with FakeServer(owned_by="llamacpp") as server:
        answer_instead(server, "POST", "/v1/chat/completions", (401, {"error": {"message": "Invalid API Key"}}))
        with pytest.raises(ModelError) as caught:
            backend_for(server)
    assert str(caught.value) == (
        f"the server did not answer a one-token grammar request: {server.url}/chat/completions: "
        "HTTP 401: Invalid API Key"
    )


def test_llama_servers_props_give_the_slots_in_flight_and_the_build_as_the_server_version():
    props = {"total_slots": 2, "build_info": "b6123-0a1b2c3d", "default_generation_settings": {"n_ctx": 4096}}
    with FakeServer(owned_by="llamacpp", version=None, props=props) as server:
        backend, explicit = backend_for(server), backend_for(server, in_flight=5)
    described = backend.describe()
    assert (described["server_version"], described["slots"], backend.in_flight) == ("b6123-0a1b2c3d", 2, 2)
    assert explicit.in_flight == 5 and explicit.describe()["slots"] == 2  # in_flight set by the user stands
    with FakeServer() as server:  # vLLM: no /props, the default, and the run store key as before
        backend = backend_for(server)
    assert backend.in_flight == 8 and "slots" not in backend.describe()


# -- what comes back ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, why",
    [
        (document(evidence="13 civilians were killed"), "does not follow the grounded grammar"),
        (document(count={"value": 40, "qualifier": "exact", "upper": None}), "does not follow the grounded grammar"),
        ('{"summary": "x"}', "breaks the schema"),
        ('{"summary": "x", "claims": [', "not JSON"),
    ],
)
def test_a_response_outside_the_grammar_is_invalid_never_ok(content, why):
    extraction, _ = extract(lambda body: (200, completion(content)))
    assert extraction.status == "invalid" and why in extraction.reason and extraction.document is None


def test_an_ungrounded_document_from_a_json_schema_server_has_its_own_status():
    extraction, _ = extract(lambda body: (200, completion(document(evidence="13 killed"))), owned_by="ollama")
    assert extraction.status == "ungrounded" and "checked after generation" in extraction.reason
    with FakeServer(lambda body: (200, completion(document(evidence="13 killed"))), owned_by="ollama") as server:
        result = summarize(ARTICLE, backend=backend_for(server), options=OPTIONS)
    assert result.status == "ungrounded" and result.document is None  # never handed out as a grounded document


def test_a_grounded_document_from_a_json_schema_server_is_ok():
    extraction, _ = extract(lambda body: (200, completion(document())), owned_by="ollama")
    assert extraction.status == "ok" and extraction.document["claims"][0]["evidence"] == CLAIM["evidence"]


def test_a_cut_off_answer_is_truncated():
    extraction, _ = extract(lambda body: (200, completion(EMPTY_DOCUMENT[:10], finish="length")))
    assert extraction.status == "truncated" and "--max-new-tokens 300" in extraction.reason


def test_token_counts_come_from_the_servers_usage():
    extraction, _ = extract(lambda body: (200, completion(document(), prompt_tokens=7, completion_tokens=3)))
    assert (extraction.stats["prompt_tokens"], extraction.stats["generated_tokens"]) == (7, 3)


# -- failures: one line each, the article failed, nothing raised ---------------------------------
def failed_reason(extraction) -> str:
    assert extraction.status == "failed" and extraction.document is None
    assert "\n" not in extraction.reason
    return extraction.reason


@pytest.mark.parametrize(
    "status, payload, shown",
    [
        (400, {"error": {"message": "grammar error: bad rule"}}, "HTTP 400: grammar error: bad rule"),
        (500, {"detail": "engine died"}, "HTTP 500: engine died"),
        (502, b"<html>Bad Gateway\n</html>", "HTTP 502: <html>Bad Gateway </html>"),
    ],
)
def test_an_http_error_carries_the_servers_message(status, payload, shown):
    extraction, _ = extract(lambda body: (status, payload))
    assert shown in failed_reason(extraction)


@pytest.mark.parametrize(
    "payload, shown",
    [
        (b"this is not json", "malformed response (not JSON)"),
        ({"choices": []}, "malformed response (no choices[0].message.content)"),
        (completion(None), "malformed response: the message content is not text"),
    ],
)
def test_a_malformed_answer_fails_the_article(payload, shown):
    extraction, _ = extract(lambda body: (200, payload))
    assert shown in failed_reason(extraction)


@pytest.mark.parametrize("status", [429, 503])
def test_busy_answers_are_retried_a_bounded_number_of_times(status):
    answers = iter([(status, {"error": {"message": "busy"}})] * 2 + [(200, completion(document()))])
    extraction, server = extract(lambda body: next(answers), retries=3)
    assert extraction.status == "ok" and len(server.requests) == 3
    extraction, server = extract(lambda body: (status, {"error": {"message": "busy"}}), retries=2)
    assert f"HTTP {status}: busy" in failed_reason(extraction) and len(server.requests) == 3


def test_other_errors_are_not_retried():
    extraction, server = extract(lambda body: (500, {"error": {"message": "no"}}), retries=3)
    assert failed_reason(extraction) and len(server.requests) == 1


def test_a_server_that_does_not_answer_in_time_fails_the_article():
    release = threading.Event()

    def never(body):
        release.wait(30)  # until the test is over
        return 200, completion(document())

    try:
        extraction, _ = extract(never, timeout=0.2)
    finally:
        release.set()
    assert "no answer within 0.2 s (--timeout)" in failed_reason(extraction)


def test_a_server_gone_after_start_fails_each_article_with_connection_refused():
    with FakeServer() as server:
        backend = backend_for(server)
    assert "connection refused" in failed_reason(backend.extract(ARTICLE, OPTIONS))


# -- start-up problems: one-line errors before any article ----------------------------------------
def test_no_server_is_a_one_line_error():
    with FakeServer() as server:
        url = server.url
    with pytest.raises(ModelError, match="cannot reach the server: .*connection refused"):
        get_backend("fake", "openai", base_url=url)


def test_a_model_the_server_does_not_serve_is_named_with_those_it_does():
    with FakeServer(model="served") as server, pytest.raises(ModelError, match=r"'other' \(it serves: served\)"):
        get_backend("other", "openai", base_url=server.url)


@pytest.mark.parametrize(
    "kwargs, shown",
    [
        ({"base_url": "127.0.0.1:8000/v1"}, "must start with http"),
        ({"base_url": "http://127.0.0.1:9/v1", "dialect": "tgi"}, "unknown dialect 'tgi'"),
    ],
)
def test_bad_options_are_one_line_errors(kwargs, shown):
    with pytest.raises(ModelError, match=shown):
        get_backend("fake", "openai", **kwargs)


# -- the HTTP client policy: no redirects, credentials redacted, answers capped (issue 22) ---------
def test_a_redirect_is_not_followed_and_the_key_never_reaches_the_new_address(monkeypatch):
    monkeypatch.setenv("SERVING_KEY", "sk-secret-123")
    with FakeServer() as elsewhere:
        target = elsewhere.url + "/chat/completions"
        extraction, server = extract(lambda body: (302, b"", {"Location": target}), api_key_env="SERVING_KEY")
        assert elsewhere.requests == [] and len(server.requests) == 1
    assert failed_reason(extraction) == (
        f"{server.url}/chat/completions: HTTP 302: the server redirects to {target}; redirects are not "
        "followed (give that address as --base-url if it is the server)"
    )


def test_a_token_in_a_redirects_address_is_redacted():
    extraction, server = extract(
        lambda body: (302, b"", {"Location": "https://login.example/sso?session=tok-9f8e7d&next=/v1"})
    )
    assert failed_reason(extraction) == (
        f"{server.url}/chat/completions: HTTP 302: the server redirects to https://login.example/sso?[redacted]; "
        "redirects are not followed (give that address as --base-url if it is the server)"
    )


def test_a_redirected_model_list_is_one_line_before_any_article():
    with FakeServer() as server:
        server.card = {"id": "fake"}
        answer_instead(server, "GET", "/v1/models", (307, b"", {"Location": "http://127.0.0.1:9/v1/models"}))
        with pytest.raises(ModelError) as caught:
            backend_for(server)
    assert str(caught.value) == (
        f"cannot reach the server: {server.url}/models: HTTP 307: the server redirects to "
        "http://127.0.0.1:9/v1/models; redirects are not followed (give that address as --base-url if it is the server)"
    )


def test_a_server_that_echoes_the_key_has_it_redacted_in_the_reason_and_the_document(monkeypatch):
    monkeypatch.setenv("SERVING_KEY", "sk-secret-123")
    extraction, _ = extract(
        lambda body: (401, {"error": {"message": "invalid key sk-secret-123"}}), api_key_env="SERVING_KEY"
    )
    assert failed_reason(extraction).endswith("HTTP 401: invalid key [redacted]")
    extraction, _ = extract(lambda body: (200, completion("sk-secret-123")), api_key_env="SERVING_KEY")
    assert extraction.raw == "[redacted]" and "sk-secret-123" not in (extraction.reason or "")


def test_an_answer_over_the_size_cap_is_refused_whole(monkeypatch):
    import summarizer.backends.openai_backend as openai_backend

    monkeypatch.setattr(openai_backend, "MAX_ANSWER_BYTES", 2**20)
    extraction, server = extract(lambda body: (200, completion("x" * 2**20)))
    assert failed_reason(extraction) == (
        f"{server.url}/chat/completions: the answer is larger than 1 MiB; not read "
        "(a chat completion or model list is far smaller)"
    )
    assert extraction.raw == ""


def test_a_long_model_list_is_cut_in_the_error_line():
    with FakeServer(model="served") as server:
        server.answer = lambda method, path, body, headers: (
            200,
            {"data": [{"id": f"model-{n}"} for n in range(200_000)]},
        )
        with pytest.raises(ModelError) as caught:
            get_backend("other", "openai", base_url=server.url)
    names = ", ".join(f"model-{n}" for n in range(10))
    assert str(caught.value) == (
        f"the server at {server.url} does not serve model 'other' (it serves: {names} and 199990 more)"
    )


def test_a_model_id_that_is_not_text_is_matched_as_text():
    with FakeServer(card={"id": 5, "owned_by": "vllm"}) as server:
        assert get_backend("5", "openai", base_url=server.url).card == {"id": 5, "owned_by": "vllm"}


# -- a task of its own ----------------------------------------------------------------------------
def test_a_custom_task_through_the_server_gets_its_own_schema_s_document():
    # The document strategy named (the quotes task's default, item by item, is tests/test_item_strategy.py):
    # one request asks for a quotes document under the quotes grammar, never a claims one.
    from pathlib import Path

    quotes = Path(__file__).resolve().parent.parent / "examples" / "quotes"
    article = 'The harbour master, Ines Vall, said: "The pier opens on Friday."'
    answer = '{"quotes":[{"speaker":"Ines Vall","role":"The harbour master","quote":"The pier opens on Friday."}]}'
    with FakeServer(lambda body: (200, completion(answer))) as server:
        result = summarize(
            article, "fake", backend="openai", task=str(quotes), base_url=server.url, backoff=0.0, strategy="document"
        )
    assert result.status == "ok" and result.reason is None
    assert result.document == json.loads(answer)
    speaker = article.index("Ines Vall")
    assert result.offsets == [[speaker, speaker + len("Ines Vall")]]  # the first span field of each quote
    [body] = server.requests
    assert body["messages"][0]["content"].startswith((quotes / "instructions.md").read_text().strip()[:40])
    grammar = body["structured_outputs"]["grammar"]
    assert grammar.startswith('%llguidance {}\nstart: "{\\"quotes\\":" ') and "claims" not in grammar
