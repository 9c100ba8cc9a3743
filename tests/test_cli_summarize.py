"""``summarizer summarize`` and ``summarizer dev tiny-model`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import api
from summarizer.backends.base import Backend
from summarizer.cli import app
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.validation import validate_document

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def run(*args: object, input: str | bytes | None = None):
    result = CliRunner().invoke(app, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output + result.stderr, result.output + result.stderr
    # CliRunner catches a crash without printing it: a traceback shows only here.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


# --- the whole flow with the tiny model ------------------------------------------------


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """Built through `summarizer dev tiny-model`, as the README tells users to."""
    pytest.importorskip("torch")
    import torch

    torch.set_num_threads(1)  # the model is tiny: threads cost more than they give
    folder = tmp_path_factory.mktemp("cli") / "tiny"
    result = run("dev", "tiny-model", folder)
    assert result.exit_code == 0 and result.stdout.strip() == str(folder)
    return folder


def test_done_when_flow_writes_valid_grounded_documents_that_score_accepts(tiny_dir, tmp_path):
    out, records = tmp_path / "out", tmp_path / "runs.jsonl"
    # As the README says: default (greedy) decoding, default budget.
    result = run("summarize", SEEDS / "articles", "--model", tiny_dir, "--out", out, "--jsonl", records)
    assert result.exit_code == 0, result.stderr
    articles = {p.stem: p.read_text(encoding="utf-8") for p in (SEEDS / "articles").glob("*.txt")}
    written = sorted(out.iterdir())
    assert [p.name for p in written] == sorted(f"{i}.json" for i in articles)  # no *.tmp left over
    for path in written:
        assert validate_document(json.loads(path.read_text(encoding="utf-8")), articles[path.stem]) == []
    lines = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(articles)
    for record in lines:
        assert record["status"] == "ok" and record["model"] == str(tiny_dir)
        assert record["document"] == json.loads((out / f"{record['id']}.json").read_text(encoding="utf-8"))
        assert len(record["offsets"]) == len(record["document"]["claims"]) and None not in record["offsets"]
        assert {"prompt_tokens", "generated_tokens", "forced_tokens", "forward_passes", "seconds"} <= set(
            record["stats"]
        )
    scored = run("score", "--gold", SEEDS / "labels", "--pred", out)
    assert scored.exit_code == 0, scored.output + scored.stderr
    assert "validity rate" in scored.stdout


def test_the_tiny_model_asks_at_most_max_figures_and_says_how_many_were_left(tiny_dir, tmp_path):
    from summarizer.tasks.claims.figures import find_figures

    article = sorted((SEEDS / "articles").glob("*.txt"))[0]
    found = len(find_figures(article.read_text(encoding="utf-8")))
    records = tmp_path / "runs.jsonl"
    result = run("summarize", article, "--model", tiny_dir, "--max-figures", "2", "--jsonl", records, "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"warning: {article}: {found} candidate figures; the 2 most likely to be claims were asked, "
        f"{found - 2} left unasked (--max-figures raises the cap)\n"
    )
    stats = json.loads(records.read_text(encoding="utf-8"))["stats"]
    assert (stats["figures"], stats["figures_found"], stats["figures_unasked"]) == (2, found, found - 2)


def test_no_grounding_documents_still_validate(tiny_dir, tmp_path):
    article = sorted((SEEDS / "articles").glob("*.txt"))[0]
    result = run(
        "summarize", article, "--model", tiny_dir, "--no-grounding", "--temperature", "1", "--seed", "2", "--quiet"
    )
    assert result.exit_code == 0, result.stderr
    assert validate_document(json.loads(result.stdout)) == []


def test_unknown_model_is_one_line_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    article = tmp_path / "a.txt"
    article.write_text("Officials said 3 people were killed.", encoding="utf-8")
    result = run("summarize", article, "--model", "no-such-org/no-such-model-xyz")
    assert result.exit_code == 1 and result.stdout == ""
    assert error_lines(result) == [result.stderr.strip()]
    assert (
        "cannot load model 'no-such-org/no-such-model-xyz'" in result.stderr
        and "--model /path/to/model" in result.stderr
    )


def test_dev_tiny_model_rejects_a_too_small_vocab(tmp_path):
    result = run("dev", "tiny-model", tmp_path / "x", "--vocab-size", "100")
    assert result.exit_code == 2 and not (tmp_path / "x").exists()


# --- input handling, with a stand-in backend (fast) -------------------------------------


class EchoBackend(Backend):
    """A document quoting the article's first word; raises KeyboardInterrupt on a given article."""

    name = "echo-for-tests"

    def __init__(self, interrupt_on: str | None = None, status: str = "ok"):
        self.interrupt_on = interrupt_on
        self.status = status
        self.calls = 0
        self.stats: dict = {}  # more stats for each document
        self.options: ExtractOptions | None = None  # the last article's

    @property
    def model_id(self) -> str:
        return "echo"

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        self.calls += 1
        self.options = options
        if self.interrupt_on and self.interrupt_on in article:
            raise KeyboardInterrupt
        if self.status != "ok":
            return Extraction(
                '{"summary":"', None, self.status, "cut off at --max-new-tokens 5", {"generated_tokens": 5}
            )
        doc = {"summary": article.split()[0], "claims": []}
        return Extraction(json.dumps(doc), doc, "ok", None, {"generated_tokens": 3, "seconds": 0.01, **self.stats})


