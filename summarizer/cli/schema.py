"""``summarizer schema``: print the claims JSON Schema."""

from __future__ import annotations

from summarizer.cli.app import command


@command()
def schema() -> None:
    """Print the claims JSON Schema (to hand to other tools)."""
    import typer

    from summarizer.resources import schema_text

    typer.echo(schema_text(), nl=False)
