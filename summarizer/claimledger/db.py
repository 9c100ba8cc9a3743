"""The ledger database: one SQLite file, built incrementally.

Tables (each also exported as CSV/Parquet by :mod:`.export`):

* ``articles``: id, date and where it came from (``date_source``), the document's source, the
  article text when found, and the hash of what was read;
* ``claims``: every claim, its article and date, its fields, its canonical keys
  (:mod:`.canonical`), the canonical claimant it was merged into, its group, or the reason no
  group could take it (``unplaced_reason``);
* ``groups``: claims about the same losses (:mod:`.grouping`);
* ``conflicts`` and ``conflict_figures``: groups where claimants disagree, each side's figure;
* ``series``: each claimant's figures in a group over time, with ``flag`` ``decrease`` /
  ``outlier``;
* ``claimants`` and ``sides``: the canonical key each key seen was merged into (fuzzy variants
  of one body, demonyms of one party), first come first named, so merging never renames
  what the ledger already holds.

**Incremental.** Adding articles inserts their claims and regroups only the group keys they
touch (a key is everything but the dates, :func:`~summarizer.claimledger.grouping.base_key`): a
ledger of 10,000 documents takes a few new ones without a rebuild. An article read again with
the same document and date is left alone; with another, its old claims are replaced. Changing
the rule's settings regroups everything.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.claimledger import grouping
from summarizer.claimledger.canonical import UNATTRIBUTED, claim_keys, merge_key, same_claimant_key, same_party_key
from summarizer.claimledger.grouping import Settings
from summarizer.claimledger.sources import Extracted
from summarizer.core.errors import InputError
from summarizer.core.text import find_span

LEDGER_VERSION = 1
TABLES = ("articles", "claims", "groups", "conflicts", "series", "unplaced")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, date TEXT NOT NULL, date_source TEXT NOT NULL, source TEXT NOT NULL,
    article_path TEXT, model TEXT, n_claims INTEGER NOT NULL, doc_hash TEXT NOT NULL, text TEXT
);
CREATE TABLE claims (
    id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, claim_index INTEGER NOT NULL, date TEXT NOT NULL,
    claimant TEXT, claimant_key TEXT NOT NULL, claimant_canonical TEXT NOT NULL, claimant_source TEXT NOT NULL,
    claimant_type TEXT, claimant_side TEXT, outcome TEXT NOT NULL, victim_side TEXT, victim_side_key TEXT,
    victim_group TEXT NOT NULL, equipment TEXT, equipment_key TEXT, value REAL NOT NULL, qualifier TEXT NOT NULL,
    upper REAL, period TEXT, period_key TEXT, period_date TEXT, location TEXT, place_key TEXT, scope TEXT NOT NULL,
    perpetrator_side TEXT, verification TEXT, evidence TEXT NOT NULL, evidence_start INTEGER, evidence_end INTEGER,
    base_key TEXT, group_id TEXT, unplaced_reason TEXT
);
CREATE INDEX claims_by_key ON claims (base_key);
CREATE INDEX claims_by_article ON claims (article_id);
CREATE INDEX claims_by_group ON claims (group_id);
CREATE TABLE groups (
    id TEXT PRIMARY KEY, base_key TEXT NOT NULL, label TEXT NOT NULL, outcome TEXT NOT NULL, victim_side TEXT,
    victim_group TEXT NOT NULL, equipment TEXT, scope TEXT NOT NULL, place TEXT, first_date TEXT NOT NULL,
    last_date TEXT NOT NULL, n_claims INTEGER NOT NULL, n_claimants INTEGER NOT NULL, n_articles INTEGER NOT NULL,
    claimants TEXT NOT NULL
);
CREATE INDEX groups_by_key ON groups (base_key);
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY, group_id TEXT NOT NULL, base_key TEXT NOT NULL, date TEXT NOT NULL,
    n_claimants INTEGER NOT NULL, low REAL NOT NULL, high REAL NOT NULL, spread REAL
);
CREATE INDEX conflicts_by_key ON conflicts (base_key);
CREATE TABLE conflict_figures (
    conflict_id INTEGER NOT NULL, position INTEGER NOT NULL, claim_id INTEGER NOT NULL, base_key TEXT NOT NULL
);
CREATE INDEX conflict_figures_by_key ON conflict_figures (base_key);
CREATE TABLE series (
    id INTEGER PRIMARY KEY, group_id TEXT NOT NULL, base_key TEXT NOT NULL, claimant_canonical TEXT NOT NULL,
    date TEXT NOT NULL, value REAL NOT NULL, claim_id INTEGER NOT NULL, flag TEXT, note TEXT
);
CREATE INDEX series_by_key ON series (base_key);
CREATE TABLE claimants (key TEXT PRIMARY KEY, canonical TEXT NOT NULL);
CREATE TABLE sides (key TEXT PRIMARY KEY, canonical TEXT NOT NULL);
"""

