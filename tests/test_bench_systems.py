"""The systems under test: the full benchmark needs outlines, and says so in one line."""

from __future__ import annotations

from typer.testing import CliRunner

from benchmarks import systems
from summarizer.cli import app


def test_full_benchmark_refuses_without_outlines(tmp_path, monkeypatch):
    monkeypatch.setattr(systems, "outlines_version", lambda: None)
    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path / "bench"), "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 1
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "pip install -e '.[bench]'" in message
    assert not (tmp_path / "c").exists() and not (tmp_path / "bench").exists()  # nothing built, nothing downloaded


def test_outlines_default_backend_is_skipped_without_a_time_limit(tmp_path):
    compiled = systems.outlines_core_compile(tmp_path, {"type": "object"}, timeout=0)
    assert compiled["status"] == "skipped"