@pytest.fixture
def echo(monkeypatch):
    backend = EchoBackend()
    monkeypatch.setattr(api, "load_backend", lambda *args, **kwargs: backend)
    return backend


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Good article: 5 people were killed.", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Caf\xe9 strike: 2 killed.".encode("latin-1"))
    return folder


def test_bad_inputs_fail_one_by_one_and_the_others_go_on(echo, inputs, tmp_path):
    out = tmp_path / "out"
    result = run(
        "summarize",
        inputs / "empty.txt",
        inputs / "latin1.txt",
        tmp_path / "missing.txt",
        inputs / "good.txt",
        "--out",
        out,
        "--quiet",
    )
    assert result.exit_code == 1
    errors = error_lines(result)
    assert len(errors) == 3
    assert "empty.txt: article is empty" in errors[0]
    assert "latin1.txt: not valid UTF-8 (byte 0xe9" in errors[1]
    assert "missing.txt" in errors[2] and "not found" in errors[2]
    assert "3 of 4 articles failed" in result.stderr
    assert [p.name for p in out.iterdir()] == ["good.json"]
    assert json.loads((out / "good.json").read_text(encoding="utf-8")) == {"summary": "Good", "claims": []}


def test_folder_expands_to_its_txt_files_and_jsonl_records_failures(echo, inputs, tmp_path):
    (inputs / "notes.md").write_text("not an article", encoding="utf-8")
    records = tmp_path / "runs.jsonl"
    result = run("summarize", inputs, "--out", tmp_path / "out", "--jsonl", records, "--quiet")
    assert result.exit_code == 1
    by_id = {r["id"]: r for r in map(json.loads, records.read_text(encoding="utf-8").splitlines())}
    assert set(by_id) == {"empty", "good", "latin1"}
    assert by_id["good"]["status"] == "ok" and by_id["good"]["document"]["summary"] == "Good"
    assert by_id["empty"]["status"] == "failed" and "article is empty" in by_id["empty"]["reason"]
    assert by_id["latin1"]["document"] is None and by_id["latin1"]["model"] == "echo"


