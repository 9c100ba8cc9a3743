"""``summarizer schema``: print a task's JSON Schema (the claims schema by default)."""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.cli.app import TaskOption, command


@command()
def schema(
    task: TaskOption = "claims",
    annotated: Annotated[
        bool, typer.Option("--annotated", help="Keep the x-grounded keywords (what must come from the article).")
    ] = False,
) -> None:
    """Print the task's JSON Schema, to hand to other tools (without the x-grounded grounding keywords)."""
    from summarizer.core.task import load_task

    chosen = load_task(task)
    typer.echo(chosen.schema_text if annotated else chosen.public_schema_text(), nl=False)
