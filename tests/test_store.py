"""The run store: caching, recording, migrations, bad files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer import store as store_module
from summarizer.backends.base import Backend
from summarizer.core.errors import InputError
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.store import RunStore, cache_key, cached_extract, default_store_path

DOC = {"summary": "Officials said 3 people were killed.", "claims": []}


class CountingBackend(Backend):
    """A backend that counts its calls; its prompt hash is settable to simulate a prompt change."""

    name = "counting"

    def __init__(self, prompt_hash: str = "p1", fail_on: str | None = None):
        self.calls = 0
        self.prompt_hash = prompt_hash
        self.fail_on = fail_on

    @property
    def model_id(self) -> str:
        return "counting-model"

    def describe(self) -> dict:
        return {**super().describe(), "revision": "r1", "prompt_hash": self.prompt_hash}

    def extract(self, article: str, options: ExtractOptions) -> Extraction:
        self.calls += 1
        if self.fail_on and self.fail_on in article:
            raise RuntimeError("CUDA out of memory")
        stats = {"seconds": 0.5, "prompt_tokens": 10, "generated_tokens": 20}
        return Extraction(raw='{"summary": ...}', document=DOC, status="ok", stats=stats)


@pytest.fixture
def store(tmp_path: Path):
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        yield opened


def test_identical_request_is_served_from_the_store(store):
    backend = CountingBackend()
    first, cached_first = cached_extract(store, backend, "Three killed.", ExtractOptions())
    second, cached_second = cached_extract(store, backend, "Three killed.", ExtractOptions())
    assert (cached_first, cached_second) == (False, True)
    assert backend.calls == 1 and store.count() == 1
    assert second.document == first.document == DOC
    assert second.stats["generated_tokens"] == 20


def test_a_document_from_the_store_keeps_the_key_order_it_was_made_with(store):
    """Not sorted: predictions served from the store are written exactly as fresh ones."""
    backend = CountingBackend()
    fresh, _ = cached_extract(store, backend, "Three killed.", ExtractOptions())
    cached, from_cache = cached_extract(store, backend, "Three killed.", ExtractOptions())
    assert from_cache and list(cached.document) == list(fresh.document) == ["summary", "claims"]


def test_the_store_survives_closing_and_reopening(tmp_path):
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as opened:
        cached_extract(opened, CountingBackend(), "Three killed.", ExtractOptions())
    backend = CountingBackend()
    with RunStore(path) as reopened:
        extraction, from_cache = cached_extract(reopened, backend, "Three killed.", ExtractOptions())
    assert from_cache and backend.calls == 0 and extraction.document == DOC


@pytest.mark.parametrize(
    "change",
    [
        {"max_new_tokens": 100},
        {"temperature": 0.7},
        {"top_p": 0.9},
        {"seed": 1},
        {"grounded": False},
        {"max_figures": 50},
    ],
)
def test_a_changed_decoding_parameter_misses_the_cache(store, change):
    backend = CountingBackend()
    cached_extract(store, backend, "Three killed.", ExtractOptions())
    _, from_cache = cached_extract(store, backend, "Three killed.", ExtractOptions(**change))
    assert not from_cache and backend.calls == 2 and store.count() == 2


def test_an_option_added_later_keeps_the_keys_of_earlier_runs_at_its_default(store):
    """--max-figures came after runs were stored: at its default those runs are still found."""
    from summarizer.store import Request, cache_key

    request = Request.of(CountingBackend(), "Three killed.", ExtractOptions())
    earlier = {k: v for k, v in ExtractOptions().as_dict().items() if k != "max_figures"}
    assert request.params == earlier
    assert request.key == cache_key(request.identity, request.article_hash, earlier)
    assert Request.of(CountingBackend(), "Three killed.", ExtractOptions(max_figures=50)).params["max_figures"] == 50


def test_a_changed_prompt_or_article_misses_the_cache(store):
    cached_extract(store, CountingBackend(prompt_hash="p1"), "Three killed.", ExtractOptions())
    _, prompt_cached = cached_extract(store, CountingBackend(prompt_hash="p2"), "Three killed.", ExtractOptions())
    _, article_cached = cached_extract(store, CountingBackend(prompt_hash="p1"), "Three  killed.", ExtractOptions())
    assert not prompt_cached and not article_cached and store.count() == 3


def test_no_cache_generates_again_and_records_the_new_run(store):
    backend = CountingBackend()
    cached_extract(store, backend, "Three killed.", ExtractOptions())
    _, from_cache = cached_extract(store, backend, "Three killed.", ExtractOptions(), no_cache=True)
    assert not from_cache and backend.calls == 2 and store.count() == 2


def test_every_field_of_a_generation_is_recorded(store):
    cached_extract(store, CountingBackend(), "Three killed.", ExtractOptions(max_new_tokens=64))
    row = (
        sqlite3.connect(store.path)
        .execute(
            "SELECT model, revision, backend, prompt_hash, schema_hash, article_hash, params, raw, document,"
            " status, seconds, prompt_tokens, generated_tokens, created_at FROM generations"
        )
        .fetchone()
    )
    model, revision, backend, prompt_hash, schema_hash, article_hash, params, raw, document, status, *rest = row
    assert (model, revision, backend, prompt_hash, status) == ("counting-model", "r1", "counting", "p1", "ok")
    assert len(schema_hash) == 16 and len(article_hash) == 64
    assert '"max_new_tokens":64' in params and raw.startswith('{"summary"') and '"claims":[]' in document
    assert rest[:3] == [0.5, 10, 20] and rest[3].startswith("20")


def test_a_failing_generation_is_recorded_as_failed_and_retried_next_time(store):
    backend = CountingBackend(fail_on="boom")
    extraction, _ = cached_extract(store, backend, "boom: three killed.", ExtractOptions())
    assert extraction.status == "failed" and extraction.document is None
    assert "RuntimeError: CUDA out of memory" in extraction.reason
    assert [g.extraction.status for g in store.generations()] == ["failed"]
    _, from_cache = cached_extract(store, backend, "boom: three killed.", ExtractOptions())
    assert not from_cache and backend.calls == 2


def test_ctrl_c_is_not_swallowed_and_records_nothing(store):
    class Interrupted(CountingBackend):
        def extract(self, article, options):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_extract(store, Interrupted(), "Three killed.", ExtractOptions())
    assert store.count() == 0


def test_without_a_store_it_just_extracts():
    backend = CountingBackend()
    extraction, from_cache = cached_extract(None, backend, "Three killed.", ExtractOptions())
    assert extraction.document == DOC and not from_cache and backend.calls == 1


# -- migrations --------------------------------------------------------------------------------
def test_a_new_store_is_at_the_latest_schema_version(store):
    assert store.schema_version == len(store_module.MIGRATIONS) >= 1


def test_migrations_run_once_and_only_the_new_ones_run(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite3"
    RunStore(path).close()  # the current version
    latest = len(store_module.MIGRATIONS)
    runs = []

    def add_notes_table(conn):
        runs.append(1)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")

    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, add_notes_table])
    for _ in range(3):
        with RunStore(path) as opened:
            assert opened.schema_version == latest + 1
    assert runs == [1]
    tables = {name for (name,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"generations", "notes"} <= tables


def test_a_failed_migration_leaves_the_store_at_its_old_version(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite3"
    RunStore(path).close()
    latest = len(store_module.MIGRATIONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, "CREATE TABLE generations (x);"])
    with pytest.raises(InputError, match=f"migration {latest + 1} failed"):
        RunStore(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == latest


def test_a_version_1_store_keeps_its_rows_and_takes_the_ungrounded_status(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
        with RunStore(path) as old:
            cached_extract(old, CountingBackend(), "Three killed.", ExtractOptions())
            with pytest.raises(sqlite3.IntegrityError):
                old._conn.execute("UPDATE generations SET status = 'ungrounded'")
    with RunStore(path) as migrated:
        assert migrated.schema_version == len(store_module.MIGRATIONS) >= 2
        [row] = migrated.generations()
        assert row.extraction.document == DOC
        key = cache_key({"m": 1}, "a", {})
        migrated.record(key, {"model": "m", "backend": "b"}, "a", {}, Extraction("{}", DOC, "ungrounded", "why"))
        assert migrated.lookup(key).extraction.status == "ungrounded"


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "runs.sqlite3"
    RunStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(InputError, match="schema version 99"):
        RunStore(path)


# -- bad files ---------------------------------------------------------------------------------
def _one_line_error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        RunStore(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_a_file_that_is_not_sqlite_is_a_one_line_error(tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_text("this is not a database, it is a shopping list\n" * 20)
    assert "not a summarizer run store" in _one_line_error(path)


def test_an_sqlite_database_of_something_else_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    assert "other tables" in _one_line_error(path)


def test_a_directory_is_not_a_store(tmp_path):
    assert "directory" in _one_line_error(tmp_path)


# -- location ----------------------------------------------------------------------------------
def test_the_env_var_overrides_the_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_STORE", str(tmp_path / "elsewhere.sqlite3"))
    assert default_store_path() == tmp_path / "elsewhere.sqlite3"
    with RunStore() as opened:
        assert opened.path == tmp_path / "elsewhere.sqlite3"
    assert (tmp_path / "elsewhere.sqlite3").is_file()


def test_the_default_location_is_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SUMMARIZER_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(store_module.sys, "platform", "linux")
    assert default_store_path() == tmp_path / "data" / "summarizer" / "runs.sqlite3"


# -- through the evaluation --------------------------------------------------------------------
def test_a_second_identical_eval_does_zero_generations(tmp_path, seeds_dir):
    from summarizer.evaluation.evaluate import evaluate

    path = tmp_path / "runs.sqlite3"
    first = evaluate("rules", seeds_dir, store=path)
    with RunStore(path) as opened:
        after_first = opened.count()
    second = evaluate("rules", seeds_dir, store=path)
    with RunStore(path) as opened:
        assert opened.count() == after_first == len(first.extractions) == 5
    assert (first.n_generated, first.n_cached) == (5, 0)
    assert (second.n_generated, second.n_cached) == (0, 5)
    assert second.report["claim_f1"] == first.report["claim_f1"]


def test_an_eval_with_other_decoding_parameters_generates_again(tmp_path, seeds_dir):
    from summarizer.evaluation.evaluate import evaluate

    path = tmp_path / "runs.sqlite3"
    evaluate("rules", seeds_dir, store=path)
    again = evaluate("rules", seeds_dir, store=path, options=ExtractOptions(seed=7))
    assert again.n_generated == 5
    with RunStore(path) as opened:
        assert opened.count() == 10


def test_generations_record_their_task_hash(tmp_path):
    import json

    from summarizer.core.records import ExtractOptions
    from summarizer.core.task import builtin_task
    from summarizer.store import RunStore, backend_identity, cached_extract
    from summarizer.tasks.claims.rules import RulesBackend

    with RunStore(tmp_path / "runs.sqlite3") as store:
        cached_extract(store, RulesBackend(), "Officials said 12 civilians were killed.", ExtractOptions())
        row = store._conn.execute("SELECT task_hash, backend_info FROM generations").fetchone()
    assert row[0] == builtin_task("claims").hash
    assert json.loads(row[1])["task"] == "claims" == backend_identity(RulesBackend())["task"]


def test_store_session_closes_the_store_it_opened_and_leaves_a_given_one_open(tmp_path):
    from summarizer.store import store_session

    with store_session(tmp_path / "a.sqlite3") as opened:
        assert opened.count() == 0
    with pytest.raises(InputError, match="closed database"):
        opened.count()
    with RunStore(tmp_path / "b.sqlite3") as given:
        with store_session(given) as same:
            assert same is given
        assert given.count() == 0  # still open


# -- a corrupt row is reported once and generated again, never served (issue 22, item 9) ----------
CORRUPTIONS = [
    ("document", "'{not json'", "document: not JSON"),
    ("document", "'[1, 2]'", "document: not a JSON object"),
    ("document", "NULL", "document: missing for status ok"),
    ("stats", "'{'", "stats: not JSON"),
    ("stats", "'5'", "stats: not a JSON object"),
    ("params", "'nan'", "params: not JSON"),
    ("raw", "X'FF'", "raw: not text"),
    ("reason", "X'FF'", "reason: not text"),
    ("status", "'bogus'", "status: not a status ('bogus')"),
    ("model", "X'00'", "model: not text"),
    ("backend", "X'00'", "backend: not text"),
    ("article_hash", "X'00'", "article_hash: not text"),
    ("created_at", "X'00'", "created_at: not text"),
]


@pytest.mark.parametrize("column, value, problem", CORRUPTIONS)
def test_a_corrupt_column_is_reported_once_and_generated_again(tmp_path, column, value, problem):
    path = tmp_path / "runs.sqlite3"
    backend = CountingBackend()
    with RunStore(path) as opened:
        cached_extract(opened, backend, "Three killed.", ExtractOptions())
    with sqlite3.connect(path) as conn:  # what a crash, a disk error or another tool may leave
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(f"UPDATE generations SET {column} = {value}")
    with RunStore(path) as opened, pytest.warns(store_module.StoreWarning) as caught:
        again, from_cache = cached_extract(opened, backend, "Three killed.", ExtractOptions())
        once_more, from_cache_after = cached_extract(opened, backend, "Three killed.", ExtractOptions())
        assert [g.id for g in opened.generations()] == [2]  # the corrupt row is left out of listings too
    assert [str(w.message) for w in caught] == [
        f"{path}: run store row 1 is corrupt ({problem}); it is not used, the article is generated again"
    ] * (1 if column == "status" else 2)  # once by the lookup (which skips unknown statuses), once by the listing
    assert (from_cache, from_cache_after, backend.calls) == (False, True, 2)
    assert again.document == once_more.document == DOC
    with sqlite3.connect(path) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()
    # (the bad status was written past the CHECK by the test itself; the store wrote nothing bad)
    assert check == ("CHECK constraint failed in generations",) if column == "status" else check == ("ok",)


def test_an_ok_document_that_breaks_the_schema_is_reported_once_and_generated_again(tmp_path):
    # JSON and an object, but no claims document: served as it was, it printed {"summary": 5}
    # with exit status 0. The store knows no task; the lookup is given the task's schema.
    path = tmp_path / "runs.sqlite3"
    backend = CountingBackend()
    with RunStore(path) as opened:
        cached_extract(opened, backend, "Three killed.", ExtractOptions())
    with sqlite3.connect(path) as conn:
        conn.execute("""UPDATE generations SET document = '{"summary": 5}'""")
    with RunStore(path) as opened, pytest.warns(store_module.StoreWarning) as caught:
        again, from_cache = cached_extract(opened, backend, "Three killed.", ExtractOptions())
        once_more, from_cache_after = cached_extract(opened, backend, "Three killed.", ExtractOptions())
    assert [str(w.message) for w in caught] == [
        f"{path}: run store row 1 is corrupt (document: does not match the task's schema "
        "($.claims: required field is missing)); it is not used, the article is generated again"
    ]
    assert (from_cache, from_cache_after, backend.calls) == (False, True, 2)
    assert again.document == once_more.document == DOC
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


OPENER = """
import sys, time
from summarizer.store import open_store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # a late start (a loaded machine) opens at once
open_store(sys.argv[1]).close()
"""


def test_processes_that_open_one_new_store_together_all_get_it(tmp_path):
    # Turning a new file to WAL answers "database is locked" at once, without the busy timeout,
    # while another process does the same: two evals started together on a new store failed.
    for round_ in range(4):
        path, at = tmp_path / f"new{round_}.sqlite3", time.time() + 3.0
        openers = [
            subprocess.Popen([sys.executable, "-c", OPENER, str(path), str(at)], stderr=subprocess.PIPE, text=True)
            for _ in range(6)
        ]
        errors = [opener.communicate(timeout=120)[1] for opener in openers]
        assert [opener.returncode for opener in openers] == [0] * 6, errors
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
