"""One Status everywhere: it reads, prints and stores as its text, and no other status exists."""

from __future__ import annotations

import json
import re

import pytest

from summarizer.core.records import Extraction
from summarizer.core.status import USABLE, Status
from summarizer.store import CACHEABLE_STATUSES, MIGRATIONS, RunStore


def test_a_status_is_its_text_in_comparisons_formatting_and_json():
    assert Status.TRUNCATED == "truncated" and Status("ungrounded") is Status.UNGROUNDED
    assert f"{Status.FAILED}: x" == "failed: x" and str(Status.OK) == "ok" and f"{Status.OK:>4}" == "  ok"
    assert json.dumps({"status": Status.INVALID, "by": {Status.OK: 1}}) == '{"status": "invalid", "by": {"ok": 1}}'
    assert USABLE == (Status.OK, Status.TRUNCATED)


def test_an_extraction_takes_text_and_refuses_an_unknown_status():
    assert Extraction("", None, "ungrounded").status is Status.UNGROUNDED
    with pytest.raises(ValueError):
        Extraction("", None, "fine")


def test_the_run_store_check_lists_exactly_the_statuses():
    check = re.findall(r"CHECK \(status IN \(([^)]*)\)\)", "\n".join(m for m in MIGRATIONS if isinstance(m, str)))[-1]
    assert sorted(v.strip(" '") for v in check.split(",")) == sorted(s.value for s in Status)
    assert set(CACHEABLE_STATUSES) == {s.value for s in Status} - {"failed"}


def test_stored_and_read_back_as_the_same_text(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.record("k", {"backend": "b", "model": "m"}, "h", {}, Extraction("raw", None, Status.TRUNCATED, "cut"))
        (row,) = store._conn.execute("SELECT status FROM generations").fetchall()
        assert type(row["status"]) is str and row["status"] == "truncated"
        assert store.lookup("k").extraction.status is Status.TRUNCATED
