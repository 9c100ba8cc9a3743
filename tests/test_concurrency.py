"""Processes that share a run store or an output folder, and runs killed with SIGKILL.

Each test starts real processes (the rules baseline: no model, so they are quick) and
checks that none crashes, no file is left half-written and the store stays sound.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CLI = [sys.executable, "-c", "import sys; from summarizer.cli import main; sys.argv[0] = 'summarizer'; main()"]


def start(*args: object) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=300)
    return process.returncode, stdout, stderr


def integrity(store: Path) -> str:
    with sqlite3.connect(store) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def generations(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM generations").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_two_evals_on_one_store_and_one_out_folder(tmp_path):
    store, out = tmp_path / "runs.sqlite3", tmp_path / "out"
    for _ in range(3):  # the shared temporary file made this fail about 1 time in 8
        both = [start("eval", "-m", "rules", "--store", store, "--out", out, "-q") for _ in range(2)]
        for code, stdout, stderr in map(finish, both):
            assert code == 0 and stderr == "", stderr
            assert "rules:" in stdout
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["n_articles"] == 5
    for path in (out / "predictions").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == ["predictions", "report.json", "report.md", "review.html"]
    assert integrity(store) == "ok"
    assert 5 <= generations(store) <= 10  # at most one generation per process and article
    code, stdout, _ = finish(start("eval", "-m", "rules", "--store", store, "--out", out, "-q"))
    assert code == 0 and "0 generated, 5 from the run store" in stdout


WRITER = """
import sys
from summarizer.core.io import write_json_atomic
for n in range(int(sys.argv[3])):
    write_json_atomic(sys.argv[1], {"writer": sys.argv[2], "n": n, "padding": "x" * 200_000})
"""


def test_two_processes_writing_one_report_never_leave_it_broken(tmp_path):
    report = tmp_path / "report.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(report), name, "150"], stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        if report.exists():  # a reader never sees half a document
            assert json.loads(report.read_text(encoding="utf-8"))["writer"] in ("a", "b")
            reads += 1
    for writer in writers:
        assert writer.wait() == 0, writer.stderr.read()
    assert reads > 0 and json.loads(report.read_text(encoding="utf-8"))["n"] == 149
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


@pytest.fixture
def many_articles(tmp_path) -> Path:
    """120 distinct labelled articles (the seeds, each copied with a different last line)."""
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    (data / "labels").mkdir()
    seeds = sorted((SEEDS / "articles").glob("*.txt"))
    for n in range(120):
        source = seeds[n % len(seeds)]
        text = source.read_text(encoding="utf-8") + f"\nCopy {n}.\n"
        (data / "articles" / f"a{n:03d}.txt").write_text(text, encoding="utf-8")
        shutil.copy(SEEDS / "labels" / f"{source.stem}.json", data / "labels" / f"a{n:03d}.json")
    return data


def test_sigkill_during_an_eval_then_a_rerun_regenerates_nothing_finished(tmp_path, many_articles):
    store = tmp_path / "runs.sqlite3"
    args = ("eval", "-m", "rules", "--data", many_articles, "--store", store, "--out", tmp_path / "out", "-q")
    run = start(*args)
    deadline = time.monotonic() + 120
    while generations(store) < 10 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    finished = generations(store)
    assert 10 <= finished < 120, "the run was not killed in the middle"
    assert integrity(store) == "ok"
    code, stdout, stderr = finish(start(*args))
    assert code == 0, stderr
    assert f"rules: {120 - finished} generated, {finished} from the run store" in stdout
    assert generations(store) == 120 and integrity(store) == "ok"
