"""``summarizer validate``: check a task's documents (claims by default) against its schema and,
optionally, their articles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.app import TaskOption, command


def _check(document: Path, article: str | None, articles: Path | None, task) -> bool:
    """Print the verdict on one document; True when it is valid (and grounded)."""
    from summarizer.core.errors import InputError
    from summarizer.core.io import read_article, read_json
    from summarizer.core.validation import validate_document

    try:
        doc = read_json(document)
        if articles is not None:
            article = read_article(articles / f"{document.stem}.txt")
    except InputError as error:
        typer.echo(f"error: {error}", err=True)
        return False
    problems = validate_document(doc, article, task)
    for problem in problems:
        typer.echo(f"{document}: {problem.path}: {problem.message}")
    if not problems:
        typer.echo(f"OK {document}")
    return not problems


@command()
def validate(
    documents: Annotated[
        list[Path], typer.Argument(help="Claims documents (JSON) to check.", metavar="DOC.json", show_default=False)
    ],
    article: Annotated[
        Path | None, typer.Option("--article", help="Also check evidence and numbers against this article.")
    ] = None,
    articles: Annotated[
        Path | None,
        typer.Option("--articles", help="Folder of articles: DOC <id>.json is checked against <id>.txt in it."),
    ] = None,
    task: TaskOption = "claims",
) -> None:
    """Check documents against the task's schema (claims by default) and, given the article, that they
    are grounded in it.

    Prints `OK path` for a good document and `path: $.json.path: reason` for each problem.
    Exit status 0 when every document is fine, 1 otherwise.
    """
    from summarizer.core.errors import InputError
    from summarizer.core.io import read_article
    from summarizer.core.task import load_task

    chosen_task = load_task(task)
    if article is not None and articles is not None:
        # typer vendors its own click: its BadParameter is the usage error that exits with status 2.
        raise typer.BadParameter("give either --article or --articles, not both", param_hint="'--article'")
    if articles is not None and not articles.is_dir():
        reason = "is a file, expected a folder" if articles.exists() else "folder not found"
        raise InputError(f"{reason} (--articles takes a folder of <id>.txt articles)", articles)
    article_text = read_article(article) if article is not None else None  # one article for all
    results = [_check(document, article_text, articles, chosen_task) for document in documents]
    if not all(results):
        raise typer.Exit(1)
