"""Every committed development-set document of a real model: no claimant is a dateline, a date or a
number of people, and every side is one the article gives reason for.

The documents are those `eval/run-real-models.sh` wrote into eval/results/<dataset>/<model>/
predictions/; the places and periods are the gold labels' own ``location`` and ``period`` values of
the same article (what a careless reader takes for a speaker). Places the article only uses as
places are kept from claiming since the documents of dev-other-wars were written (tasks.claims.cast
is_place, its own tests): the closing note of issue 19 counts the ones left in them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.core.countries import side_grounded
from summarizer.tasks.claims.cast import is_dateline, names_date_or_number

ROOT = Path(__file__).resolve().parent.parent
DATASETS = {"seeds": ROOT / "seeds", **{p.name: p for p in (ROOT / "eval" / "datasets").iterdir() if p.is_dir()}}
RESULTS = ROOT / "eval" / "results"


def predictions() -> list[tuple[str, Path]]:
    found = []
    for name, data in DATASETS.items():
        for path in sorted((RESULTS / name).glob("*/predictions/*.json")):
            if path.parent.parent.name != "rules" and (data / "articles" / f"{path.stem}.txt").exists():
                found.append((name, path))
    return found


PREDICTIONS = predictions()


def test_there_are_committed_documents_of_every_development_set():
    assert {name for name, _ in PREDICTIONS} >= {"dev-familiar", "dev-other-wars"}


@pytest.mark.parametrize(
    "name, path", PREDICTIONS, ids=[f"{n}/{p.parent.parent.name}/{p.stem}" for n, p in PREDICTIONS]
)
def test_no_claimant_is_a_dateline_a_date_or_a_number_of_people(name, path):
    data = DATASETS[name]
    article = (data / "articles" / f"{path.stem}.txt").read_text(encoding="utf-8")
    gold = json.loads((data / "labels" / f"{path.stem}.json").read_text(encoding="utf-8"))["claims"]
    periods = {str(c["period"]).lower() for c in gold if c["period"]}
    for claim in json.loads(path.read_text(encoding="utf-8"))["claims"]:
        claimant = claim["claimant"]
        if claimant is None:
            continue
        assert not names_date_or_number(claimant) and not is_dateline(claimant, article), claimant
        assert claimant.lower() not in periods, claimant
        for key in ("claimant_side", "victim_side", "perpetrator_side"):
            assert claim[key] is None or side_grounded(claim[key], article), (key, claim[key])
