"""The typed stats record: typed counters, a backend's own numbers kept, the same flat JSON as before."""

from __future__ import annotations

import json

from summarizer.core.records import Extraction
from summarizer.core.stats import Stats
from summarizer.store import RunStore

FLAT = {"seconds": 1.25, "prompt_tokens": 120, "figures": 4, "generated_tokens": 30, "grounding": "grammar"}


def test_the_flat_dict_round_trips_with_typed_counters():
    stats = Stats.of(FLAT)
    assert (stats.seconds, stats.prompt_tokens, stats.generated_tokens, stats.chunks) == (1.25, 120, 30, None)
    assert stats.extra == {"figures": 4, "grounding": "grammar"}
    assert stats.as_dict() == FLAT and stats == FLAT and Stats.of(stats) is stats
    assert json.loads(json.dumps(stats.as_dict())) == FLAT


def test_it_reads_and_writes_like_the_dict_it_replaces():
    stats = Stats()
    assert not stats and stats.as_dict() == {}
    stats["chunks"] = 2
    stats["labels"] = 7
    stats.setdefault("seconds", 0.5)
    stats.setdefault("seconds", 9.0)
    assert {**stats} == {"chunks": 2, "seconds": 0.5, "labels": 7} and stats.get("missing") is None
    del stats["labels"]
    assert "labels" not in stats and len(stats) == 2


def test_an_extraction_makes_its_stats_a_record():
    extraction = Extraction("raw", None, "invalid", "x", {"seconds": 2.0, "n_sentences": 3})
    assert isinstance(extraction.stats, Stats) and extraction.stats.seconds == 2.0


def test_the_store_keeps_the_same_flat_json(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.record(
            "k",
            {"backend": "b", "model": "m"},
            "h",
            {},
            Extraction("raw", {"summary": "s", "claims": []}, "ok", None, FLAT),
        )
        row = store._conn.execute("SELECT stats, seconds, prompt_tokens, generated_tokens FROM generations").fetchone()
        assert json.loads(row["stats"]) == FLAT and row["stats"] == json.dumps(
            FLAT, sort_keys=True, separators=(",", ":")
        )
        assert (row["seconds"], row["prompt_tokens"], row["generated_tokens"]) == (1.25, 120, 30)
        assert store.lookup("k").extraction.stats == FLAT
