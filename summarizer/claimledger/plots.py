"""Per-claimant timelines as PNG, in the style of the leaderboard's PNG (matplotlib's object API
on an Agg canvas: no pyplot, no display).

One image per claimant: a panel for its running totals and one for its daily figures, a line per
group, flagged points ringed in red and named (``decrease``, ``outlier``). A log scale when one
panel's figures span more than a factor of 50.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

PANELS = (("running_total", "running totals"), ("daily", "daily figures"))
COLOURS = ("#1f6fb2", "#c96a00", "#2d7a1f", "#7a1f6f", "#555555", "#b00020", "#1f7a7a", "#8a6d00")
MAX_LINES = 8  # groups per panel; the rest are left out of the picture (the tables list them all)


def timeline_png(claimant: str, points: Sequence[Mapping[str, Any]]) -> bytes:
    """The PNG of one claimant's series rows (``group_label``, ``scope``, ``date``, ``value``, ``flag``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [(scope, title) for scope, title in PANELS if any(p["scope"] == scope for p in points)]
    figure = Figure(figsize=(7.5, 2.8 * max(1, len(panels)) + 0.4), dpi=100)
    FigureCanvasAgg(figure)
    for number, (scope, title) in enumerate(panels, 1):
        axes = figure.add_subplot(len(panels), 1, number)
        lines: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for point in points:
            if point["scope"] == scope:
                lines[point["group_label"]].append(point)
        values = []
        for index, (label, rows) in enumerate(sorted(lines.items())[:MAX_LINES]):
            rows = sorted(rows, key=lambda r: r["date"])
            xs: list[Any] = [date.fromisoformat(r["date"]) for r in rows]
            ys = [float(r["value"]) for r in rows]
            values += ys
            colour = COLOURS[index % len(COLOURS)]
            axes.plot(xs, ys, marker="o", color=colour, label=_short(label), linewidth=1.6, markersize=4)
            for row, x, y in zip(rows, xs, ys, strict=True):
                if row.get("flag"):
                    axes.scatter([x], [y], s=140, facecolors="none", edgecolors="#b00020", linewidths=2, zorder=3)
                    axes.annotate(row["flag"], (x, y), textcoords="offset points", xytext=(6, 6), color="#b00020")
        positive = [v for v in values if v > 0]
        if positive and max(positive) / min(positive) > 50:
            axes.set_yscale("log")
        axes.set_title(f"{claimant}: {title}", fontsize=10)
        axes.set_ylabel("figure")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left", fontsize=7)
        for tick in axes.get_xticklabels():
            tick.set_rotation(20)
            tick.set_fontsize(8)
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png")
    return image.getvalue()


def timelines(series: Sequence[Mapping[str, Any]], limit: int = 12) -> dict[str, bytes]:
    """claimant name -> PNG, for the ``limit`` claimants with the most points (ties: by name)."""
    by_claimant: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in series:
        by_claimant[row["claimant_name"]].append(row)
    chosen = sorted(by_claimant, key=lambda name: (-len(by_claimant[name]), name))[:limit]
    return {name: timeline_png(name, by_claimant[name]) for name in sorted(chosen)}


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
