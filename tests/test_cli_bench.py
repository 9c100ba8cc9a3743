"""``summarizer bench`` finds the benchmarks of a checkout (top-level benchmarks/, outside the wheel), or says
in one line where they are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.cli.bench import NOT_IN_CHECKOUT, require_benchmarks

REPO = Path(__file__).resolve().parent.parent


def _without_the_checkout(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI with the checkout's folder taken off the import path after the CLI is imported: what an
    installed wheel sees (the library importable, no benchmarks package anywhere)."""
    code = (
        "import sys; from summarizer.cli import main; "
        f"sys.path[:] = [p for p in sys.path if p not in ('', {str(REPO)!r})]; sys.path_importer_cache.clear(); "
        f"sys.argv = ['summarizer', *{list(args)!r}]; main()"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["bench", "--smoke"], ["bench-serving", "--base-url", "http://x/v1", "-m", "m"]])
def test_without_a_checkout_the_command_says_where_the_benchmarks_are(tmp_path, command):
    result = _without_the_checkout(tmp_path, *command)
    assert result.returncode == 2
    assert result.stderr == f"error: {NOT_IN_CHECKOUT}\n"
    assert result.stdout == ""


def test_from_the_checkouts_root_the_benchmarks_are_found(monkeypatch):
    # As a plain (non-editable) install sees it: no benchmarks on the path, the current folder a checkout.
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(REPO)
    require_benchmarks()
    assert sys.path[0] == str(REPO)


def test_help_names_the_benchmarks_folder_as_the_default_output():
    from typer.testing import CliRunner

    from summarizer.cli import app

    result = CliRunner().invoke(app, ["bench", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "[default: benchmarks]" in result.output
