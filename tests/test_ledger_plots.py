"""Per-claimant timelines (summarizer/claimledger/plots.py): PNGs of the expected size, one per claimant."""

from __future__ import annotations

from pathlib import Path

import summarizer
from summarizer.claimledger.plots import timeline_png, timelines

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_one_timeline_per_claimant_with_a_panel_per_scope():
    series = summarizer.ledger(SERIES / "labels").series
    images = timelines(series)
    assert sorted(images) == ["Armenia's Defence Ministry", "Azerbaijan's Defence Ministry", "OHCHR"]
    assert size(images["Azerbaijan's Defence Ministry"]) == (750, 600)  # running totals and daily figures
    assert size(images["OHCHR"]) == (750, 320)  # running totals only
    assert len(images["Azerbaijan's Defence Ministry"]) > 20_000  # lines, labels and flags, not a blank canvas


def test_the_limit_keeps_the_claimants_with_most_points():
    series = summarizer.ledger(SERIES / "labels").series
    assert list(timelines(series, limit=1)) == ["Azerbaijan's Defence Ministry"]


def test_a_single_point_plots():
    point = {"group_label": "killed · X civilians · running total", "scope": "running_total", "date": "2031-01-01"}
    assert size(timeline_png("Someone", [{**point, "value": 5, "flag": None}])) == (750, 320)
