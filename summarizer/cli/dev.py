"""``summarizer dev ...``: developer tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.app import command, dev_app


@command(typer_app=dev_app, name="tiny-model")
def tiny_model_command(
    out_dir: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write the model into (created if missing).")
    ],
    vocab_size: Annotated[
        int, typer.Option("--vocab-size", min=512, help="Model vocabulary, padded past the tokenizer's.")
    ] = 1024,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random weights.")] = 0,
) -> None:
    """Build a tiny random-weight chat model offline, in seconds.

    Its output is noise, but the grammar still makes every document valid and
    grounded: use it to run the whole pipeline without a download, e.g.
    `summarizer summarize seeds/articles/ --model DIR --out out/`.
    """
    from summarizer.testing.tiny_model import build_tiny_model

    typer.echo(str(build_tiny_model(out_dir, vocab_size=vocab_size, seed=seed)))
