"""The articles a user names: files, folders of ``*.txt`` and ``-`` for standard input.

An article that cannot be read carries its one-line error instead of text, so a run
over many articles reports it and goes on with the others.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from summarizer.core.errors import InputError
from summarizer.core.io import article_id, article_text, list_article_paths, read_article

STDIN = "-"


@dataclass
class Article:
    id: str
    source: str  # path or "-"
    text: str | None = None
    error: str | None = None  # why the article cannot be read


def _read_stdin() -> Article:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
    try:
        return Article("stdin", STDIN, text=article_text(data, "<stdin>"))
    except InputError as error:
        return Article("stdin", STDIN, error=str(error))


def _read_path(path: Path) -> Article:
    try:
        return Article(article_id(path), str(path), text=read_article(path))
    except InputError as error:
        return Article(article_id(path), str(path), error=str(error))


def collect_articles(paths: list[str]) -> list[Article]:
    """Every article named on the command line, unreadable ones carrying their error."""
    articles: list[Article] = []
    for given in paths:
        if given == STDIN:
            articles.append(_read_stdin())
            continue
        try:
            articles.extend(_read_path(p) for p in list_article_paths([given]))
        except InputError as error:
            articles.append(Article(Path(given).stem, given, error=str(error)))
    return _drop_repeats(articles)


def _drop_repeats(articles: list[Article]) -> list[Article]:
    """A file named twice runs once; two files with one name would overwrite each other's <id>.json."""
    kept: list[Article] = []
    sources: set[str] = set()
    ids: set[str] = set()
    for article in articles:
        # realpath, not Path.resolve: a symlink loop is left to its own error line, never raised here
        source = article.source if article.source == STDIN else os.path.realpath(article.source)
        if source in sources:
            continue
        if article.id in ids and article.error is None:
            article.error = f"{article.source}: another article has the id {article.id!r} (file name)"
        sources.add(source)
        ids.add(article.id)
        kept.append(article)
    return kept
