"""A claim's canonical keys (summarizer/claimledger/canonical.py): scopes from tests/data/ledger/scopes.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.claimledger.canonical import (
    cast_name,
    claim_keys,
    merge_key,
    period_key,
    place_key,
    same_claimant_key,
    same_party_key,
    scope_of,
)

CASES = json.loads((Path(__file__).parent / "data" / "ledger" / "scopes.json").read_text(encoding="utf-8"))["cases"]

CLAIM = {
    "claimant": "Russia's Ministry of Defence",
    "claimant_type": "state",
    "claimant_side": "Russia",
    "outcome": "killed",
    "victim_side": "Ukrainian forces",
    "victim_group": "military",
    "equipment": None,
    "count": {"value": 1400, "qualifier": "approximately", "upper": None},
    "period": "24-hour period",
    "location": "Ukraine",
    "perpetrator_side": "Russia",
    "verification": "disputed",
    "evidence": "Russia said its forces killed about 1,400 Ukrainian soldiers in a 24-hour period.",
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['period']}|{c['evidence'][:30]}" for c in CASES])
def test_scope(case):
    assert scope_of(case["period"], case["evidence"]) == case["scope"]


def test_claim_keys_fold_names_as_the_scorer_does():
    keys = claim_keys(CLAIM)
    assert keys == {
        "claimant_key": "russia mod",
        "claimant_source": "normalize",
        "claimant_cast": None,
        "claimant_side_key": "russia",
        "victim_side_key": "ukraine",
        "equipment_key": None,
        "place_key": "",  # "Ukraine" for Ukrainian victims is the whole country
        "period_key": "24 hour period",
        "period_date": None,
        "scope": "daily",
    }
    assert claim_keys({**CLAIM, "claimant": "Russian Defence Ministry"})["claimant_key"] == "russia mod"
    assert claim_keys({**CLAIM, "claimant": None})["claimant_key"] == "unattributed"


def test_a_cast_names_the_claimant_when_one_of_its_actors_fits():
    cast = [
        {"canonical": "Ministry of Defence of the Russian Federation", "aliases": ["Russian MoD", "Moscow"]},
        {"name": "OHCHR", "mentions": ["UN rights office"]},
    ]
    keys = claim_keys(CLAIM, cast)
    assert (keys["claimant_cast"], keys["claimant_source"]) == ("Ministry of Defence of the Russian Federation", "cast")
    assert cast_name("UN Human Rights Office", cast) == "OHCHR"
    assert cast_name("Ukrainian General Staff", cast) is None
    assert cast_name("OHCHR", None) is None


def test_place_and_period_keys():
    assert place_key(None, "Armenia") == ""
    assert place_key("Armenia", "Armenian") == ""
    assert place_key("Kapan", "Armenia") == "kapan"
    assert place_key("the Kharkiv region", "Ukraine") == "kharkiv region"
    assert period_key("on Saturday") == period_key("Saturday") == "saturday"
    assert period_key(None) == ""


def test_party_and_claimant_variants():
    assert same_party_key("valdoria", "valdorian")
    assert same_party_key("azerbaijan", "azerbaijani")
    assert not same_party_key("armenia", "azerbaijan")
    assert not same_party_key("us", "usa")  # too short to guess
    assert same_claimant_key("azerbaijan mod", "azerbaijani mod")
    assert not same_claimant_key("azerbaijan mod", "armenia mod")
    assert not same_claimant_key("unattributed", "unattributed mod")


def test_merge_key_names_first_and_never_renames():
    known: dict[str, str] = {}
    assert merge_key("azerbaijan mod", known, same_claimant_key) == ("azerbaijan mod", True)
    assert merge_key("azerbaijani mod", known, same_claimant_key) == ("azerbaijan mod", True)
    assert merge_key("armenia mod", known, same_claimant_key) == ("armenia mod", True)
    assert merge_key("azerbaijani mod", known, same_claimant_key) == ("azerbaijan mod", False)
    assert known == {
        "azerbaijan mod": "azerbaijan mod",
        "azerbaijani mod": "azerbaijan mod",
        "armenia mod": "armenia mod",
    }


def test_the_engines_cast_one_entry_per_mention():
    cast = [
        {"name": "the ministry", "kind": "government", "canonical": "Armenia's Defence Ministry"},
        {"name": "Armenia's Defence Ministry", "kind": "government", "canonical": "Armenia's Defence Ministry"},
    ]
    assert cast_name("the ministry", cast) == "Armenia's Defence Ministry"
    assert claim_keys({**CLAIM, "claimant": "the ministry"}, cast)["claimant_source"] == "cast"


def test_the_date_a_period_names():
    assert claim_keys({**CLAIM, "period": "on Oct. 14, 2017"})["period_date"] == "2017-10-14"
    assert claim_keys({**CLAIM, "period": "since February 24, 2022"})["period_date"] == "2022-02-24"
