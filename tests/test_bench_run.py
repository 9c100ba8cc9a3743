"""The benchmark run: its smoke mode (what CI runs), the command's options, the rules baseline's scaling."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from benchmarks import figures, run
from summarizer.cli import app

REPO = Path(__file__).resolve().parent.parent


def test_smoke_benchmark_writes_every_figure(tmp_path, tiny_model_dir):  # noqa: F811
    out = tmp_path / "bench"
    run.run_benchmark(run.BenchOptions(out_dir=out, smoke=True, model_dir=tiny_model_dir, log=lambda message: None))
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["mode"] == "smoke"
    assert figures.missing_figures(results) == []
    for path in figures.REQUIRED_FIGURES:
        value = figures.figure(results, path)
        if "outlines" in path:  # outlines is skipped in smoke mode: present, but null
            continue
        assert isinstance(value, (int, float)), path
    assert results["figures"]["fast_forward"]["generated_tokens"] > 0
    assert results["figures"]["end_to_end"]["equal_token_counts"]["plain_generate"]
    assert [t["target"] for t in results["targets"]] == [t[0] for t in figures.TARGETS]
    for t in results["targets"]:
        assert t["met"] in (True, False, None)
        assert t["met"] is not False or (t["miss"] and t["why"])  # a miss says by how much and why
    machine = results["machine"]
    assert machine["cores"] and machine["memory_gib"] and machine["versions"]["torch"]
    markdown = (out / "RESULTS.md").read_text(encoding="utf-8")
    for heading in (
        "## Machine and setup",
        "## Targets",
        "## 1. Mask overhead",
        "## 2. Fast-forward",
        "## 3. Prompt prefix reuse",
        "## 4. End to end",
        "## 5. The floor",
        "## 6. Memory",
        "## 7. Rules baseline: time against article length",
    ):
        assert heading in markdown
    scaling = results["figures"]["rules_scaling"]
    assert scaling["bytes"] == list(run.SMOKE_RULES_SCALING_BYTES) and len(scaling["seconds"]) == 2


def test_bench_command_passes_its_options(tmp_path, monkeypatch):
    """The command is a thin layer: its options reach run_benchmark."""
    built = []
    monkeypatch.setattr(run, "run_benchmark", lambda options: built.append(options) or {"targets": []})
    result = CliRunner().invoke(app, ["bench", "--smoke", "--out", str(tmp_path / "b"), "--runs", "2"])
    assert result.exit_code == 0, result.output
    assert built[0].smoke and built[0].runs == 2 and built[0].out_dir == tmp_path / "b"


def test_long_text_is_the_articles_repeated_to_the_size():
    text = run.long_text(["Ceasefire talks \u2019failed\u2019.", "12 killed."], 1000)
    assert 996 <= len(text.encode("utf-8")) <= 1000  # a cut multi-byte character is dropped
    assert text.startswith("Ceasefire talks \u2019failed\u2019.\n\n12 killed.\n\nCeasefire")


def test_rules_scaling_is_added_to_the_recorded_results(tmp_path, monkeypatch):
    """`summarizer bench --rules-scaling` updates the committed results without the full run."""
    shutil.copy(REPO / "benchmarks" / "results.json", tmp_path / "results.json")
    measured = {
        "bytes": [1, 5],
        "seconds": [1.0, 5.5],
        "size_ratio": 5.0,
        "time_ratio": 5.5,
        "growth_over_linear": 1.1,
        "load_average": 0.5,
        "method": "made up for the test",
    }
    monkeypatch.setattr(run, "rules_scaling", lambda: dict(measured))
    result = CliRunner().invoke(app, ["bench", "--rules-scaling", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1.1x linear growth" in result.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["figures"]["rules_scaling"]["growth_over_linear"] == 1.1
    assert results["figures"]["mask_overhead"]  # the other figures are kept
    target = [t for t in results["targets"] if t["figure"] == "rules_scaling.growth_over_linear"]
    assert target and target[0]["met"] is True
    assert "**1.10x linear growth**" in (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
