"""The grouping rule: which claims are about the same losses, where claimants disagree, and how
a claimant's figure moved. Pure functions over claim rows (dicts), tested against the cases in
``tests/data/ledger/``.

**A group** is the claims that count the same thing:

* the same ``outcome`` (killed, injured, ... as the contract defines them), the same victim side
  (canonical, :mod:`.canonical`) and the same ``victim_group``;
* for ``equipment_destroyed``, the same kind of equipment (canonical: "UAVs" = "drones");
* the same **scope** (:func:`~summarizer.claimledger.canonical.scope_of`): a running total, a
  daily figure, or an event;
* the same place: the location's key, where none and the victim side's whole country are the
  same place (the whole war);
* an overlapping period: running totals of one thing are one group whatever day they are
  reported (that is what a series is); so are daily figures (one per day). An **event** figure
  belongs with the event figures of the same place standing within :attr:`Settings.event_window_days`
  of the group's first (see Dates below); with no place, those of the same period words instead.

**What a group is not.** A running total is not the same thing as a daily figure (2,400 "in the
past 24 hours" is not a total since the war began), so they are never grouped; nor is a
breakdown ("of them 23 children") the same thing as its total (another victim group), nor a
regional figure the same as a national one (another place), nor killed the same as
"killed or injured" (another outcome).

**A claim no group can take** (:func:`base_key` returns a reason instead): one with no victim
side (whose losses?), an equipment figure without its kind, an event figure with neither place
nor period (nothing says which event). The ledger counts these, by reason.

**Dates.** An event figure stands on the full date its period names ("on Oct. 14, 2017": an
earlier attack recalled), any other figure (and an event whose period names none) on its article's
date. An article dated by its file's time says nothing
about when its figures stand, so they are compared only with the figures of the same article
(its events form groups of their own, its totals are compared within it).

**Conflicts.** Within a group, the figures that stand side by side are compared: the same day
for daily figures, reports within :attr:`Settings.total_window_days` of the first for running
totals (anchored windows, so a growing total is not compared with last month's), the whole group
for an event. Each claimant's latest figure in that window is its figure. Two claimants
disagree when their figures, read as intervals (:func:`interval`: "at least 100" is 100 and
up, "about 100" is 100 within the tolerance, a range is its ends), are apart by more than the
relative tolerance (default 10%).

**Series flags.** A claimant's running total that goes down (``decrease``: a correction or a
retraction): below the highest figure it gave on the latest earlier day. Figures of one day are
not a step (a total and its part, "12 million fled, including nearly 4 million abroad", share a
day), and a figure dated by its file's time is never compared (a file's time says when it was
written, not when the claim was made); a daily figure more than :attr:`Settings.outlier_factor` times above or below the
median of the claimant's other daily figures in the group, with at least two others
(``outlier``).
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

Row = Mapping[str, Any]
FILE_TIME = "file_time"  # the date source that orders nothing (see the series flags)

UNPLACED_REASONS = {
    "no_victim_side": "no victim side: whose losses the figure counts is not said",
    "no_equipment_kind": "an equipment figure without the kind of equipment",
    "event_without_place_or_period": "an event figure with neither place nor period: nothing says which event",
}


@dataclass(frozen=True)
class Settings:
    """The rule's thresholds; the ledger keeps the ones it was built with."""

    tolerance: float = 0.1  # relative: 100 and 109 agree, 100 and 111 do not
    event_window_days: int = 2  # event reports this close to the group's first are the same event
    total_window_days: int = 1  # running totals reported this close are compared
    outlier_factor: float = 5.0  # a daily figure this many times off the median of the others
    outlier_min_others: int = 2  # how many other daily figures a median needs

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def base_key(row: Row) -> tuple[str | None, str | None]:
    """(the group key without the dates, None) or (None, the reason no group can take the claim).

    ``row`` holds the claim's ``outcome``, ``victim_group`` and the canonical keys of
    :func:`summarizer.claimledger.canonical.claim_keys`.
    """
    if not row.get("victim_side_key"):
        return None, "no_victim_side"
    equipment = ""
    if row["outcome"] == "equipment_destroyed":
        if not row.get("equipment_key"):
            return None, "no_equipment_kind"
        equipment = row["equipment_key"]
    scope, place = row["scope"], row.get("place_key") or ""
    parts = [row["outcome"], row["victim_side_key"], row["victim_group"], equipment, scope, place]
    if scope == "event" and not place:
        if not row.get("period_key"):
            return None, "event_without_place_or_period"
        parts.append("period=" + row["period_key"])
    return "|".join(parts), None


def group_id(key: str, start: str | None = None) -> str:
    """A short stable id: the key's hash (and the event window's first day)."""
    text = key if start is None else f"{key}@{start}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def windows(dates: Iterable[str], days: int) -> dict[str, str]:
    """Each ISO date -> the first date of its window: windows open at the earliest date not yet
    covered and hold the dates up to ``days`` after it (anchored, not chained)."""
    mapping: dict[str, str] = {}
    start: date | None = None
    for iso in sorted(set(dates)):
        day = date.fromisoformat(iso)
        if start is None or (day - start).days > days:
            start = day
        mapping[iso] = start.isoformat()
    return mapping


def split_groups(key: str, rows: Sequence[Row], settings: Settings) -> dict[str, list[Row]]:
    """The groups of one base key: group id -> its rows (events split by date window)."""
    if not rows:
        return {}
    if rows[0]["scope"] != "event":
        return {group_id(key): list(rows)}
    dated = [row for row in rows if when(row) is not None]
    starts = windows((str(when(row)) for row in dated), settings.event_window_days)
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        day = when(row)
        groups[group_id(key, starts[day] if day is not None else f"file:{row['article_id']}")].append(row)
    return dict(groups)


