"""Backend options: text and typed values become the backend's frozen dataclass, or one clear line."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import pytest

from summarizer.backends.options import NoOptions, OptionError, build_options, describe_keys, parse_pairs, ranged


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


# -- every option's range, checked in one place (issue 22, item 7) ------------------------------
OPENAI_KEYS = (
    "base_url=str, api_key_env=str|none, dialect=auto|vllm|sglang|llama|json-schema, timeout=float, "
    "retries=int, backoff=float, in_flight=int|none"
)
TRANSFORMERS_KEYS = (
    "device=auto|cpu|cuda, dtype=auto|bfloat16|float32|int8, trust_remote_code=bool, revision=str|none, "
    "max_context=int|none, batch_size=int, schema=dict|none"
)
URL = {"base_url": "http://127.0.0.1:8000/v1"}

# (backend, values, the line): every key of the built-in backends' --backend-opt table
BAD_VALUES = [
    ("openai", {**URL, "retries": "-1"}, "retries=-1: must be at least 0"),
    ("openai", {**URL, "backoff": "-1"}, "backoff=-1: must be at least 0"),
    ("openai", {**URL, "backoff": "nan"}, "backoff='nan': expected a finite number"),
    ("openai", {**URL, "timeout": "0"}, "timeout=0: must be greater than 0"),
    ("openai", {**URL, "timeout": "-5"}, "timeout=-5: must be greater than 0"),
    ("openai", {**URL, "in_flight": "0"}, "in_flight=0: must be at least 1"),
    # upper bounds: timeout=1e12 was a traceback from the socket layer; retries=5000 with backoff=0
    # an OverflowError per article (the 1025th wait, 2**1024, is no float)
    ("openai", {**URL, "timeout": "1e12"}, "timeout=1e+12: must be at most 86400"),
    ("openai", {**URL, "retries": "5000"}, "retries=5000: must be at most 100"),
    ("openai", {**URL, "backoff": "1e308"}, "backoff=1e+308: must be at most 30"),
    ("openai", {**URL, "in_flight": "100000"}, "in_flight=100000: must be at most 1024"),
    ("openai", {**URL, "dialect": "tgi"}, "unknown dialect 'tgi' (use one of auto, vllm, sglang, llama, json-schema;"),
    ("openai", {**URL, "api_key_env": 5}, "api_key_env=5: expected text"),
    ("openai", {"base_url": "http://[::1/v1"}, "base_url='http://[::1/v1': is not a valid URL (Invalid IPv6 URL)"),
    ("openai", {"base_url": "http://h:99999/v1"}, "base_url='http://h:99999/v1': its port is out of range (1-65535)"),
    ("openai", {"base_url": "http://my host/v1"}, "base_url='http://my host/v1': holds a space or other whitespace"),
    ("openai", {"base_url": "127.0.0.1:8000/v1"}, "base_url='127.0.0.1:8000/v1': must start with http:// or https://"),
    # a key in the query: the paths were appended after it (/v1?api_key=.../models), and it was printed
    (
        "openai",
        {"base_url": "http://h/v1?api_key=PASSWORD"},
        "base_url='http://h/v1?[redacted]': holds a query or fragment ('?' or '#'); the base URL ends at its path",
    ),
    ("openai", {"base_url": "http://h/v1#top"}, "base_url='http://h/v1#top': holds a query or fragment"),
    (
        "openai",
        {"base_url": "http://user:PASSWORD@h/v1"},
        "base_url='http://[redacted]@h/v1': holds a user name or password; put the API key in an environment variable",
    ),
    ("transformers", {"max_context": "0"}, "max_context=0: must be at least 1"),
    ("transformers", {"batch_size": "-3"}, "batch_size=-3: must be at least 1"),
    ("transformers", {"device": "tpu"}, "unknown device 'tpu' (use one of auto, cpu, cuda;"),
    ("transformers", {"dtype": "fp8"}, "unknown dtype 'fp8' (use one of auto, bfloat16, float32, int8;"),
    ("transformers", {"trust_remote_code": "maybe"}, "trust_remote_code='maybe': expected true or false"),
    ("transformers", {"revision": 5}, "revision=5: expected text"),
]


@pytest.mark.parametrize("backend, values, shown", BAD_VALUES)
def test_every_built_in_option_is_range_checked_in_one_line(backend, values, shown):
    from summarizer.backends.registry import backend_class

    cls = backend_class(backend)
    with pytest.raises(OptionError) as info:
        build_options(cls.Options, backend, values)
    keys = OPENAI_KEYS if backend == "openai" else TRANSFORMERS_KEYS
    line = str(info.value)
    assert line.startswith(shown) and line.endswith(f"options of the {backend} backend: {keys})")
    assert "\n" not in line and "PASSWORD" not in line


def test_the_range_holds_for_options_built_in_python_too():
    from summarizer.backends.openai_backend import OpenAIOptions
    from summarizer.backends.registry import backend_class, make_backend_options

    with pytest.raises(OptionError, match=r"^retries=-1: must be at least 0 \(options of the openai backend"):
        make_backend_options(backend_class("openai"), OpenAIOptions(base_url="http://h/v1", retries=-1))
    good = {**URL, "retries": "0", "backoff": "0", "timeout": "0.5", "in_flight": "1"}
    assert build_options(OpenAIOptions, "openai", good).timeout == 0.5


def test_ranged_fields_allow_none_and_check_their_bounds():
    @dataclass(frozen=True)
    class Ranged:
        cap: int | None = ranged(None, minimum=1)
        share: float = ranged(0.5, above=0, check=lambda v: "must be at most 1" if v > 1 else None)

    assert build_options(Ranged, "r", {"cap": "none", "share": "1"}) == Ranged(None, 1.0)
    with pytest.raises(OptionError, match=r"^share=1\.5: must be at most 1 "):
        build_options(Ranged, "r", {"share": "1.5"})
