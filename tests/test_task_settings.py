"""task.toml: defaults from the schema, the settings it may hold, one clear line for a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

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
