"""What the ledger reads: extracted documents with their article and its date.

Inputs (:func:`read_inputs`):

* a folder of ``<id>.json`` documents (``summarizer summarize --out DIR``, or a dataset's
  ``labels/``); a dataset folder (with ``labels/`` and ``articles/``) reads its labels;
* a ``.json`` file: one document;
* a ``.jsonl`` file: ``summarizer summarize --jsonl`` records (``id``, ``document``, ...), each
  may carry a ``date`` and a ``cast``; records without a document (failed, truncated) are counted
  and left out;
* the run store: for one model, the latest usable claims generation of each article in
  ``--articles DIR`` (found by the article's hash).

Articles (for dates, evidence offsets and the page) come from ``--articles DIR``, else the
``articles/`` folder beside a documents folder. A document may carry the article's ``cast``
(issue 14: actors with canonical names); it is taken off before the document is checked against
the claims schema. The engine's figure strategy records the cast in its raw output (a run
record's ``raw``, the store's ``raw``: ``{"cast": [...], "labels": ..., "document": ...}``); it is
taken from there when the record has none of its own. Every problem is one line naming its file
(:class:`Problem`); the other inputs go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.claimledger.dates import ArticleDate, article_date
from summarizer.core.errors import InputError


@dataclass(frozen=True)
class Extracted:
    """One article's document, ready for the ledger."""

    article_id: str
    document: dict[str, Any]
    source: str  # the file (or store) the document came from
    date: ArticleDate
    text: str | None = None  # the article, when found
    article_path: str | None = None
    cast: list[dict[str, Any]] | None = None
    model: str | None = None


