"""The one progress bar of the CLI: rich, on stderr, a line per task (the articles of a run, or
one model's articles in `eval`/`compare`), with tokens/s or how many came from the run store.
Messages print above it; ``--quiet`` hides the bar (messages still print)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RATE = "{task.fields[rate]}"  # generated tokens per second so far
CACHED = "{task.fields[cached]} cached"  # articles served from the run store


class ProgressBar:
    def __init__(self, quiet: bool, detail: str = RATE):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True, highlight=False)
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(detail),
            TimeElapsedColumn(),
            console=self.console,
            disable=quiet,
            transient=False,
        )
        self._tasks: dict[str, Any] = {}
        self._tokens: dict[str, int] = {}
        self._seconds: dict[str, float] = {}

    def __enter__(self) -> ProgressBar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bar.__exit__(*exc)

    def message(self, text: str) -> None:
        self.console.print(text, markup=False, soft_wrap=True)

    def task(self, name: str, total: int) -> None:
        """A line for ``name`` (once; later calls keep the first)."""
        if name not in self._tasks:
            self._tasks[name] = self.bar.add_task(name, total=total, rate="", cached=0)
            self._tokens[name], self._seconds[name] = 0, 0.0

    def advance(self, name: str, stats: Mapping[str, Any] | None = None, *, from_cache: bool = False) -> None:
        """One more article of ``name`` done; its ``stats`` move the rate."""
        from summarizer.core.stats import Stats

        record = Stats.of(stats)
        self._tokens[name] += int(record.generated_tokens or 0)
        self._seconds[name] += float(record.seconds or 0.0)
        tokens, seconds = self._tokens[name], self._seconds[name]
        rate = f"{tokens / seconds:.1f} tok/s" if seconds > 0 and tokens else ""
        task = self._tasks[name]
        cached = self.bar.tasks[task].fields["cached"] + (1 if from_cache else 0)
        self.bar.update(task, advance=1, rate=rate, cached=cached)
