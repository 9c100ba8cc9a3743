"""The grouping rule (summarizer/claimledger/grouping.py) against tests/data/ledger/grouping.json."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import pytest

from summarizer.claimledger.canonical import claim_keys, merge_key, same_claimant_key, same_party_key
from summarizer.claimledger.grouping import (
    Settings,
    base_key,
    conflicts,
    disagree,
    interval,
    series,
    split_groups,
    windows,
)

CASES = json.loads((Path(__file__).parent / "data" / "ledger" / "grouping.json").read_text(encoding="utf-8"))["cases"]
DEFAULT = {
    "claimant": "Ministry A",
    "outcome": "killed",
    "victim_side": "Armenia",
    "victim_group": "military",
    "equipment": None,
    "qualifier": "exact",
    "upper": None,
    "period": None,
    "location": None,
    "evidence": "",
    "date_source": "front_matter",
}


def rows_of(claims: list[dict]) -> list[dict]:
    """Claim rows as the ledger makes them (keys merged across the set, first come first named)."""
    claimants: dict[str, str] = {}
    sides: dict[str, str] = {}
    rows = []
    for index, given in enumerate(claims):
        claim = {**DEFAULT, **given}
        keys = claim_keys(claim)
        if keys["victim_side_key"]:
            keys["victim_side_key"] = merge_key(keys["victim_side_key"], sides, same_party_key)[0]
        row = {**claim, **keys, "id": index, "article_id": claim.get("article", f"a{index}")}
        row["claimant"] = merge_key(keys["claimant_key"], claimants, same_claimant_key)[0]
        row["value"] = float(claim["value"])
        rows.append(row)
    return rows


def run_rule(claims: list[dict], settings: Settings) -> tuple[list, dict, list, list]:
    rows = rows_of(claims)
    by_key: dict[str, list[dict]] = defaultdict(list)
    unplaced = {}
    for row in rows:
        key, reason = base_key(row)
        if key is None:
            unplaced[str(row["id"])] = reason
        else:
            by_key[key].append(row)
    groups, found_conflicts, flags = [], [], []
    for key, members in by_key.items():
        for group in split_groups(key, members, settings).values():
            scope = group[0]["scope"]
            groups.append(sorted(row["id"] for row in group))
            found_conflicts += [
                {"date": c["date"], "claims": [f["id"] for f in c["figures"]]}
                for c in conflicts(group, scope, settings)
            ]
            flags += [[p["claim_id"], p["flag"]] for p in series(group, scope, settings) if p["flag"]]
    return sorted(groups), unplaced, found_conflicts, sorted(flags)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_grouping_case(case):
    groups, unplaced, found_conflicts, flags = run_rule(case["claims"], Settings())
    assert groups == sorted(case["groups"])
    assert unplaced == case.get("unplaced", {})
    assert found_conflicts == case.get("conflicts", [])
    if "flags" in case:
        assert flags == sorted(case["flags"])


def test_intervals_of_qualifiers():
    assert interval(100, "exact", None, 0.1) == (100, 100)
    assert interval(100, "approximately", None, 0.1) == pytest.approx((90, 110))
    assert interval(100, "at_least", None, 0.1) == (100, math.inf)
    assert interval(100, "nearly", None, 0.1) == pytest.approx((90, 100))
    assert interval(100, "up_to", None, 0.1) == (0, 100)
    assert interval(200, "range", 300, 0.1) == (200, 300)


def test_disagreement_is_beyond_the_relative_tolerance():
    def fig(value, qualifier="exact"):
        return {"value": value, "qualifier": qualifier, "upper": None}

    assert not disagree(fig(100), fig(110), 0.1)
    assert disagree(fig(100), fig(111), 0.1)
    assert not disagree(fig(100), fig(111), 0.2)
    assert disagree(fig(4), fig(23), 0.1)
    assert not disagree(fig(1000, "at_least"), fig(5000), 0.1)
    assert disagree(fig(1000, "up_to"), fig(5000), 0.1)


def test_windows_are_anchored_not_chained():
    dates = ["2031-03-01", "2031-03-02", "2031-03-03", "2031-03-04"]
    assert windows(dates, 1) == {
        "2031-03-01": "2031-03-01",
        "2031-03-02": "2031-03-01",
        "2031-03-03": "2031-03-03",
        "2031-03-04": "2031-03-03",
    }


def test_a_wider_tolerance_drops_a_conflict():
    claims = [
        {"date": "2031-03-05", "value": 100, "period": "since March 2", "claimant": "OHCHR"},
        {"date": "2031-03-05", "value": 115, "period": "since March 2", "claimant": "UNICEF"},
    ]
    assert len(run_rule(claims, Settings())[2]) == 1
    assert run_rule(claims, Settings(tolerance=0.2))[2] == []
