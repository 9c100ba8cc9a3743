"""Reading what was extracted (summarizer/claimledger/sources.py): folders, JSONL, the run store;
every bad input one line, the others read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.claimledger.sources import read_inputs
from summarizer.core.errors import InputError

SERIES = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ledger-series"
DOC = json.loads((SERIES / "labels" / "s03.json").read_text(encoding="utf-8"))


def test_a_dataset_folder_reads_its_labels_and_dates_them_from_its_articles():
    inputs = read_inputs([SERIES])
    assert [doc.article_id for doc in inputs.documents] == [f"s{i:02d}" for i in range(1, 13)]
    assert inputs.problems == []
    s03 = inputs.documents[2]
    assert (s03.date.iso, s03.date.source, s03.article_path) == (
        "2031-03-05",
        "dateline",
        str(SERIES / "articles/s03.txt"),
    )
    assert s03.text is not None and s03.text.startswith("YEREVAN, March 5, 2031")
    assert [doc.date.source for doc in inputs.documents].count("front_matter") == 5


def test_jsonl_records_with_dates_casts_failures_and_a_broken_document(tmp_path):
    broken = json.loads(json.dumps(DOC))
    broken["claims"][0]["outcome"] = "exploded"
    records = [
        {
            "id": "a",
            "date": "2031-03-05",
            "document": {**DOC, "cast": [{"canonical": "MoD of Armenia", "aliases": ["Armenia's Defence Ministry"]}]},
        },
        {"id": "b", "document": None, "status": "truncated"},
        {"id": "c", "date": "2031-03-06", "document": broken},
        {"id": "d", "document": DOC},
        "not a record",
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n", encoding="utf-8")
    inputs = read_inputs([path])
    assert [doc.article_id for doc in inputs.documents] == ["a"]
    assert inputs.documents[0].cast == [{"canonical": "MoD of Armenia", "aliases": ["Armenia's Defence Ministry"]}]
    assert "cast" not in inputs.documents[0].document
    assert inputs.skipped == {"truncated": 1}
    assert [str(p) for p in inputs.problems] == [
        f"{path}:3: fails the schema: $.claims[0].outcome: must be one of killed, injured, killed_or_injured, "
        'missing, captured, displaced, equipment_destroyed (got "exploded")',
        f'{path}:4: no date: no "date" field and no article text to find one in (give --articles DIR)',
        f'{path}:5: not a run record (an object with an "id")',
        f"{path}:6: not JSON: Expecting property name enclosed in double quotes",
    ]


def test_articles_from_a_folder_date_a_jsonl_without_dates(tmp_path):
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"id": "s03", "document": DOC}) + "\n", encoding="utf-8")
    inputs = read_inputs([path], articles=SERIES / "articles")
    assert [(d.article_id, d.date.iso, d.date.source) for d in inputs.documents] == [("s03", "2031-03-05", "dateline")]


def test_a_bad_json_file_in_a_folder_is_one_line_and_the_rest_are_read(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "s03.json").write_text(json.dumps(DOC), encoding="utf-8")
    (folder / "s04.json").write_text("{", encoding="utf-8")
    inputs = read_inputs([folder], articles=SERIES / "articles")
    assert [d.article_id for d in inputs.documents] == ["s03"]
    assert len(inputs.problems) == 1 and str(inputs.problems[0]).startswith(f"{folder / 's04.json'}: invalid JSON")


def test_an_undated_article_without_file_times_is_one_line(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "s03.txt").write_text("A spokesman said the army had buried 140 of its soldiers.\n")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "s03.json").write_text(json.dumps(DOC))
    inputs = read_inputs([tmp_path], file_dates=False)
    assert inputs.documents == []
    assert [str(p) for p in inputs.problems] == [
        f"{articles / 's03.txt'}: no date: no front-matter line, dateline or full date in the text"
        " (and file times are off)"
    ]
    dated = read_inputs([tmp_path])  # file times on (the default): dated, and said so
    assert dated.documents[0].date.source == "file_time"


def test_the_run_store_for_a_model(tmp_path):
    from summarizer.api import summarize
    from summarizer.store import RunStore

    store = tmp_path / "runs.sqlite3"
    with RunStore(store) as run_store:
        for name in ("s03", "s06"):
            summarize((SERIES / "articles" / f"{name}.txt").read_text(encoding="utf-8"), model="rules", store=run_store)
    inputs = read_inputs([], store=store, model="rules", articles=SERIES / "articles")
    assert [(d.article_id, d.date.iso, d.model) for d in inputs.documents] == [
        ("s03", "2031-03-05", "rules"),
        ("s06", "2031-03-08", "rules"),
    ]
    assert inputs.documents[0].source.startswith(f"{store}#")
    with pytest.raises(InputError) as error:
        read_inputs([], store=store, model="qwen2.5-1.5b", articles=SERIES / "articles")
    assert str(error.value) == f"{store}: no runs for model 'qwen2.5-1.5b' in this store (its models: rules)"
    with pytest.raises(InputError, match="needs --model and --articles"):
        read_inputs([], store=store, model="rules")
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("Nothing here was run.\n")
    with pytest.raises(InputError, match="none of the runs of model 'rules' is of an article in"):
        read_inputs([], store=store, model="rules", articles=other)


def test_paths_that_do_not_exist_stop_the_read(tmp_path):
    with pytest.raises(InputError) as error:
        read_inputs([tmp_path / "missing"])
    assert str(error.value) == f"{tmp_path / 'missing'}: not found"
    with pytest.raises(InputError, match="articles folder not found"):
        read_inputs([SERIES], articles=tmp_path / "nope")


def test_the_cast_of_a_figure_runs_raw_output(tmp_path):
    cast = [
        {"name": "the ministry", "kind": "government", "canonical": "Armenia's Defence Ministry"},
        {"name": "Kapan", "kind": "place", "canonical": "Kapan"},
    ]
    raw = json.dumps({"cast": cast, "labels": [], "document": DOC})
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"id": "s03", "document": DOC, "raw": raw, "date": "2031-03-05"}) + "\n")
    (document,) = read_inputs([path]).documents
    assert document.cast == cast
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "s03", "document": DOC, "raw": "{}", "date": "2031-03-05"}) + "\n")
    assert read_inputs([plain]).documents[0].cast is None
