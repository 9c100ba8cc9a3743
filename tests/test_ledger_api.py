"""``summarizer.ledger(...)``: the ledger as plain records, DataFrames where pandas is installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import summarizer
from summarizer.claimledger.api import build_ledger
from summarizer.core.errors import InputError

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


def test_ledger_returns_records():
    ledger = summarizer.ledger(SERIES / "labels")
    assert repr(ledger) == "Ledger(articles=12, claims=25, groups=7, conflicts=5, series=23, unplaced=0)"
    assert ledger.summary["conflicts"] == 5
    assert ledger.problems == []
    first = ledger.conflicts[0]
    assert (first["date"], first["group_label"]) == ("2031-03-05", "killed · Armenia military · running total")
    assert [(f["claimant_name"], f["value"], f["article_id"]) for f in first["figures"]] == [
        ("Armenia's Defence Ministry", 140.0, "s03"),
        ("Azerbaijan's Defence Ministry", 610.0, "s03"),
    ]
    assert {row["claimant_name"] for row in ledger.claims} == {
        "Armenia's Defence Ministry",
        "Azerbaijan's Defence Ministry",
        "OHCHR",
    }


def test_frames_where_pandas_is_installed():
    pd = pytest.importorskip("pandas")
    ledger = summarizer.ledger([SERIES / "labels"])
    groups = ledger.frame("groups")
    assert isinstance(groups, pd.DataFrame) and len(groups) == 7
    figures = ledger.frame("conflicts")  # one row per figure of each conflict
    assert len(figures) == 10 and set(figures["claimant_name"]) == {
        "Armenia's Defence Ministry",
        "Azerbaijan's Defence Ministry",
        "OHCHR",
    }
    assert sorted(ledger.frames()) == ["articles", "claims", "conflicts", "groups", "series", "unplaced"]


def test_without_pandas_the_records_still_work(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    ledger = summarizer.ledger(SERIES / "labels")
    assert len(ledger.groups) == 7
    with pytest.raises(ImportError, match=r"pip install 'summarizer\[ledger\]'"):
        ledger.frame("groups")


def test_a_ledger_file_is_updated_and_returned_whole(tmp_path):
    out = tmp_path / "l.sqlite3"
    summarizer.ledger([SERIES / "labels" / "s03.json"], articles=SERIES / "articles", out=out)
    whole = summarizer.ledger([SERIES / "labels" / "s07.json"], articles=SERIES / "articles", out=out)
    assert len(whole.articles) == 2 and whole.summary["conflicts"] == 2


def test_nothing_to_read_is_an_error():
    with pytest.raises(InputError, match="nothing to read"):
        summarizer.ledger([])


def test_build_ledger_refuses_an_output_it_cannot_write(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(Exception, match="file"):
        build_ledger([SERIES / "labels"], out=blocker / "ledger.sqlite3")
