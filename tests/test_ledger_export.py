"""CSV and Parquet exports of the ledger (summarizer/claimledger/export.py)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

import summarizer
from summarizer.claimledger.export import flat_tables, write_csv, write_parquet
from summarizer.core.errors import InputError

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"


@pytest.fixture(scope="module")
def tables():
    return summarizer.ledger(SERIES / "labels").tables


def test_conflict_figures_become_a_table_and_lists_json(tables):
    flat = flat_tables(tables)
    assert len(flat["conflict_figures"]) == 10
    assert "figures" not in flat["conflicts"][0]
    assert flat["groups"][0]["claimants"].startswith('["')


def test_csv_files(tables, tmp_path):
    written = write_csv(tables, tmp_path / "csv")
    assert sorted(p.name for p in written) == [
        "articles.csv",
        "claims.csv",
        "conflict_figures.csv",
        "conflicts.csv",
        "groups.csv",
        "series.csv",
        "unplaced.csv",
    ]
    with open(tmp_path / "csv" / "conflict_figures.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["claimant_name"], r["value"]) for r in rows[:2]] == [
        ("Armenia's Defence Ministry", "140.0"),
        ("Azerbaijan's Defence Ministry", "610.0"),
    ]
    with open(tmp_path / "csv" / "claims.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 25


def test_parquet_files(tables, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    write_parquet(tables, tmp_path / "pq")
    assert pq.read_table(tmp_path / "pq" / "groups.parquet").num_rows == 7
    assert pq.read_table(tmp_path / "pq" / "series.parquet").num_rows == 23


def test_parquet_without_pyarrow_is_one_line(tables, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(InputError) as error:
        write_parquet(tables, tmp_path / "pq")
    assert (
        str(error.value) == f"{tmp_path / 'pq'}: Parquet needs pyarrow: pip install 'summarizer[ledger]' (or use --csv)"
    )
