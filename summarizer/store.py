"""The run store: every generation, kept in SQLite so nothing is generated twice.

Each call to a backend is recorded with what identifies it (model, revision,
backend, task hash, prompt hash, schema hash, article hash, decoding parameters) and what it
produced (raw output, parsed document, status, timings, token counts). A request
identical to a recorded one is answered from the store: re-scoring a model, or
re-running a comparison that was interrupted, never regenerates.

The store knows nothing of datasets or evaluation; :func:`cached_extract` is the one
place where a backend call and the store meet.

Location: ``--store`` / the ``path`` argument, else ``$SUMMARIZER_STORE``, else the
platform's user data folder (``~/.local/share/summarizer/runs.sqlite3`` on Linux).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from summarizer.backends.base import Backend
from summarizer.core.errors import InputError, ModelError, SummarizerWarning
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.core.stats import Stats
from summarizer.core.status import USABLE, Status
from summarizer.core.task import load_task
from summarizer.core.version import __version__

STORE_ENV = "SUMMARIZER_STORE"
STORE_FILENAME = "runs.sqlite3"
# Bumped when the meaning of a cache key changes (not when the table changes: that is a migration).
# 2: a model is keyed by its content (``weights``: hub commit, file digests), not by the name typed.
CACHE_KEY_VERSION = 2
# Kept in the store for people to read, left out of the key when ``weights`` says what the model is:
# the same weights under another path or alias are the same model.
NAME_FIELDS = ("model", "source")
# Only these statuses are answered from the store; a "failed" generation (the backend
# raised: out of memory, a crash) is retried on the next run.
CACHEABLE_STATUSES = tuple(s.value for s in Status if s is not Status.FAILED)

Migration = str | Callable[[sqlite3.Connection], None]

# Numbered schema changes: migration i (1-based) brings the store to PRAGMA user_version i.
# Append only; never edit a released one.
MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE generations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cache_key TEXT NOT NULL,
        model TEXT NOT NULL,
        revision TEXT,
        backend TEXT NOT NULL,
        prompt_hash TEXT,
        schema_hash TEXT,
        article_hash TEXT NOT NULL,
        backend_info TEXT NOT NULL,   -- describe() of the backend, JSON
        params TEXT NOT NULL,         -- decoding parameters, JSON
        raw TEXT NOT NULL,
        document TEXT,                -- parsed document, JSON; NULL when none
        status TEXT NOT NULL CHECK (status IN ('ok', 'invalid', 'truncated', 'failed')),
        reason TEXT,
        seconds REAL,
        prompt_tokens INTEGER,
        generated_tokens INTEGER,
        stats TEXT NOT NULL,          -- every stat the backend reported, JSON
        created_at TEXT NOT NULL
    );
    CREATE INDEX generations_by_key ON generations (cache_key, id);
    """,
    # 2: status 'ungrounded' (a server without the grounded grammar wrote evidence or numbers the
    # article does not hold). SQLite cannot change a CHECK in place: copy into a new table.
    """
    CREATE TABLE generations_v2 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cache_key TEXT NOT NULL,
        model TEXT NOT NULL,
        revision TEXT,
        backend TEXT NOT NULL,
        prompt_hash TEXT,
        schema_hash TEXT,
        article_hash TEXT NOT NULL,
        backend_info TEXT NOT NULL,
        params TEXT NOT NULL,
        raw TEXT NOT NULL,
        document TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'invalid', 'truncated', 'failed', 'ungrounded')),
        reason TEXT,
        seconds REAL,
        prompt_tokens INTEGER,
        generated_tokens INTEGER,
        stats TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    INSERT INTO generations_v2 SELECT * FROM generations;
    DROP TABLE generations;
    ALTER TABLE generations_v2 RENAME TO generations;
    CREATE INDEX generations_by_key ON generations (cache_key, id);
    """,
    # 3: the task (schema, prompt, scoring settings) a generation was made for, by content hash.
    # Rows made before tasks existed are claims generations; their task hash is not known.
    "ALTER TABLE generations ADD COLUMN task_hash TEXT;",
]


def default_store_path() -> Path:
    """``$SUMMARIZER_STORE`` if set, else ``runs.sqlite3`` in the platform's user data folder."""
    override = os.environ.get(STORE_ENV)
    if override:
        return Path(override).expanduser()
    return _user_data_dir() / STORE_FILENAME


