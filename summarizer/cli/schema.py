"""``summarizer schema``: print a task's JSON Schema (the claims schema by default)."""

from __future__ import annotations

from summarizer.cli.app import TaskOption, command


@command()
def schema(task: TaskOption = "claims") -> None:
    """Print the task's JSON Schema (to hand to other tools); x-grounded marks grounded properties."""
    import typer

    from summarizer.core.task import load_task

    typer.echo(load_task(task).schema_text, nl=False)
