"""The installed `summarizer` command finds its schema, prompts and seed dataset from any folder.

In CI the project is installed with `pip install .` (not editable), so these run the
wheel's copy of the data files; in a development checkout they run the source tree's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("summarizer")
pytestmark = pytest.mark.skipif(
    not SCRIPT.exists(), reason="the summarizer command is not installed in this environment"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_schema_command_prints_the_bundled_schema(tmp_path):
    result = run("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Claims document v1"


def test_eval_defaults_to_the_bundled_seeds_from_any_folder(tmp_path):
    result = run("eval", "--model", "rules", "--quiet", "--out", "report", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["n_articles"] == 5 and report["n_gold_claims"] == 46


def test_help_is_quick_and_lists_every_command(tmp_path):
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for name in ("summarize", "validate", "score", "schema", "eval", "compare", "bench", "dev"):
        assert name in result.stdout


def test_bad_input_is_one_line_without_traceback(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    result = run("validate", "broken.json", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "broken.json" in lines[0]


def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path):
    names = [b"caf\xe9.json", b"na\xefve.json"]
    for name, content in zip(names, ['{"summary": "x", "claims": []}', "{not json"], strict=True):
        with open(bytes(tmp_path) + b"/" + name, "w", encoding="utf-8") as handle:
            handle.write(content)
    args = [name.decode("utf-8", "surrogateescape") for name in names]
    result = subprocess.run([str(SCRIPT), "validate", *args], cwd=tmp_path, capture_output=True, timeout=120)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stdout == b"OK caf\\udce9.json\n"
    assert result.stderr.startswith(b"error: na\\udcefve.json: invalid JSON") and result.stderr.count(b"\n") == 1


def test_the_readme_names_the_python_version_pyproject_requires():
    """Issue 22, found on the way: the README said 3.10+ while pyproject.toml requires 3.11."""
    import re
    import tomllib

    root = Path(__file__).resolve().parent.parent
    required = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"Python (3\.\d+)\+", readme) == [required.removeprefix(">=")]