@dataclass(frozen=True)
class Problem:
    """An input left out, as the one line the CLI prints: ``<path>: <problem>``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Inputs:
    documents: list[Extracted] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # records without a document, by status


@dataclass(frozen=True)
class _Raw:
    article_id: str
    document: Any
    source: str
    date_field: Any = None
    cast: Any = None
    model: str | None = None


def read_inputs(
    paths: Sequence[str | Path] = (),
    *,
    articles: str | Path | None = None,
    store: str | Path | None = None,
    model: str | None = None,
    file_dates: bool = True,
) -> Inputs:
    """Every document of ``paths`` (and of ``model`` in ``store``), dated; problems one line each.

    Raises :class:`InputError` for what stops the whole read: a path that does not exist, an
    articles folder that is not one, ``store`` without ``model`` or ``articles``, a store with no
    runs of ``model``.
    """
    articles_dir = _articles_dir(articles)
    result = Inputs()
    if store is not None and (model is None or articles_dir is None):
        raise InputError("reading the run store needs --model and --articles DIR (the store keeps no text)", store)

    def take(raws: Iterator[_Raw], folder: Path | None) -> None:  # in input order, problems too
        for raw in raws:
            try:
                result.documents.append(_checked(raw, folder, file_dates))
            except InputError as error:
                result.problems.append(Problem(str(error.path or raw.source), error.reason))

    for path in map(Path, paths):
        take(_read_path(path, result), articles_dir or _sibling_articles(path))
    if store is not None and model is not None and articles_dir is not None:
        take(_read_store(Path(store), model, articles_dir), articles_dir)
    return result


def _articles_dir(articles: str | Path | None) -> Path | None:
    if articles is None:
        return None
    folder = Path(articles)
    if not folder.is_dir():
        raise InputError("articles folder not found" if not folder.exists() else "articles is not a folder", folder)
    return folder


def _sibling_articles(path: Path) -> Path | None:
    base = path if path.is_dir() else path.parent
    for candidate in (base / "articles", base.parent / "articles"):
        if candidate.is_dir():
            return candidate
    return None


def _read_path(path: Path, result: Inputs) -> Iterator[_Raw]:
    from summarizer.core.io import read_json

    if not path.exists():
        raise InputError("not found", path)
    if path.is_dir():
        folder = path / "labels" if (path / "labels").is_dir() else path
        files = sorted(folder.glob("*.json"))
        if not files:
            raise InputError("no <id>.json documents in this folder", folder)
        for file in files:
            try:
                yield _Raw(file.stem, read_json(file), str(file))
            except InputError as error:
                result.problems.append(Problem(str(file), error.reason))
    elif path.suffix == ".jsonl":
        yield from _read_jsonl(path, result)
    else:
        try:
            yield _Raw(path.stem, read_json(path), str(path))
        except InputError as error:
            result.problems.append(Problem(str(path), error.reason))


def _read_jsonl(path: Path, result: Inputs) -> Iterator[_Raw]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError("not UTF-8", path) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(Problem(where, f"not JSON: {error.msg}"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            result.problems.append(Problem(where, 'not a run record (an object with an "id")'))
            continue
        if record.get("document") is None:
            status = str(record.get("status") or "no document")
            result.skipped[status] = result.skipped.get(status, 0) + 1
            continue
        cast = record.get("cast", cast_in_raw(record.get("raw")))
        yield _Raw(record["id"], record["document"], where, record.get("date"), cast, record.get("model"))


def _read_store(path: Path, model: str, articles_dir: Path) -> Iterator[_Raw]:
    from summarizer.core.io import read_article
    from summarizer.core.validation import schema_problems
    from summarizer.store import RunStore, text_hash

    if not path.is_file():
        raise InputError("run store not found", path)
    with RunStore(path) as run_store:
        every = run_store.generations()
    models = sorted({g.model for g in every})
    chosen = [g for g in every if g.model == model or Path(g.model).name == model]
    if not chosen:
        listed = (", ".join(models[:8]) + (" ..." if len(models) > 8 else "")) if models else "none"
        raise InputError(f"no runs for model {model!r} in this store (its models: {listed})", path)
    latest: dict[str, Any] = {}
    for generation in chosen:  # oldest first: the latest usable one wins
        document = generation.extraction.document
        # A run of another task (its document is no claims document) is not this ledger's.
        if document is not None and not schema_problems(document):
            latest[generation.article_hash] = generation
    found = 0
    for article in sorted(articles_dir.glob("*.txt")):
        try:
            text = read_article(article)
        except InputError:
            continue  # reported when the article is read again for its date
        found_run = latest.get(text_hash(text))
        if found_run is not None:
            found += 1
            source = f"{path}#{found_run.id}"
            cast = cast_in_raw(found_run.extraction.raw)
            yield _Raw(article.stem, found_run.extraction.document, source, cast=cast, model=model)
    if not found:
        raise InputError(f"none of the runs of model {model!r} is of an article in {articles_dir}", path)


def cast_in_raw(raw: Any) -> list[Any] | None:
    """The ``cast`` of a figure-strategy raw output (JSON text), if it holds one."""
    if not isinstance(raw, str) or '"cast"' not in raw:
        return None
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        return None
    cast = parsed.get("cast") if isinstance(parsed, dict) else None
    return cast if isinstance(cast, list) and cast else None


def _checked(raw: _Raw, articles_dir: Path | None, file_dates: bool) -> Extracted:
    from summarizer.core.io import read_article
    from summarizer.core.validation import schema_problems

    document = raw.document
    cast = raw.cast
    if isinstance(document, dict) and "cast" in document:
        document = {key: value for key, value in document.items() if key != "cast"}
        cast = raw.document["cast"]
    problems = schema_problems(document)
    if problems:
        raise InputError(f"fails the schema: {problems[0].path}: {problems[0].message}", raw.source)
    if cast is not None and not (isinstance(cast, list) and all(isinstance(actor, dict) for actor in cast)):
        raise InputError("cast is not a list of actors (objects)", raw.source)
    text, article_path = None, None
    if articles_dir is not None and (articles_dir / f"{raw.article_id}.txt").is_file():
        article_path = articles_dir / f"{raw.article_id}.txt"
        text = read_article(article_path)
    dated = article_date(
        text, field=raw.date_field, path=article_path, file_dates=file_dates, where=article_path or raw.source
    )
    return Extracted(
        raw.article_id,
        document,
        raw.source,
        dated,
        text,
        str(article_path) if article_path else None,
        cast,
        raw.model,
    )
