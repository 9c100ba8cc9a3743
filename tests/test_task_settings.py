"""task.toml: defaults from the schema, the settings it may hold, one clear line for a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from summarizer.core.errors import TaskError
from summarizer.core.schema_paths import grounded_paths
from summarizer.core.task_settings import DEFAULT_MATCH_THRESHOLD, read_settings

SCHEMA = {
    "type": "object",
    "properties": {
        "quotes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "speaker": {"type": "string", "x-grounded": "span"},
                    "quote": {"type": "string", "x-grounded": "span"},
                    "tone": {"enum": ["calm", "angry"]},
                },
            },
        }
    },
}


def settings(tmp_path: Path, toml: str | None):
    path = tmp_path / "task.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    return read_settings(SCHEMA, grounded_paths(SCHEMA), path)


def test_without_task_toml_the_span_fields_are_the_keys(tmp_path):
    got = settings(tmp_path, None)
    assert got.items == "quotes" and got.key_fields == ("speaker", "quote") and got.merge_key == got.key_fields
    assert got.weights == (("speaker", 1.0), ("quote", 1.0)) and got.match_threshold == DEFAULT_MATCH_THRESHOLD
    assert got.name is None and got.toml_bytes == b""


def test_task_toml_sets_keys_weights_threshold_and_merge_key(tmp_path):
    text = (
        'name = "q"\nmerge_key = ["quote"]\n'
        '[scoring]\nkeys = ["quote", "tone"]\nweights = {tone = 3}\nthreshold = 0.7\n'
    )
    got = settings(tmp_path, text)
    assert (got.name, got.key_fields, got.merge_key) == ("q", ("quote", "tone"), ("quote",))
    assert got.weights == (("quote", 1.0), ("tone", 3.0)) and got.match_threshold == 0.7
    assert got.toml_bytes == text.encode()


@pytest.mark.parametrize(
    "toml, message",
    [
        ("items = 'speaker'\n", "items = 'speaker' is not a top-level array of objects"),
        ("[scoring]\nthreshold = 0\n", "scoring.threshold must be a number in (0, 1]"),
        ("[scoring]\nweights = {tone = 2}\n", "scoring.weights: tone is not one of scoring.keys"),
        ("merge_key = []\n", "merge_key must be a non-empty list of field names"),
        ("[scoring]\nkeys = ['x']\nwieghts = {}\n", "unknown setting(s): wieghts"),
    ],
)
def test_a_bad_setting_is_one_line_naming_task_toml(tmp_path, toml, message):
    with pytest.raises(TaskError) as caught:
        settings(tmp_path, toml)
    assert message in str(caught.value) and str(caught.value).startswith(str(tmp_path / "task.toml"))


def test_task_toml_names_the_default_strategy_and_the_item_strategy_s_candidates(tmp_path):
    text = 'strategy = "items"\ncandidates = "quotations"\ncandidate_field = "quote"\nmax_items = 12\n'
    got = settings(tmp_path, text)
    assert (got.strategy, got.candidates, got.candidate_field, got.max_items) == ("items", "quotations", "quote", 12)
    assert settings(tmp_path / "none", None).max_items is None


@pytest.mark.parametrize(
    "toml, message",
    [
        ("candidates = 'speeches'\ncandidate_field = 'quote'\n", "candidates = 'speeches' is no candidate finder"),
        ("candidates = 'quotations'\n", "candidates and candidate_field go together"),
        ("candidates = 'quotations'\ncandidate_field = 'words'\n", "candidate_field: words is not a field"),
        ("max_items = 0\n", "max_items must be an integer from 1 to 1000 (got 0)"),
        ("max_items = true\n", "max_items must be an integer from 1 to 1000 (got True)"),
        ("strategy = 3\n", "strategy must be a non-empty string (got an integer 3)"),
    ],
)
def test_a_bad_item_setting_is_one_line(tmp_path, toml, message):
    with pytest.raises(TaskError) as caught:
        settings(tmp_path, toml)
    assert str(caught.value).startswith(f"{tmp_path / 'task.toml'}: {message}")


def test_the_item_strategy_needs_an_array_of_records(tmp_path):
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    path = tmp_path / "task.toml"
    path.write_text('strategy = "items"\n', encoding="utf-8")
    with pytest.raises(TaskError, match=r"strategy = 'items' needs an array of records in the schema \(items\)"):
        read_settings(schema, grounded_paths(schema), path)


# -- any value in task.toml: a setting or one line, never a traceback (issue 22, item 6) ---------
@pytest.mark.parametrize(
    "toml, message",
    [
        ("scoring = 5\n", "scoring must be a table ([scoring]), not an integer"),
        ("name = 5\n", "name must be a non-empty string (got an integer 5)"),
        ("name = ''\n", "name must be a non-empty string (got a string '')"),
        ("items = ['quotes']\n", "items must be a non-empty string (got an array ['quotes'])"),
        (
            "[scoring]\nweights = { speaker = 1e308, quote = 1e308 }\n",
            "scoring.weights: speaker must be a number above 0 and at most 1e+06 (got 1e+308)",
        ),
        ("[scoring]\nweights = { speaker = nan }\n", "scoring.weights: speaker must be a number above 0 and at most"),
        ("[scoring]\nweights = { quote = inf }\n", "scoring.weights: quote must be a number above 0 and at most"),
        ("[scoring]\nthreshold = nan\n", "scoring.threshold must be a number in (0, 1] (got nan)"),
    ],
)
def test_a_setting_of_the_wrong_type_or_out_of_range_is_one_line(tmp_path, toml, message):
    with pytest.raises(TaskError) as caught:
        settings(tmp_path, toml)
    assert str(caught.value).startswith(f"{tmp_path / 'task.toml'}: {message}")


def _toml(value) -> str:
    """A TOML value (None, which TOML lacks, is left out of arrays and tables)."""
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items() if v is not None) + "}"


TOML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["speaker", "quote", "tone", "quotes", "count.value"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["speaker", "quote", "x"]), inner),
    max_leaves=6,
)
SETTING_KEYS = st.sampled_from(["name", "items", "merge_key", "scoring", "other"])
SCORING = st.dictionaries(st.sampled_from(["keys", "weights", "threshold"]), TOML_VALUES, max_size=3)


@settings_(max_examples=150, deadline=None)
@given(st.dictionaries(SETTING_KEYS, TOML_VALUES | SCORING, max_size=4))
def test_any_task_toml_gives_settings_or_one_line_naming_the_file(values):
    import math
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "task.toml"
        path.write_text("".join(f"{k} = {_toml(v)}\n" for k, v in values.items() if v is not None), encoding="utf-8")
        try:
            read = read_settings(SCHEMA, grounded_paths(SCHEMA), path)
        except TaskError as error:
            assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
            return
    assert read.name is None or (isinstance(read.name, str) and read.name.strip())
    assert all(math.isfinite(weight) and weight > 0 for _, weight in read.weights)
    assert math.isfinite(sum(weight for _, weight in read.weights))
    assert 0 < read.match_threshold <= 1
