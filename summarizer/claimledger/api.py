"""The ledger's two entry points: :func:`build_ledger` (the ``summarizer ledger`` command: a
database file, its page and exports) and :func:`ledger` (Python: the ledger as records, or
pandas DataFrames where pandas is installed; ``summarizer.ledger`` is this function)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.claimledger.db import TABLES, AddReport, LedgerDB
from summarizer.claimledger.grouping import Settings
from summarizer.claimledger.sources import Problem, read_inputs
from summarizer.core.errors import InputError


@dataclass
class BuildResult:
    """What :func:`build_ledger` did and found."""

    path: str
    added: AddReport
    summary: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    page: str | None = None
    exported: list[str] = field(default_factory=list)
    scores: dict[str, Any] | None = None


def build_ledger(
    paths: Sequence[str | Path] = (),
    *,
    out: str | Path = "ledger.sqlite3",
    articles: str | Path | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    rebuild: bool = False,
    settings: Settings | None = None,
    file_dates: bool = True,
    page: str | Path | None = None,
    csv: str | Path | None = None,
    parquet: str | Path | None = None,
    expected: str | Path | None = None,
    title: str = "Claims ledger",
) -> BuildResult:
    """Read the inputs, add them to the ledger at ``out`` (made, or updated incrementally unless
    ``rebuild``), then write the page and exports asked for. Inputs that cannot be read are left
    out and listed in ``problems``; nothing readable at all is an :class:`InputError`."""
    from summarizer.core.io import check_output_file

    for target in (out, page):
        if target is not None:
            check_output_file(target)
    if not paths and store is None:
        raise InputError("nothing to read: give documents (folders, .json, .jsonl) or --store with --model")
    inputs = read_inputs(paths, articles=articles, store=store, model=model, file_dates=file_dates)
    if not inputs.documents and not Path(out).exists():
        if not inputs.problems:
            raise InputError("no documents to read", paths[0] if paths else store)
        return BuildResult(str(out), AddReport(), {}, inputs.problems, inputs.skipped)  # nothing written
    with LedgerDB(out, settings, rebuild=rebuild) as db:
        added = db.add(inputs.documents)
        result = BuildResult(str(out), added, db.summary(), inputs.problems, inputs.skipped)
        if page is not None or csv is not None or parquet is not None or expected is not None:
            tables = db.tables()
            if page is not None:
                write_page(db, tables, Path(page), title)
                result.page = str(page)
            result.exported = [str(p) for p in _export(tables, csv, parquet)]
            if expected is not None:
                result.scores = score_against(tables, Path(expected))
    return result


def write_page(db: LedgerDB, tables: Mapping[str, list[dict[str, Any]]], path: Path, title: str) -> None:
    from summarizer.claimledger.page import LIMITS, render_page
    from summarizer.claimledger.plots import timelines
    from summarizer.core.io import write_text_atomic

    images = timelines(tables["series"], limit=LIMITS["claimants"])
    texts = db.article_texts(row["article_id"] for row in tables["claims"])
    write_text_atomic(path, render_page(tables, texts, db.summary(), images, title=title))


def _export(
    tables: Mapping[str, list[dict[str, Any]]], csv: str | Path | None, parquet: str | Path | None
) -> list[Path]:
    from summarizer.claimledger.export import write_csv, write_parquet

    written: list[Path] = []
    if csv is not None:
        written += write_csv(tables, Path(csv))
    if parquet is not None:
        written += write_parquet(tables, Path(parquet))
    return written


def score_against(tables: Mapping[str, list[dict[str, Any]]], expected_path: Path) -> dict[str, Any]:
    """The ledger scored against a dataset's ``expected.json`` (its ``labels/`` beside it are the gold)."""
    from summarizer.claimledger.scoring import gold_index, score_ledger
    from summarizer.core.io import read_json

    expected = read_json(expected_path)
    if not isinstance(expected, dict) or not isinstance(expected.get("groups"), list):
        raise InputError('not an expected-groups file (an object with "groups")', expected_path)
    labels = expected_path.parent / "labels"
    gold = {path.stem: read_json(path) for path in sorted(labels.glob("*.json"))}
    if not gold:
        raise InputError("no gold labels beside the expected file (labels/<id>.json)", expected_path)
    predicted = _documents_of(tables["claims"])
    matches = gold_index(gold, predicted)  # type: ignore[arg-type]
    return score_ledger(tables["claims"], tables["conflicts"], tables["series"], expected, matches)


_CLAIM_FIELDS = (
    "claimant claimant_type claimant_side outcome victim_side victim_group equipment period location "
    "perpetrator_side verification evidence"
).split()


def _documents_of(claims: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The claims documents the ledger holds, rebuilt from its claims table (for the alignment)."""
    documents: dict[str, dict[str, Any]] = {}
    for row in sorted(claims, key=lambda r: (r["article_id"], r["claim_index"])):
        claim = {name: row[name] for name in _CLAIM_FIELDS}
        claim["count"] = {"value": row["value"], "qualifier": row["qualifier"], "upper": row["upper"]}
        documents.setdefault(row["article_id"], {"summary": "", "claims": []})["claims"].append(claim)
    return documents


class Ledger:
    """The ledger as plain records: ``articles``, ``claims``, ``groups``, ``conflicts`` (each with
    its ``figures``), ``series``, ``unplaced`` (lists of dicts), ``summary`` and ``problems``;
    :meth:`frame` / :meth:`frames` give pandas DataFrames where pandas is installed."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]], summary: dict[str, Any], problems: list[Problem]):
        self.tables = tables
        self.summary = summary
        self.problems = problems

    def __getattr__(self, name: str) -> list[dict[str, Any]]:
        if name in TABLES:
            return self.tables[name]
        raise AttributeError(name)

    def frame(self, name: str) -> Any:
        """One table as a pandas DataFrame (conflicts flattened: one row per figure)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "DataFrames need pandas: pip install 'summarizer[ledger]'; .tables has the records"
            ) from None
        if name == "conflicts":
            from summarizer.claimledger.export import flat_tables

            return pd.DataFrame(flat_tables({"conflicts": self.tables["conflicts"]})["conflict_figures"])
        return pd.DataFrame(self.tables[name])

    def frames(self) -> dict[str, Any]:
        return {name: self.frame(name) for name in TABLES}

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(self.tables[name])}" for name in TABLES)
        return f"Ledger({counts})"


def ledger(
    paths: Sequence[str | Path] | str | Path = (),
    *,
    articles: str | Path | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    out: str | Path | None = None,
    settings: Settings | None = None,
    file_dates: bool = True,
) -> Ledger:
    """The ledger of documents (folders, ``.json``, ``.jsonl``) or of a model's runs in the store
    (``store=``, ``model=``, ``articles=``): records, kept in memory unless ``out`` names a file
    (then that ledger is updated incrementally and all of it returned)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths and store is None:
        raise InputError("nothing to read: give documents (folders, .json, .jsonl) or store= with model=")
    inputs = read_inputs(paths, articles=articles, store=store, model=model, file_dates=file_dates)
    with LedgerDB(out if out is not None else ":memory:", settings) as db:
        db.add(inputs.documents)
        return Ledger(db.tables(), db.summary(), inputs.problems)