def test_stdin_prints_one_document(echo):
    result = run("summarize", "-", input="From stdin: 4 were injured.\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"summary": "From", "claims": []}


def test_empty_and_non_utf8_stdin_fail(echo):
    assert "error: <stdin>: article is empty" in run("summarize", "-", input="\n").stderr
    result = run("summarize", "-", input=b"\xff\xfe bad")
    assert result.exit_code == 1 and "<stdin>: not valid UTF-8" in result.stderr


def test_several_articles_to_stdout_are_json_lines_with_null_for_failures(echo, inputs):
    result = run("summarize", inputs / "good.txt", inputs / "empty.txt", inputs / "good.txt", "--quiet")
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # the same file twice counts once
    assert json.loads(lines[0]) == {"summary": "Good", "claims": []} and json.loads(lines[1]) is None


def test_same_id_from_two_folders_is_refused_not_overwritten(echo, inputs, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "good.txt").write_text("Other article.", encoding="utf-8")
    result = run("summarize", inputs / "good.txt", other / "good.txt", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 1 and "another article has the id 'good'" in result.stderr
    assert json.loads((tmp_path / "out" / "good.json").read_text(encoding="utf-8"))["summary"] == "Good"


def test_truncated_article_writes_no_document(monkeypatch, inputs, tmp_path):
    backend = EchoBackend(status="truncated")
    monkeypatch.setattr(api, "load_backend", lambda *args, **kwargs: backend)
    out, records = tmp_path / "out", tmp_path / "runs.jsonl"
    result = run("summarize", inputs / "good.txt", "--out", out, "--jsonl", records, "--max-new-tokens", "5", "--quiet")
    assert result.exit_code == 1 and "truncated: cut off at --max-new-tokens 5" in result.stderr
    assert not out.exists() or not list(out.iterdir())
    assert json.loads(records.read_text(encoding="utf-8"))["status"] == "truncated"


def test_ctrl_c_keeps_finished_documents_complete(monkeypatch, tmp_path):
    backend = EchoBackend(interrupt_on="Second")
    monkeypatch.setattr(api, "load_backend", lambda *args, **kwargs: backend)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in [("a", "First article."), ("b", "Second article."), ("c", "Third article.")]:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("summarize", folder, "--out", out, "--quiet")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert [p.name for p in out.iterdir()] == ["a.json"] and backend.calls == 2
    assert json.loads((out / "a.json").read_text(encoding="utf-8"))["summary"] == "First"


@pytest.fixture
def no_model_load(monkeypatch):
    """Fails the test if the model is loaded: output paths are checked before that."""

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded before the output paths were checked")

    monkeypatch.setattr(api, "load_backend", refuse)


@pytest.mark.parametrize(
    "case, message",
    [
        ("out-is-a-file", "{path}: is a file, expected a folder"),
        ("out-under-a-file", "{path}: {file} is a file, not a folder"),
        ("jsonl-is-a-folder", "{path}: is a folder, expected a file"),
        ("jsonl-parent-missing", "{path}: folder {parent} not found"),
    ],
)
def test_bad_output_paths_are_one_line_before_the_model_loads(no_model_load, inputs, tmp_path, case, message):
    file = tmp_path / "file"
    file.write_text("x")
    option, path = {
        "out-is-a-file": ("--out", file),
        "out-under-a-file": ("--out", file / "out"),
        "jsonl-is-a-folder": ("--jsonl", inputs),
        "jsonl-parent-missing": ("--jsonl", tmp_path / "missing" / "runs.jsonl"),
    }[case]
    result = run("summarize", inputs / "good.txt", option, path, "--quiet")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "error: " + message.format(path=path, file=file, parent=path.parent) + "\n"


@pytest.mark.parametrize(
    "options",
    [
        ["--temperature", "inf"],
        ["--temperature", "nan"],
        ["--temperature", "-1"],
        ["--temperature", "1", "--top-p", "0"],
        ["--top-p", "1.5"],
        ["--seed", str(2**64)],  # torch's generator: "Overflow when unpacking long long", in every article
        ["--seed", str(-(2**63) - 1)],
    ],
)
def test_sampling_values_torch_cannot_use_are_usage_errors_before_the_model_loads(no_model_load, inputs, options):
    result = run("summarize", inputs / "good.txt", *options, "--quiet")
    assert result.exit_code == 2 and result.stdout == ""
    assert "Invalid value" in result.stderr


def test_a_document_that_cannot_be_written_stops_the_run_in_one_line_keeping_earlier_ones(echo, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Article {name}: 2 killed.", encoding="utf-8")
    out = tmp_path / "out"
    (out / "b.json").mkdir(parents=True)  # in the way of b's document
    result = run("summarize", folder, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert result.stderr == f"error: {out / 'b.json'}: is a folder, expected a file\n"
    assert json.loads((out / "a.json").read_text(encoding="utf-8"))["summary"] == "Article"


def test_progress_bar_on_stderr_unless_quiet(echo, inputs):
    shown = run("summarize", inputs / "good.txt")
    assert "summarizing" in shown.stderr and "1/1" in shown.stderr
    assert "summarizing" not in run("summarize", inputs / "good.txt", "--quiet").stderr


def test_help_documents_stdin_utf8_and_stdout_format():
    text = " ".join(run("summarize", "--help").stdout.split())
    for phrase in ("'-' for standard input", "must be UTF-8", "JSON Lines", "--no-grounding", "--trust-remote-code"):
        assert phrase in text


def test_a_model_that_fails_to_load_is_one_error_line_for_all_articles(tiny_dir, tmp_path):
    import shutil

    folder = shutil.copytree(tiny_dir, tmp_path / "bad-template")
    (folder / "chat_template.jinja").write_text("{{ messages[0].content.nope.deeper }}", encoding="utf-8")
    result = run("summarize", SEEDS / "articles", "--model", folder, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 1 and error_lines(result) == [result.stderr.strip()]
    assert f"cannot load model '{folder}': its chat template fails to render" in result.stderr


@pytest.mark.parametrize(
    "name, problem",
    [("file.txt", "it is a file, not a model folder or a .gguf file"), ("random.gguf", "not a GGUF file")],
)
def test_a_file_that_is_no_model_is_one_error_line(tmp_path, name, problem):
    model = tmp_path / name
    model.write_bytes(b"\x00" * 64)
    result = run("summarize", SEEDS / "articles", "--model", model, "-q")
    assert result.exit_code == 1 and result.stderr.strip() == f"error: cannot load model '{model}': {problem}" + (
        " (it does not start with 'GGUF')" if name.endswith(".gguf") else ""
    )


# --- a model behind a server (--backend openai), through a scripted loopback server ------------
def _server_reply(body):
    """An empty (valid, grounded) document, or HTTP 500 for an article that says FAIL."""
    from summarizer.testing.fake_server import EMPTY_DOCUMENT, completion

    if "FAIL" in body["messages"][-1]["content"]:
        return 500, {"error": {"message": "the engine fell over"}}
    return 200, completion(EMPTY_DOCUMENT)


def test_a_server_backend_runs_articles_at_once_keeps_going_past_a_failure_and_resumes(tmp_path):
    from summarizer.testing.fake_server import FakeServer

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(6):
        (folder / f"a{n}.txt").write_text(f"Article {n}: {'FAIL' if n == 2 else 'fine'}.", encoding="utf-8")
    out, store = tmp_path / "out", tmp_path / "runs.sqlite3"
    # One request per article (the figure strategy sends one per figure: tests/test_openai_figures.py).
    args = (
        "summarize",
        folder,
        "--out",
        out,
        "--store",
        store,
        "--quiet",
        "--concurrency",
        "3",
        "--strategy",
        "document",
    )
    with FakeServer(_server_reply) as server:
        first = run(*args, "--backend", "openai", "--base-url", server.url, "--model", "fake")
        assert first.exit_code == 1 and "1 of 6 articles failed" in first.stderr
        assert error_lines(first) == [
            f"error: {folder / 'a2.txt'}: failed: {server.url}/chat/completions: HTTP 500: the engine fell over"
        ]
        assert sorted(p.name for p in out.iterdir()) == [f"a{n}.json" for n in (0, 1, 3, 4, 5)]
        assert len(server.requests) == 6  # each article once
        again = run(*args, "--backend", "openai", "--base-url", server.url, "--model", "fake")
        assert again.exit_code == 1 and len(server.requests) == 7  # only the failed one again
    from summarizer.store import RunStore

    with RunStore(store) as opened:
        statuses = sorted(g.extraction.status for g in opened.generations())
    assert statuses == ["failed", "failed"] + ["ok"] * 5


def test_server_options_for_an_in_process_model_are_one_line_errors(no_model_load, inputs):
    result = run("summarize", inputs / "good.txt", "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 1 and error_lines(result) == [
        "error: --base-url is not an option of the transformers backend"
    ]
    result = run("summarize", inputs / "good.txt", "--backend", "nope")
    assert result.exit_code == 1 and "unknown backend 'nope'" in error_lines(result)[0]


def test_no_server_is_one_line_and_exit_1(inputs):
    from summarizer.testing.fake_server import FakeServer

    with FakeServer() as server:
        url = server.url
    result = run("summarize", inputs / "good.txt", "--backend", "openai", "--base-url", url, "--model", "fake")
    assert result.exit_code == 1 and error_lines(result) == [
        f"error: cannot reach the server: {url}/models: connection refused (is the server running?)"
    ]


def _stored(store: Path) -> int:
    """Generations in a store another process is writing (0 until it has its table)."""
    import sqlite3
    from contextlib import closing

    if not store.exists():  # connecting would create it
        return 0
    try:
        with closing(sqlite3.connect(store)) as conn:
            return conn.execute("SELECT COUNT(*) FROM generations").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_ctrl_c_with_articles_in_flight_keeps_every_finished_document_and_a_rerun_resumes(tmp_path):
    """A real SIGINT to a real process while the first article hangs on the server."""
    import signal
    import subprocess
    import sys
    import threading
    import time

    from summarizer.testing.fake_server import EMPTY_DOCUMENT, FakeServer, completion

    release = threading.Event()

    def reply(body):
        if "HANG" in body["messages"][-1]["content"]:
            release.wait(60)
        return 200, completion(EMPTY_DOCUMENT)

    folder, out, store = tmp_path / "in", tmp_path / "out", tmp_path / "runs.sqlite3"
    folder.mkdir()
    for n in range(4):
        (folder / f"a{n}.txt").write_text(f"Article {n}: {'HANG' if n == 0 else 'fine'}.", encoding="utf-8")
    cli = [sys.executable, "-c", "import sys; from summarizer.cli import main; sys.argv[0] = 'summarizer'; main()"]
    with FakeServer(reply) as server:
        args = [
            *cli,
            "summarize",
            str(folder),
            "--out",
            str(out),
            "--store",
            str(store),
            "--quiet",
            "--concurrency",
            "2",
            "--backend",
            "openai",
            "--base-url",
            server.url,
            "--model",
            "fake",
            "--strategy",
            "document",
        ]
        # Ctrl-C as a terminal sends it: a shell runs background jobs with SIGINT ignored, and a child
        # inherits that, so the CLI is started with the default disposition (Python's handler then).
        process = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            for _ in range(1800):  # bounded: up to 180 s (a loaded CI machine) for the three others to be written
                # Both: a document is recorded in the store a moment before it is written to --out.
                if _stored(store) == 3 and out.is_dir() and len(list(out.glob("*.json"))) == 3:
                    break
                time.sleep(0.1)
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
            release.set()
        assert process.returncode == 130 and "interrupted; finished results were kept" in stderr
        assert sorted(p.name for p in out.iterdir()) == ["a1.json", "a2.json", "a3.json"]
        rerun = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert len(server.requests) == 5  # four articles, then only the one that was in flight
    assert sorted(p.name for p in out.iterdir()) == [f"a{n}.json" for n in range(4)]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--strategy", "bogus"], "--strategy must be one of figures, document"),
        (["--summary", "bogus"], "--summary must be one of model, claims"),
    ],
)
def test_unknown_strategy_or_summary_mode_is_a_usage_error(no_model_load, inputs, options, message):
    result = run("summarize", inputs / "good.txt", *options, "--quiet")
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize(
    "option, line",
    [
        ("retries=-1", "retries=-1: must be at least 0"),
        ("timeout=0", "timeout=0: must be greater than 0"),
        ("base_url=http://u:PASSWORD@127.0.0.1:9/v1", "base_url='http://[redacted]@127.0.0.1:9/v1': holds a user name"),
    ],
)
def test_a_server_option_out_of_range_is_one_line_before_anything_is_sent(tmp_path, option, line):
    """Issue 22, item 7: retries=-1 was an AssertionError, timeout=0 passed, a password was printed."""
    article = tmp_path / "a.txt"
    article.write_text("5 people were killed.", encoding="utf-8")
    url = [] if option.startswith("base_url") else ["--base-url", "http://127.0.0.1:9/v1"]
    result = run("summarize", article, "--backend", "openai", "--model", "m", *url, "--backend-opt", option, "-q")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {line}") and result.stderr.count("\n") == 1
    assert "PASSWORD" not in result.stderr


def test_a_link_loop_and_a_pipe_in_the_folder_are_one_line_each_and_the_run_goes_on(echo, inputs, tmp_path):
    """Issue 22, item 8: a loop was a RuntimeError traceback, a pipe hung the run forever."""
    import os

    (inputs / "loop.txt").symlink_to(inputs / "loop.txt")
    os.mkfifo(inputs / "pipe.txt")
    out = tmp_path / "out"
    result = run("summarize", inputs, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert f"error: {inputs}/loop.txt: is a symlink loop" in error_lines(result)
    assert f"error: {inputs}/pipe.txt: is not a regular file (a named pipe); not read" in error_lines(result)
    assert [p.name for p in out.iterdir()] == ["good.json"]


def test_an_article_whose_figures_were_capped_gets_one_warning_naming_it(tmp_path, monkeypatch):
    """Issue 22, item 14: a long article's figures past --max-figures are left unasked, and said so."""
    backend = EchoBackend()
    backend.stats = {"figures": 3, "figures_found": 813, "figures_unasked": 810}
    monkeypatch.setattr(api, "load_backend", lambda *args, **kwargs: backend)
    (tmp_path / "long.txt").write_text("Long article: 5 people were killed.", encoding="utf-8")
    (tmp_path / "short.txt").write_text("Short article: 2 people were killed.", encoding="utf-8")
    result = run("summarize", tmp_path / "long.txt", "--max-figures", "3", "--quiet", "--no-cache")
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {tmp_path / 'long.txt'}: 813 candidate figures; the 3 most likely to be claims were asked, "
        "810 left unasked (--max-figures raises the cap)\n"
    )
    assert backend.options.max_figures == 3
    backend.stats = {"figures": 1, "figures_found": 1, "figures_unasked": 0}
    assert run("summarize", tmp_path / "short.txt", "--quiet", "--no-cache").stderr == ""
    assert backend.options.max_figures == 200


def test_max_figures_below_one_is_a_usage_error(echo, inputs):
    result = run("summarize", inputs / "good.txt", "--max-figures", "0")
    assert result.exit_code == 2 and "--max-figures" in result.stderr and echo.calls == 0


def test_a_corrupt_store_row_is_one_warning_and_the_article_is_generated_again(echo, inputs, tmp_path):
    """Issue 22, item 9: a row whose document is not JSON was a JSONDecodeError on lookup."""
    import sqlite3

    store = tmp_path / "runs.sqlite3"
    assert run("summarize", inputs / "good.txt", "--store", store, "-q").exit_code == 0
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE generations SET document = '{broken'")
    result = run("summarize", inputs / "good.txt", "--store", store, "-q")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"summary": "Good", "claims": []}
    assert result.stderr == (
        f"warning: {store}: run store row 1 is corrupt (document: not JSON); it is not used, "
        "the article is generated again\n"
    )
    assert _stored(store) == 2
