"""The benchmark's figures and targets, on the committed full-run results (benchmarks/results.json)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import figures

REPO = Path(__file__).resolve().parent.parent


def _results() -> dict:
    return json.loads((REPO / "benchmarks" / "results.json").read_text(encoding="utf-8"))


def test_the_recorded_results_hold_every_required_figure():
    results = _results()
    assert figures.missing_figures(results) == []
    del results["figures"]["floor"]["floor_ms_per_step"]
    assert figures.missing_figures(results) == ["floor.floor_ms_per_step"]


def test_a_missed_target_says_by_how_much_and_why():
    results = _results()
    results["figures"]["mask_overhead"]["overhead_pct"] = 4.5
    targets = {t["figure"]: t for t in figures.evaluate_targets(results)}
    assert [t["target"] for t in targets.values()] == [t[0] for t in figures.TARGETS]
    missed = targets["mask_overhead.overhead_pct"]
    assert missed["met"] is False and missed["miss"].startswith("1.50 percentage points over")
    assert "ms of grammar work" in missed["why"]
    floor = targets["floor.project_over_floor"]
    assert floor["met"] is (floor["measured"] <= 1.5) and floor["miss"] is None


def test_a_figure_not_measured_is_neither_met_nor_missed():
    results = _results()
    results["figures"]["end_to_end"]["ratios"]["project_over_outlines"] = None
    target = next(t for t in figures.evaluate_targets(results) if t["figure"].endswith("project_over_outlines"))
    assert target["met"] is None and target["why"] == "not measured in this run"


def test_rounding_turns_a_missing_measurement_into_null():
    assert figures.rounded(float("nan")) is None and figures.rounded(None) is None
    assert figures.rounded(0.123456) == 0.1235 and figures.median([]) != figures.median([])  # NaN
