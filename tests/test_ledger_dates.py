"""Article dates (summarizer/claimledger/dates.py) against the cases in tests/data/ledger/dates.json."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from summarizer.claimledger.dates import article_date, dates_in, parse_date
from summarizer.core.errors import InputError

CASES = json.loads((Path(__file__).parent / "data" / "ledger" / "dates.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_date_of_an_article(case):
    if case["date"] is None:
        with pytest.raises(InputError, match="no date"):
            article_date(case["text"], where="a.txt")
        return
    found = article_date(case["text"])
    assert (found.iso, found.source) == (case["date"], case["source"])


def test_a_date_field_wins_over_the_text():
    found = article_date("Date: 2031-03-03\nBody.", field="2031-04-01")
    assert (found.iso, found.source) == ("2031-04-01", "field")


def test_a_bad_date_field_is_one_line_naming_the_record():
    with pytest.raises(InputError) as error:
        article_date("Body.", field="last Tuesday", where="runs.jsonl:3")
    assert (
        str(error.value) == "runs.jsonl:3: date 'last Tuesday' is not a date (expected YYYY-MM-DD or 'March 5, 2031')"
    )


def test_an_undated_file_is_dated_by_its_time_and_says_so(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Twelve people were killed.", encoding="utf-8")
    os.utime(article, (1_900_000_000, 1_900_000_000))  # 2030-03-17 UTC
    found = article_date(article.read_text(), path=article)
    assert (found.iso, found.source) == ("2030-03-17", "file_time")


def test_without_file_times_an_undated_file_is_an_error(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Twelve people were killed.", encoding="utf-8")
    with pytest.raises(InputError) as error:
        article_date(article.read_text(), path=article, file_dates=False)
    assert str(error.value) == (
        f"{article}: no date: no front-matter line, dateline or full date in the text (and file times are off)"
    )


def test_no_text_and_no_field_is_an_error_naming_the_source():
    with pytest.raises(InputError) as error:
        article_date(None, where="out/a.json")
    assert str(error.value).startswith('out/a.json: no date: no "date" field and no article text')


def test_parse_date_forms():
    assert parse_date("2031-03-05") == date(2031, 3, 5)
    assert parse_date(" March 5, 2031 ") == date(2031, 3, 5)
    assert parse_date("5th March 2031") == date(2031, 3, 5)
    assert parse_date("Sept. 1 2030") == date(2030, 9, 1)
    assert parse_date("2031-02-30") is None
    assert parse_date("March 5") is None
    assert dates_in("From 1 May 2030 to June 2, 2030.") == [date(2030, 5, 1), date(2030, 6, 2)]