def when(row: Row) -> str | None:
    """The day a figure stands on, for comparing it with others: for an event, the full date its
    period names ("on Oct. 14, 2017"), else its article's date (a running total "since February 24,
    2022" stands on the day it is reported); None for an article dated by its file's time (such a
    figure is compared only with the figures of its own article)."""
    if row.get("scope") == "event" and row.get("period_date"):
        return str(row["period_date"])
    if row.get("date_source") == FILE_TIME:
        return None
    return str(row["date"])


def interval(value: float, qualifier: str, upper: float | None, tolerance: float) -> tuple[float, float]:
    """The values a figure allows: ``exact`` is itself; ``approximately`` within the tolerance;
    ``at_least``/``more_than`` it and up; ``nearly`` up to it (from the tolerance below);
    ``up_to`` zero to it; ``range`` its two ends."""
    if qualifier == "approximately":
        return value * (1 - tolerance), value * (1 + tolerance)
    if qualifier in ("at_least", "more_than"):
        return value, math.inf
    if qualifier == "nearly":
        return value * (1 - tolerance), value
    if qualifier == "up_to":
        return 0.0, value
    if qualifier == "range" and upper is not None:
        return value, max(value, upper)
    return value, value


def disagree(a: Row, b: Row, tolerance: float) -> bool:
    """Whether two figures are apart by more than the relative tolerance (see :func:`interval`)."""
    low_a, high_a = interval(a["value"], a["qualifier"], a.get("upper"), tolerance)
    low_b, high_b = interval(b["value"], b["qualifier"], b.get("upper"), tolerance)
    return low_a > high_b * (1 + tolerance) or low_b > high_a * (1 + tolerance)


def _latest_per_claimant(rows: Iterable[Row]) -> list[Row]:
    latest: dict[str, Row] = {}
    for row in sorted(rows, key=lambda r: (r["date"], r["id"])):
        latest[row["claimant"]] = row
    return sorted(latest.values(), key=lambda r: (r["value"], r["claimant"]))


def conflicts(rows: Sequence[Row], scope: str, settings: Settings) -> list[dict[str, Any]]:
    """The conflicts of one group: ``{"date", "figures": [rows, low to high], "low", "high", "spread"}``.

    ``rows`` carry ``id``, ``date``, ``claimant`` (the merged canonical key), ``value``,
    ``qualifier``, ``upper``. One conflict per compared window where two claimants disagree.
    """
    if scope == "event":
        buckets = {"": list(rows)}
    else:
        days = 0 if scope == "daily" else settings.total_window_days
        starts = windows((str(when(row)) for row in rows if when(row) is not None), days)
        buckets = defaultdict(list)
        for row in rows:
            day = when(row)
            buckets[starts[day] if day is not None else f"file:{row['article_id']}"].append(row)
    found = []
    for bucket in buckets.values():
        figures = _latest_per_claimant(bucket)
        if len(figures) < 2:
            continue
        if any(disagree(a, b, settings.tolerance) for i, a in enumerate(figures) for b in figures[i + 1 :]):
            low, high = figures[0]["value"], figures[-1]["value"]
            found.append(
                {
                    "date": max(row["date"] for row in figures),
                    "figures": figures,
                    "low": low,
                    "high": high,
                    "spread": (high / low) if low > 0 else None,
                }
            )
    return sorted(found, key=lambda c: c["date"])


def series(rows: Sequence[Row], scope: str, settings: Settings) -> list[dict[str, Any]]:
    """Each claimant's figures over time in one group, flagged: ``{"claimant", "date", "value",
    "claim_id", "flag", "note"}``, by claimant then date. Events have no series."""
    if scope == "event":
        return []
    by_claimant: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_claimant[row["claimant"]].append(row)
    points = []
    for claimant in sorted(by_claimant):
        ordered = sorted(by_claimant[claimant], key=lambda r: (r["date"], r["id"]))
        values = [row["value"] for row in ordered]
        for index, row in enumerate(ordered):
            if scope == "running_total":
                flag, note = _decrease(ordered, index)
            else:
                flag, note = _outlier(values, index, settings)
            points.append(
                {
                    "claimant": claimant,
                    "date": row["date"],
                    "value": row["value"],
                    "claim_id": row["id"],
                    "flag": flag,
                    "note": note,
                }
            )
    return points


def _decrease(ordered: Sequence[Row], index: int) -> tuple[str | None, str | None]:
    """A running total below the highest figure of the latest earlier day (both dated by documents)."""
    row = ordered[index]
    earlier = [r for r in ordered[:index] if r["date"] < row["date"]]
    if not earlier or FILE_TIME in (row.get("date_source"), earlier[-1].get("date_source")):
        return None, None
    before = max(r["value"] for r in earlier if r["date"] == earlier[-1]["date"])
    if row["value"] < before:
        return "decrease", f"running total went down from {_num(before)} to {_num(row['value'])}"
    return None, None


def _outlier(values: list[float], index: int, settings: Settings) -> tuple[str | None, str | None]:
    value = values[index]
    others = values[:index] + values[index + 1 :]
    if len(others) < settings.outlier_min_others:
        return None, None
    median = statistics.median(others)
    factor = settings.outlier_factor
    if median > 0 and (value > factor * median or value * factor < median):
        return "outlier", f"{_num(value)} against a median of {_num(median)} for the other days"
    return None, None


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
