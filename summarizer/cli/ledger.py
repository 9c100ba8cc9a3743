"""``summarizer ledger INPUT...``: many articles' claims in one ledger (groups, conflicts, series)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.app import JsonOutOption, StoreOption, command

HELP = """Build (or update) the claims ledger of many articles: who claimed what, which claims are
about the same losses, where claimants disagree, and how each figure moved over time.

INPUT: folders of <id>.json documents (summarize --out, or a dataset's labels), .json documents,
or .jsonl run records (summarize --jsonl; a record's "date" field dates it). Or, instead, the run
store: --store FILE --model NAME --articles DIR (the latest claims run of each article).

Each article needs a date: a "date" field, else a "Date:" front-matter line, a dateline or a date
in the text, else the file's time (said as such; --no-file-dates refuses it). Articles come from
--articles DIR, else the articles/ folder beside the documents.

The ledger is one SQLite file (--out), updated incrementally: documents already in it are not
read again, and only the groups new claims touch are recomputed (--rebuild starts afresh). The
page (--page, default beside the ledger) shows the conflicts, timelines and quotes; --open opens
it. --csv DIR / --parquet DIR export the tables. Inputs that cannot be read are one line each on
stderr (exit status 1); the others still go in.
"""


@command(name="ledger", help=HELP)
def ledger_command(
    inputs: Annotated[
        list[Path] | None, typer.Argument(metavar="INPUT", help="Document folders, .json or .jsonl files.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The ledger database (made or updated).")] = Path(
        "ledger.sqlite3"
    ),
    articles: Annotated[Path | None, typer.Option("--articles", help="Folder of the articles, <id>.txt.")] = None,
    store: StoreOption = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="With --store: whose runs to read.")] = None,
    page: Annotated[Path | None, typer.Option("--page", help="The HTML page (default: <out>.html).")] = None,
    no_page: Annotated[bool, typer.Option("--no-page", help="Write no page.")] = False,
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in a browser when done.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Export the tables as CSV files into this folder.")] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Export the tables as Parquet (needs pyarrow) into this folder.")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start the ledger afresh.")] = False,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", min=0.0, max=10.0, help="Relative gap beyond which figures disagree (0.1)."),
    ] = None,
    file_dates: Annotated[
        bool, typer.Option("--file-dates/--no-file-dates", help="Date an undated article by its file's time.")
    ] = True,
    expected: Annotated[
        Path | None,
        typer.Option("--expected", help="A dataset's expected.json: score the grouping against it (and labels/)."),
    ] = None,
    json_out: JsonOutOption = None,
) -> None:
    from summarizer.claimledger.api import build_ledger
    from summarizer.claimledger.grouping import Settings

    settings = Settings(tolerance=tolerance) if tolerance is not None else None
    page_path = None if no_page else (page or out.with_suffix(".html"))
    result = build_ledger(
        inputs or [],
        out=out,
        articles=articles,
        store=store,
        model=model,
        rebuild=rebuild,
        settings=settings,
        file_dates=file_dates,
        page=page_path,
        csv=csv,
        parquet=parquet,
        expected=expected,
    )
    from summarizer.claimledger.report import report_lines, write_report

    for line in report_lines(result):
        typer.echo(line)
    for problem in result.problems:
        typer.echo(f"error: {problem}", err=True)
    if json_out is not None:
        write_report(result, json_out)
        typer.echo(f"wrote {json_out}")
    if open_page and result.page:
        import webbrowser

        webbrowser.open(Path(result.page).resolve().as_uri())
    if result.problems:
        typer.echo(f"{len(result.problems)} input(s) could not be read and were left out", err=True)
        raise typer.Exit(1)
