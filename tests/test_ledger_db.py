"""The ledger database (summarizer/claimledger/db.py): the series' ledger, incremental adds that
equal a rebuild, replaced articles, changed settings, a file that is no ledger."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from summarizer.claimledger.db import LedgerDB
from summarizer.claimledger.grouping import Settings
from summarizer.claimledger.sources import read_inputs
from summarizer.core.errors import InputError

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


@pytest.fixture(scope="module")
def documents():
    return read_inputs([SERIES]).documents


def snapshot(db: LedgerDB) -> dict:
    """The ledger's content with claims named by (article, index), not by row id."""
    claims = {row["id"]: (row["article_id"], row["claim_index"]) for row in db.table("claims")}
    return {
        "groups": sorted((g["id"], g["label"], g["n_claims"], tuple(g["claimants"])) for g in db.table("groups")),
        "members": sorted((claims[r["id"]], r["group_id"]) for r in db.table("claims")),
        "conflicts": sorted(
            (c["group_id"], c["date"], tuple(claims[f["claim_id"]] for f in c["figures"]))
            for c in db.table("conflicts")
        ),
        "series": sorted(
            (s["group_id"], s["claimant_name"], s["date"], s["value"], s["flag"]) for s in db.table("series")
        ),
    }


def test_the_series_ledger_holds_what_a_reader_expects(documents):
    with LedgerDB() as db:
        report = db.add(documents)
        assert (report.new, report.claims, report.regrouped_keys) == (12, 25, 7)
        summary = db.summary()
        assert {k: summary[k] for k in ("articles", "claims", "groups", "uncorroborated_groups", "conflicts")} == {
            "articles": 12,
            "claims": 25,
            "groups": 7,
            "uncorroborated_groups": 4,
            "conflicts": 5,
        }
        assert summary["flags"] == {"decrease": 1, "outlier": 1}
        assert summary["date_sources"] == {"dateline": 6, "front_matter": 5, "text": 1}
        conflicts = [
            (c["date"], [(f["claimant_name"], f["value"]) for f in c["figures"]]) for c in db.table("conflicts")
        ]
        assert conflicts == [
            ("2031-03-05", [("Armenia's Defence Ministry", 140.0), ("Azerbaijan's Defence Ministry", 610.0)]),
            ("2031-03-08", [("Azerbaijan's Defence Ministry", 4.0), ("Armenia's Defence Ministry", 23.0)]),
            ("2031-03-09", [("Armenia's Defence Ministry", 390.0), ("Azerbaijan's Defence Ministry", 1610.0)]),
            ("2031-03-10", [("OHCHR", 97.0), ("Armenia's Defence Ministry", 210.0)]),
            ("2031-03-13", [("Armenia's Defence Ministry", 515.0), ("Azerbaijan's Defence Ministry", 1720.0)]),
        ]
        flagged = [(s["claimant_name"], s["date"], s["flag"], s["note"]) for s in db.table("series") if s["flag"]]
        assert sorted(flagged) == [
            (
                "Azerbaijan's Defence Ministry",
                "2031-03-08",
                "outlier",
                "2,400 against a median of 95 for the other days",
            ),
            ("Azerbaijan's Defence Ministry", "2031-03-11", "decrease", "running total went down from 1,610 to 1,480"),
        ]
        kapan = next(c for c in db.table("conflicts") if c["date"] == "2031-03-08")
        quote = kapan["figures"][0]
        # the conflict carries the claim's own quote: the evidence of the label's claim of 4 in s06
        label = json.loads((SERIES / "labels" / "s06.json").read_text(encoding="utf-8"))
        [disputed] = [claim for claim in label["claims"] if claim["count"]["value"] == 4]
        assert quote["evidence"] == disputed["evidence"] and quote["article_id"] == "s06"


def test_adding_in_two_steps_equals_building_at_once(documents, tmp_path):
    with LedgerDB() as whole:
        whole.add(documents)
        expected = snapshot(whole)
    path = tmp_path / "ledger.sqlite3"
    with LedgerDB(path) as first:
        first.add(documents[6:])
    with LedgerDB(path) as second:  # reopened: the file keeps everything
        report = second.add(documents)
        assert (report.new, report.unchanged, report.replaced) == (6, 6, 0)
        assert snapshot(second) == expected


def test_reading_the_same_documents_again_changes_nothing(documents, tmp_path):
    with LedgerDB(tmp_path / "l.sqlite3") as db:
        db.add(documents)
        before = snapshot(db)
        report = db.add(documents)
        assert (report.new, report.unchanged, report.claims, report.regrouped_keys) == (0, 12, 0, 0)
        assert snapshot(db) == before


def test_a_changed_document_replaces_its_claims_and_regroups_only_its_keys(documents):
    s09 = next(d for d in documents if d.article_id == "s09")
    fixed = json.loads(json.dumps(s09.document))
    fixed["claims"][0]["count"]["value"] = 1700  # no longer a decrease
    with LedgerDB() as db:
        db.add(documents)
        report = db.add([dataclasses.replace(s09, document=fixed)])
        assert (report.replaced, report.claims, report.regrouped_keys) == (1, 1, 1)
        assert db.summary()["flags"] == {"outlier": 1}
        assert db.summary()["claims"] == 25


def test_other_settings_regroup_everything(documents, tmp_path):
    path = tmp_path / "l.sqlite3"
    with LedgerDB(path) as db:
        db.add(documents)
    with LedgerDB(path, Settings(tolerance=10.0)) as db:  # figures within a factor of 11 agree
        assert db.summary()["conflicts"] == 0
        assert db.summary()["settings"]["tolerance"] == 10.0
    with LedgerDB(path) as db:  # the ledger keeps the settings it was last built with
        assert db.settings.tolerance == 10.0
    with LedgerDB(path, rebuild=True) as db:
        assert db.summary()["articles"] == 0


def test_a_file_that_is_no_ledger_is_one_line(tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"not a database at all, just bytes" * 100)
    with pytest.raises(InputError) as error:
        LedgerDB(path)
    assert str(error.value).startswith(f"{path}: not a ledger database")


def test_unplaced_claims_are_counted_by_reason(documents):
    s08 = next(d for d in documents if d.article_id == "s08")
    doc = json.loads(json.dumps(s08.document))
    doc["claims"][1]["victim_side"] = None
    with LedgerDB() as db:
        db.add([dataclasses.replace(s08, document=doc)])
        assert db.summary()["unplaced"] == 1
        assert db.summary()["unplaced_reasons"] == {"no_victim_side": 1}
        (row,) = db.table("unplaced")
        assert (row["article_id"], row["value"], row["why"]) == (
            "s08",
            210.0,
            "no victim side: whose losses the figure counts is not said",
        )


def test_a_rebuild_leaves_no_old_write_ahead_log_behind(documents, tmp_path):
    path = tmp_path / "l.sqlite3"
    with LedgerDB(path) as db:
        db.add(documents)
    Path(f"{path}-wal").write_bytes(b"stale")  # as a crashed writer might leave it
    with LedgerDB(path, rebuild=True) as db:
        assert db.summary()["articles"] == 0
        db.add(documents[:1])
    with LedgerDB(path) as db:
        assert db.summary()["articles"] == 1