def _user_data_dir() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "summarizer"


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def text_hash(text: str) -> str:
    """sha256 of the exact article text (a changed byte is a different article)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def backend_identity(backend: Backend) -> dict[str, Any]:
    """What identifies a backend's output: its describe(), with its task's name, hash and schema hash
    always present (a backend with no ``task`` writes claims)."""
    info = dict(backend.describe())
    task = load_task(getattr(backend, "task", None))
    info.setdefault("backend", backend.name)
    info.setdefault("model", backend.model_id)
    info.setdefault("schema_hash", task.schema_hash)
    info.setdefault("task", task.name)
    info.setdefault("task_hash", task.hash)
    # A new release may change prompts, parsing or the rules baseline without a backend noticing.
    info.setdefault("summarizer_version", __version__)
    return info


def cache_key(identity: dict[str, Any], article_hash: str, params: dict[str, Any]) -> str:
    """Hash of everything that determines a generation: backend identity, article, decoding parameters."""
    if "weights" in identity:
        identity = {k: v for k, v in identity.items() if k not in NAME_FIELDS}
    payload = {"v": CACHE_KEY_VERSION, "backend": identity, "article": article_hash, "params": params}
    return hashlib.sha256(_canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredGeneration:
    """One row of the store."""

    id: int
    cache_key: str
    model: str
    backend: str
    article_hash: str
    params: dict[str, Any]
    extraction: Extraction
    created_at: str


class RunStore:
    """An open run store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self._conn = _connect(self.path)
        try:
            _migrate(self._conn, self.path)
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # -- reading and writing ---------------------------------------------------------
    def lookup(self, key: str, schema_text: str | None = None) -> StoredGeneration | None:
        """The latest reusable generation recorded under ``key`` (failed ones are not reused). Given
        ``schema_text`` (the task's schema), a row whose usable document breaks it is corrupt too."""
        marks = ",".join("?" for _ in CACHEABLE_STATUSES)
        row = self._execute(
            f"SELECT * FROM generations WHERE cache_key = ? AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
            (key, *CACHEABLE_STATUSES),
        ).fetchone()
        # A corrupt latest row is never served: the article is generated again, and the new row,
        # recorded after it, is the one found from then on (so the row is reported once).
        read = self._read_rows([row], schema_text) if row else []
        return read[0] if read else None

    def _read_rows(self, rows: list[sqlite3.Row], schema_text: str | None = None) -> list[StoredGeneration]:
        """The rows that can be read; each corrupt one is a StoreWarning naming it, and left out."""
        read = []
        for row in rows:
            try:
                generation = _row_to_generation(row)
                if schema_text is not None:
                    _check_document(generation.extraction, schema_text)
                read.append(generation)
            except _CorruptRow as problem:
                warnings.warn(
                    f"{self.path}: run store row {row['id']} is corrupt ({problem}); "
                    "it is not used, the article is generated again",
                    StoreWarning,
                    stacklevel=3,
                )
        return read

    def record(
        self,
        key: str,
        identity: dict[str, Any],
        article_hash: str,
        params: dict[str, Any],
        extraction: Extraction,
    ) -> int:
        """Append one generation; committed before returning (a Ctrl-C later loses nothing)."""
        stats = Stats.of(extraction.stats)
        values = {
            "cache_key": key,
            "model": str(identity.get("model")),
            "revision": _optional_str(identity.get("revision")),
            "backend": str(identity.get("backend")),
            "prompt_hash": _optional_str(identity.get("prompt_hash")),
            "schema_hash": _optional_str(identity.get("schema_hash")),
            "task_hash": _optional_str(identity.get("task_hash")),
            "article_hash": article_hash,
            "backend_info": _canonical_json(identity),
            "params": _canonical_json(params),
            "raw": extraction.raw or "",
            # In the backend's key order (the schema's), not sorted: a document served from the
            # store must be written exactly as the fresh one was.
            "document": None
            if extraction.document is None
            else json.dumps(extraction.document, separators=(",", ":"), ensure_ascii=False),
            "status": Status(extraction.status).value,
            "reason": extraction.reason,
            "seconds": _optional_float(stats.seconds),
            "prompt_tokens": _optional_int(stats.prompt_tokens),
            "generated_tokens": _optional_int(stats.generated_tokens),
            "stats": _canonical_json(stats.as_dict()),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if values["task_hash"] is None or self.schema_version < 3:  # a store still without the column
            del values["task_hash"]
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._conn:  # one transaction per record
            cursor = self._execute(f"INSERT INTO generations ({columns}) VALUES ({marks})", tuple(values.values()))
        assert cursor.lastrowid is not None  # set by an INSERT
        return cursor.lastrowid

    def generations(self, model: str | None = None) -> list[StoredGeneration]:
        """Every recorded generation (of ``model`` if given), oldest first."""
        if model is None:
            rows = self._execute("SELECT * FROM generations ORDER BY id").fetchall()
        else:
            rows = self._execute("SELECT * FROM generations WHERE model = ? ORDER BY id", (model,)).fetchall()
        return self._read_rows(rows)

    def count(self) -> int:
        """How many generations the store holds."""
        return self._execute("SELECT COUNT(*) FROM generations").fetchone()[0]

    def _execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.DatabaseError as error:
            raise InputError(f"run store cannot be used: {error}", self.path) from None


def open_store(store: RunStore | str | Path | None = None) -> RunStore:
    """An open store from a store, a path, or None (the default location)."""
    return store if isinstance(store, RunStore) else RunStore(store)


@contextmanager
def store_session(store: RunStore | str | Path | None = None) -> Iterator[RunStore]:
    """``with store_session(store) as run_store:`` the store open for the block; one opened here
    (from a path or None) is closed after it, one given open is left open for its owner."""
    run_store = open_store(store)
    try:
        yield run_store
    finally:
        if run_store is not store:
            run_store.close()


def cached_extract(
    store: RunStore | None,
    backend: Backend,
    article: str,
    options: ExtractOptions,
    no_cache: bool = False,
) -> tuple[Extraction, bool]:
    """Extract through the store: ``(extraction, from_cache)``.

    An identical earlier request is answered from ``store`` unless ``no_cache``; any
    new generation is recorded (also with ``no_cache``, so the store keeps every run).
    A backend that raises is recorded as ``failed`` with the error as the reason and
    the caller goes on; KeyboardInterrupt and ModelError (no model to generate with) are
    not caught, and nothing is recorded for them.
    """
    request = Request.of(backend, article, options)
    if store is not None and not no_cache:
        hit = request.lookup(store)
        if hit is not None:
            return hit.extraction, True
    extraction = extract_or_fail(backend, article, options)
    if store is not None:
        request.record(store, extraction)
    return extraction, False


@dataclass(frozen=True)
class Request:
    """What identifies one generation in the store: :func:`cached_extract` in parts, for callers
    that extract in other threads and look up and record in their own (a connection is one thread's)."""

    key: str
    identity: dict[str, Any]
    article_hash: str
    params: dict[str, Any]
    schema_text: str  # the task's schema: a stored document that breaks it is never served

    @classmethod
    def of(cls, backend: Backend, article: str, options: ExtractOptions) -> Request:
        identity, params, article_hash = backend_identity(backend), options.key_dict(), text_hash(article)
        schema_text = load_task(getattr(backend, "task", None)).schema_text
        return cls(cache_key(identity, article_hash, params), identity, article_hash, params, schema_text)

    def lookup(self, store: RunStore) -> StoredGeneration | None:
        """The stored generation of this request that can be served, or None."""
        return store.lookup(self.key, self.schema_text)

    def record(self, store: RunStore, extraction: Extraction) -> int:
        return store.record(self.key, self.identity, self.article_hash, self.params, extraction)


def extract_or_fail(backend: Backend, article: str, options: ExtractOptions) -> Extraction:
    started = time.perf_counter()
    try:
        extraction = backend.extract(article, options)
    except ModelError:  # the model cannot be had (e.g. a lazy load failed): no article can succeed
        raise
    except Exception as error:  # one bad article must not end a benchmark; the reason is kept
        reason = " ".join(f"{type(error).__name__}: {error}".split())
        extraction = Extraction(raw="", document=None, status="failed", reason=reason, stats={})
    extraction.stats = Stats.of(extraction.stats).copy()  # the backend's own record stays as it was
    if extraction.stats.seconds is None:
        extraction.stats.seconds = time.perf_counter() - started
    return extraction


# -- opening and migrating ---------------------------------------------------------------
_NOT_A_STORE = "is not a summarizer run store ({cause}); delete it or pass another with --store or $SUMMARIZER_STORE"


def _connect(path: Path) -> sqlite3.Connection:
    if path.is_dir():
        raise InputError("run store path is a directory, not a file", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise InputError(f"cannot open run store: {error}", path) from None
    conn.row_factory = sqlite3.Row
    try:
        _wal(conn)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as error:
        conn.close()
        raise InputError(_NOT_A_STORE.format(cause=error), path) from None
    return conn


_LOCK_WAIT_SECONDS = 30.0


def _wal(conn: sqlite3.Connection) -> None:
    """WAL: readers never block the writer and a killed process leaves a consistent file.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is locked"
    at once, without its busy timeout, while another process opens the same new file: two evals
    started together on one new store. Waiting a little and asking again is all it takes.
    """
    deadline, pause = time.monotonic() + _LOCK_WAIT_SECONDS, 0.01
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Run the migrations this store has not seen yet, each in its own transaction."""
    # The version and the tables read in one snapshot: read apart, another process's first
    # migration (its tables and its version, committed together) could land between the two
    # reads, and a new store opened by two processes at once read as "a database with other tables".
    conn.execute("BEGIN")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        foreign = version == 0 and _has_foreign_tables(conn)
    finally:
        conn.execute("COMMIT")
    if version > len(MIGRATIONS):
        raise InputError(
            f"run store has schema version {version} but this summarizer knows only {len(MIGRATIONS)}; "
            "upgrade summarizer or use another store",
            path,
        )
    if foreign:
        raise InputError(_NOT_A_STORE.format(cause="an SQLite database with other tables"), path)
    for number in range(version + 1, len(MIGRATIONS) + 1):
        _apply(conn, number, MIGRATIONS[number - 1], path)


def _has_foreign_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def _apply(conn: sqlite3.Connection, number: int, migration: Migration, path: Path) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        # Another process may have migrated while we waited for the lock.
        if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
            conn.execute("ROLLBACK")
            return
        if callable(migration):
            migration(conn)
        else:
            for statement in _statements(migration):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {int(number)}")
        conn.execute("COMMIT")
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise InputError(f"run store migration {number} failed: {error}", path) from None


def _statements(script: str) -> list[str]:
    # executescript() would commit our transaction; split complete statements instead.
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


class StoreWarning(SummarizerWarning):
    """A row of the run store that cannot be read: it is left out, and its article generated again."""


class _CorruptRow(Exception):
    """One column of a row that is not what the store writes: ``str()`` is ``column: problem``."""


_TEXT_COLUMNS = ("cache_key", "model", "backend", "article_hash", "raw", "created_at")
# Statuses that always come with a document (a truncated or invalid one may have none).
_WITH_DOCUMENT = (Status.OK, Status.UNGROUNDED)


def _json_object(row: sqlite3.Row, column: str, optional: bool = False) -> dict[str, Any] | None:
    value = row[column]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _CorruptRow(f"{column}: not text")
    try:
        parsed = json.loads(value, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise _CorruptRow(f"{column}: not JSON") from None
    if not isinstance(parsed, dict):
        raise _CorruptRow(f"{column}: not a JSON object")
    return parsed


def _check_document(extraction: Extraction, schema_text: str) -> None:
    """_CorruptRow if the document a caller would use (an "ok" or "truncated" row's) breaks the task's
    schema: the store only ever records documents that meet it (the cache key holds the schema)."""
    from summarizer.core.document_checks import schema_text_problems

    if extraction.status in USABLE and extraction.document is not None:
        problems = schema_text_problems(extraction.document, schema_text)
        if problems:
            raise _CorruptRow(f"document: does not match the task's schema ({problems[0]})")


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity: the store never writes them


def _row_to_generation(row: sqlite3.Row) -> StoredGeneration:
    """The row as a generation, every column checked (the one reader of rows); _CorruptRow if not."""
    for column in _TEXT_COLUMNS:
        if not isinstance(row[column], str):
            raise _CorruptRow(f"{column}: not text")
    if row["reason"] is not None and not isinstance(row["reason"], str):
        raise _CorruptRow("reason: not text")
    if row["status"] not in {s.value for s in Status}:
        raise _CorruptRow(f"status: not a status ({row['status']!r})")
    document = _json_object(row, "document", optional=True)
    if document is None and row["status"] in _WITH_DOCUMENT:
        raise _CorruptRow(f"document: missing for status {row['status']}")
    extraction = Extraction(
        raw=row["raw"],
        document=document,
        status=row["status"],
        reason=row["reason"],
        stats=_json_object(row, "stats") or {},
    )
    return StoredGeneration(
        id=row["id"],
        cache_key=row["cache_key"],
        model=row["model"],
        backend=row["backend"],
        article_hash=row["article_hash"],
        params=_json_object(row, "params") or {},
        extraction=extraction,
        created_at=row["created_at"],
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