_CLAIM_COLUMNS = (
    "article_id claim_index date claimant claimant_key claimant_canonical claimant_source claimant_type "
    "claimant_side outcome victim_side victim_side_key victim_group equipment equipment_key value qualifier upper "
    "period period_key period_date location place_key scope perpetrator_side verification evidence evidence_start "
    "evidence_end "
    "base_key unplaced_reason"
).split()

SCOPE_WORDS = {"running_total": "running total", "daily": "daily figure", "event": "event"}


@dataclass
class AddReport:
    """What one :meth:`LedgerDB.add` did."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    claims: int = 0
    regrouped_keys: int = 0


def document_hash(item: Extracted) -> str:
    payload = {"document": item.document, "date": item.date.iso, "cast": item.cast}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LedgerDB:
    """An open ledger file (``":memory:"`` for none). Use as a context manager, or :meth:`close`."""

    def __init__(self, path: str | Path = ":memory:", settings: Settings | None = None, *, rebuild: bool = False):
        self.path = path
        if rebuild and path != ":memory:":
            for stale in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):  # a WAL left behind would
                stale.unlink(missing_ok=True)  # be replayed into the new file
        try:
            self.conn = sqlite3.connect(str(path))
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._setup(settings)
        except sqlite3.DatabaseError as error:
            raise InputError(f"not a ledger database: {error}", path) from None
        self._claimants = dict(self.conn.execute("SELECT key, canonical FROM claimants").fetchall())
        self._sides = dict(self.conn.execute("SELECT key, canonical FROM sides").fetchall())

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> LedgerDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _setup(self, settings: Settings | None) -> None:
        tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            with self.conn:
                self.conn.executescript(SCHEMA)
                self._set_meta("version", str(LEDGER_VERSION))
                self._set_meta("settings", json.dumps((settings or Settings()).as_dict(), sort_keys=True))
            self.settings = settings or Settings()
            return
        if "meta" not in tables or self._meta("version") != str(LEDGER_VERSION):
            raise InputError(f"not a ledger database of version {LEDGER_VERSION}", self.path)
        stored = Settings(**json.loads(self._meta("settings") or "{}"))
        self.settings = settings or stored
        if self.settings != stored:  # another rule: every group is recomputed
            with self.conn:
                self._set_meta("settings", json.dumps(self.settings.as_dict(), sort_keys=True))
                keys = [
                    row[0]
                    for row in self.conn.execute("SELECT DISTINCT base_key FROM claims WHERE base_key IS NOT NULL")
                ]
                self._regroup(keys)

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- adding ----------------------------------------------------------------------------------
    def add(self, items: Iterable[Extracted]) -> AddReport:
        """Add (or replace) articles' documents and regroup the keys they touch; one transaction."""
        report = AddReport()
        touched: set[str] = set()
        with self.conn:
            for item in items:
                digest = document_hash(item)
                old = self.conn.execute("SELECT doc_hash FROM articles WHERE id = ?", (item.article_id,)).fetchone()
                if old is not None and old[0] == digest:
                    report.unchanged += 1
                    continue
                if old is not None:
                    report.replaced += 1
                    touched.update(self._remove(item.article_id))
                else:
                    report.new += 1
                rows = list(self._claim_rows(item))
                self.conn.execute(
                    "INSERT INTO articles (id, date, date_source, source, article_path, model, n_claims, doc_hash,"
                    " text)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        item.article_id,
                        item.date.iso,
                        item.date.source,
                        item.source,
                        item.article_path,
                        item.model,
                        len(rows),
                        digest,
                        item.text,
                    ),
                )
                marks = ", ".join("?" for _ in _CLAIM_COLUMNS)
                self.conn.executemany(
                    f"INSERT INTO claims ({', '.join(_CLAIM_COLUMNS)}) VALUES ({marks})",
                    [tuple(row[c] for c in _CLAIM_COLUMNS) for row in rows],
                )
                report.claims += len(rows)
                touched.update(row["base_key"] for row in rows if row["base_key"])
            report.regrouped_keys = len(touched)
            self._regroup(sorted(touched))
        return report

    def _remove(self, article_id: str) -> set[str]:
        keys = {
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT base_key FROM claims WHERE article_id = ? AND base_key IS NOT NULL", (article_id,)
            )
        }
        self.conn.execute("DELETE FROM claims WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return keys

    def _claim_rows(self, item: Extracted) -> Iterator[dict[str, Any]]:
        for index, claim in enumerate(item.document.get("claims", [])):
            keys = claim_keys(claim, item.cast)
            if keys["victim_side_key"]:
                keys["victim_side_key"] = self._merged(self._sides, "sides", keys["victim_side_key"], same_party_key)
            count = claim["count"]
            span = find_span(item.text, claim["evidence"]) if item.text else None
            row = {
                "article_id": item.article_id,
                "claim_index": index,
                "date": item.date.iso,
                **{
                    name: claim.get(name)
                    for name in (
                        "claimant claimant_type claimant_side outcome victim_side victim_group equipment period "
                        "location perpetrator_side verification evidence"
                    ).split()
                },
                **keys,
                "claimant_canonical": self._merged(
                    self._claimants, "claimants", keys["claimant_key"], same_claimant_key
                ),
                "value": float(count["value"]),
                "qualifier": count["qualifier"],
                "upper": None if count.get("upper") is None else float(count["upper"]),
                "evidence_start": span[0] if span else None,
                "evidence_end": span[1] if span else None,
            }
            row["base_key"], row["unplaced_reason"] = grouping.base_key(row)
            yield row

    def _merged(self, table: dict[str, str], name: str, key: str, same: Any) -> str:
        """The canonical key ``key`` was (or is now) merged into (:func:`merge_key`), kept in the file."""
        canonical, new = merge_key(key, table, same)
        if new:
            self.conn.execute(f"INSERT INTO {name} (key, canonical) VALUES (?, ?)", (key, canonical))
        return canonical

    # -- grouping ------------------------------------------------------------------------------
    def _regroup(self, keys: list[str]) -> None:
        for key in keys:
            for table in ("groups", "conflicts", "conflict_figures", "series"):
                self.conn.execute(f"DELETE FROM {table} WHERE base_key = ?", (key,))
            rows = [
                dict(row)
                for row in self.conn.execute(
                    "SELECT c.id, c.article_id, c.date, a.date_source, c.period_date, c.claimant_canonical AS claimant,"
                    " c.value,"
                    " c.qualifier, c.upper, c.scope, c.outcome, c.victim_side, c.victim_group, c.equipment, c.location"
                    " FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.base_key = ? ORDER BY c.date, c.id",
                    (key,),
                )
            ]
            for gid, members in grouping.split_groups(key, rows, self.settings).items():
                self._write_group(key, gid, members)

    def _write_group(self, key: str, gid: str, members: list[Mapping[str, Any]]) -> None:
        first = members[0]
        scope = first["scope"]
        claimants = sorted({m["claimant"] for m in members})
        place = next((m["location"] for m in members if m["location"]), None)
        self.conn.executemany("UPDATE claims SET group_id = ? WHERE id = ?", [(gid, m["id"]) for m in members])
        self.conn.execute(
            "INSERT INTO groups (id, base_key, label, outcome, victim_side, victim_group, equipment, scope, place,"
            " first_date, last_date, n_claims, n_claimants, n_articles, claimants)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                gid,
                key,
                group_label(first, place),
                first["outcome"],
                first["victim_side"],
                first["victim_group"],
                first["equipment"],
                scope,
                place,
                min(m["date"] for m in members),
                max(m["date"] for m in members),
                len(members),
                len(claimants),
                len({m["article_id"] for m in members}),
                json.dumps(claimants),
            ),
        )
        for conflict in grouping.conflicts(members, scope, self.settings):
            cursor = self.conn.execute(
                "INSERT INTO conflicts (group_id, base_key, date, n_claimants, low, high, spread)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    gid,
                    key,
                    conflict["date"],
                    len(conflict["figures"]),
                    conflict["low"],
                    conflict["high"],
                    conflict["spread"],
                ),
            )
            self.conn.executemany(
                "INSERT INTO conflict_figures (conflict_id, position, claim_id, base_key) VALUES (?, ?, ?, ?)",
                [(cursor.lastrowid, i, figure["id"], key) for i, figure in enumerate(conflict["figures"])],
            )
        self.conn.executemany(
            "INSERT INTO series (group_id, base_key, claimant_canonical, date, value, claim_id, flag, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (gid, key, p["claimant"], p["date"], p["value"], p["claim_id"], p["flag"], p["note"])
                for p in grouping.series(members, scope, self.settings)
            ],
        )

    # -- reading ---------------------------------------------------------------------------------
    def claimant_names(self) -> dict[str, str]:
        """Canonical claimant key -> the name to show: the cast's name, else the most common way the
        claims write it (ties: the shortest, then alphabetical)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for canonical, claimant, cast in self.conn.execute(
            "SELECT claimant_canonical, claimant, claimant_source FROM claims"
        ):
            counts[canonical][claimant or "(unattributed)"] += 1 + (1000 if cast == "cast" else 0)
        names = {
            key: min(counter.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]
            for key, counter in counts.items()
        }
        names.setdefault(UNATTRIBUTED, "(unattributed)")
        return names

    def table(self, name: str) -> list[dict[str, Any]]:
        """One of :data:`TABLES` as plain records (dicts), in a stable order."""
        names = self.claimant_names()
        if name == "articles":
            return _rows(
                self.conn,
                "SELECT id, date, date_source, source, article_path, model, n_claims FROM articles ORDER BY date, id",
            )
        if name == "claims":
            rows = _rows(self.conn, "SELECT * FROM claims ORDER BY date, article_id, claim_index")
            for row in rows:
                row["claimant_name"] = names.get(row["claimant_canonical"], row["claimant_canonical"])
            return rows
        if name == "groups":
            rows = _rows(self.conn, "SELECT * FROM groups ORDER BY first_date, label, id")
            for row in rows:
                row["claimants"] = [names.get(c, c) for c in json.loads(row["claimants"])]
            return rows
        if name == "conflicts":
            return self._conflicts(names)
        if name == "series":
            rows = _rows(
                self.conn,
                "SELECT s.group_id, g.label AS group_label, g.scope, s.claimant_canonical, s.date, s.value, s.claim_id,"
                " s.flag, s.note, c.article_id, c.evidence FROM series s JOIN groups g ON g.id = s.group_id"
                " JOIN claims c ON c.id = s.claim_id ORDER BY g.label, s.group_id, s.claimant_canonical, s.date, s.id",
            )
            for row in rows:
                row["claimant_name"] = names.get(row["claimant_canonical"], row["claimant_canonical"])
            return rows
        if name == "unplaced":
            rows = _rows(
                self.conn,
                "SELECT id AS claim_id, article_id, date, claimant, outcome, victim_side, victim_group, equipment,"
                " value,"
                " period, location, unplaced_reason AS reason, evidence FROM claims WHERE group_id IS NULL"
                " ORDER BY date, article_id, claim_index",
            )
            for row in rows:
                row["why"] = grouping.UNPLACED_REASONS.get(row["reason"], row["reason"])
            return rows
        raise KeyError(name)

    def _conflicts(self, names: dict[str, str]) -> list[dict[str, Any]]:
        conflicts = _rows(
            self.conn,
            "SELECT k.id, k.group_id, g.label AS group_label, g.scope, k.date, k.n_claimants, k.low, k.high, k.spread"
            " FROM conflicts k JOIN groups g ON g.id = k.group_id ORDER BY k.date, g.label, k.id",
        )
        figures: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _rows(
            self.conn,
            "SELECT f.conflict_id, c.id AS claim_id, c.claimant_canonical, c.claimant, c.value, c.qualifier, c.upper,"
            " c.date, c.article_id, c.evidence, c.verification"
            " FROM conflict_figures f JOIN claims c ON c.id = f.claim_id"
            " ORDER BY f.conflict_id, f.position",
        ):
            row["claimant_name"] = names.get(row["claimant_canonical"], row["claimant_canonical"])
            figures[row.pop("conflict_id")].append(row)
        for conflict in conflicts:
            conflict["figures"] = figures.get(conflict["id"], [])
        return conflicts

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        return {name: self.table(name) for name in TABLES}

    def article_texts(self, ids: Iterable[str]) -> dict[str, str | None]:
        wanted = list(dict.fromkeys(ids))
        texts: dict[str, str | None] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for article_id, text in self.conn.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk):
                texts[article_id] = text
        return texts

    def summary(self) -> dict[str, Any]:
        """Counts: articles (by date source), claims, groups, conflicts, series flags, unplaced (by reason)."""
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT COUNT(*) FROM articles"),
            "date_sources": dict(
                self.conn.execute(
                    "SELECT date_source, COUNT(*) FROM articles GROUP BY date_source ORDER BY date_source"
                ).fetchall()
            ),
            "claims": one("SELECT COUNT(*) FROM claims"),
            "groups": one("SELECT COUNT(*) FROM groups"),
            "uncorroborated_groups": one("SELECT COUNT(*) FROM groups WHERE n_claimants = 1"),
            "conflicts": one("SELECT COUNT(*) FROM conflicts"),
            "flags": dict(
                self.conn.execute(
                    "SELECT flag, COUNT(*) FROM series WHERE flag IS NOT NULL GROUP BY flag ORDER BY flag"
                ).fetchall()
            ),
            "unplaced": one("SELECT COUNT(*) FROM claims WHERE group_id IS NULL"),
            "unplaced_reasons": dict(
                self.conn.execute(
                    "SELECT unplaced_reason, COUNT(*) FROM claims WHERE group_id IS NULL"
                    " GROUP BY unplaced_reason ORDER BY unplaced_reason"
                ).fetchall()
            ),
            "settings": self.settings.as_dict(),
        }


def group_label(row: Mapping[str, Any], place: str | None) -> str:
    """ "killed · Armenia military · running total" (+ equipment, + place)."""
    who = " ".join(part for part in (row.get("victim_side"), row.get("victim_group")) if part)
    parts = [row["outcome"].replace("_", " "), who]
    if row.get("equipment"):
        parts.append(str(row["equipment"]))
    if place:
        parts.append(f"in {place}")
    parts.append(SCOPE_WORDS.get(row["scope"], row["scope"]))
    return " · ".join(parts)


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(sql)]


@contextmanager
def open_ledger(path: str | Path, settings: Settings | None = None, *, rebuild: bool = False) -> Iterator[LedgerDB]:
    db = LedgerDB(path, settings, rebuild=rebuild)
    try:
        yield db
    finally:
        db.close()
