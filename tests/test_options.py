"""Backend options: text and typed values become the backend's frozen dataclass, or one clear line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import pytest

from summarizer.backends.options import NoOptions, OptionError, build_options, describe_keys, parse_pairs


@dataclass(frozen=True)
class Sample:
    url: str
    workers: int = 2
    ratio: float = 0.5
    strict: bool = False
    mode: Literal["fast", "slow"] = "fast"
    cap: int | None = None
    schema: dict | None = None


def test_text_values_are_converted_to_the_field_types():
    options = build_options(
        Sample,
        "sample",
        {"url": "http://x", "workers": "8", "ratio": "2", "strict": "yes", "mode": "slow", "cap": "none"},
    )
    assert options == Sample("http://x", workers=8, ratio=2.0, strict=True, mode="slow", cap=None)
    assert build_options(Sample, "sample", {"url": "u", "cap": "4096"}).cap == 4096
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.workers = 1  # type: ignore[misc]


def test_typed_values_pass_and_a_dict_field_takes_python_values_only():
    options = build_options(Sample, "sample", {"url": "u", "workers": 3, "ratio": 1, "schema": {"type": "object"}})
    assert (options.workers, options.ratio, options.schema) == (3, 1.0, {"type": "object"})
    with pytest.raises(OptionError, match=r"schema='\{\}': cannot be given as text"):
        build_options(Sample, "sample", {"url": "u", "schema": "{}"})


@pytest.mark.parametrize(
    "values, message",
    [
        ({"url": "u", "workers": "many"}, "workers='many': expected a whole number"),
        ({"url": "u", "workers": True}, "workers=True: expected a whole number"),
        ({"url": "u", "ratio": "inf"}, "ratio='inf': expected a finite number"),
        ({"url": "u", "strict": "maybe"}, "strict='maybe': expected true or false"),
        ({"url": "u", "mode": "medium"}, "unknown mode 'medium' (use one of fast, slow;"),
        ({"url": 5}, "url=5: expected text"),
        ({"url": "u", "colour": "red"}, "'colour' is not an option of the sample backend"),
        ({}, "the sample backend needs url (--backend-opt url=VALUE;"),
    ],
)
def test_every_problem_is_one_line_naming_the_option_and_listing_the_valid_keys(values, message):
    with pytest.raises(OptionError) as info:
        build_options(Sample, "sample", values)
    line = str(info.value)
    assert message in line and "\n" not in line
    assert "url=str, workers=int, ratio=float, strict=bool, mode=fast|slow, cap=int|none, schema=dict|none" in line


def test_pairs_split_on_the_first_equals_sign_and_need_one():
    assert parse_pairs(["a=1", "b=x=y", "a=2", "c="]) == {"a": "2", "b": "x=y", "c": ""}
    with pytest.raises(OptionError, match="--backend-opt 'device': expected KEY=VALUE"):
        parse_pairs(["device"])


def test_a_backend_without_options_says_so():
    assert describe_keys(NoOptions) == "none"
    with pytest.raises(OptionError, match=r"'x' is not an option of the rules backend \(its options: none\)"):
        build_options(NoOptions, "rules", {"x": "1"})
