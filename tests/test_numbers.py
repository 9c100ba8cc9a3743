"""The number parser: the forms articles use, and round trips over random numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.core.numbers import (
    LARGEST_VALUE,
    article_values,
    find_numbers,
    format_number,
    is_usable_value,
    parse_number,
    value_occurs,
)

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split()
)
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand")]


def _below_thousand(n: int) -> list[str]:
    words = []
    if n >= 100:
        words += [_UNITS[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_UNITS[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_UNITS[n])
    return words


def to_words(n: int) -> str:
    """English words for ``n`` ("forty-five thousand six hundred one"), independent of the parser."""
    if n == 0:
        return "zero"
    words = []
    for scale, name in _SCALES:
        if n >= scale:
            words += _below_thousand(n // scale) + [name]
            n %= scale
    return " ".join(words + _below_thousand(n))


@pytest.mark.parametrize(
    "phrase, value",
    [
        ("1,180", 1180),
        ("12,605", 12605),
        ("33.7", 33.7),
        ("1.5 million", 1_500_000),
        ("250,000", 250_000),
        ("one million", 1_000_000),
        ("twenty-three", 23),
        ("forty-five thousand", 45_000),
        ("a hundred", 100),
        ("one hundred and five", 105),
        ("two dozen", 24),
        ("2022", 2022),
        ("1 Million", 1_000_000),
        ("dozens", 12),
        ("tens", 10),
        ("hundreds", 100),
        ("thousands", 1000),
        ("millions", 1_000_000),
        ("tens of thousands", 10_000),
        ("hundreds of thousands", 100_000),
        ("Four", 4),
        ("zero", 0),
    ],
)
def test_parse_number_reads_the_forms_articles_use(phrase, value):
    assert parse_number(phrase) == value


@pytest.mark.parametrize(
    "phrase", ["second", "third", "3rd", "twenty-first", "several", "a few", "many", "-5", "one two", "five people", ""]
)
def test_parse_number_refuses_what_is_not_one_number(phrase):
    assert parse_number(phrase) is None


def _mentions(text):
    return [(m.text, m.value, m.vague) for m in find_numbers(text)]


def test_find_numbers_gives_text_offsets_and_values():
    text = "Officials said 1,180 people and four children died; nearly 3,000 were hurt."
    mentions = find_numbers(text)
    assert [(m.text, m.value) for m in mentions] == [("1,180", 1180), ("four", 4), ("3,000", 3000)]
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_a_before_a_noun_is_one():
    assert _mentions("It destroyed a submarine.") == [("a", 1.0, False)]
    assert _mentions("An official said") == [("An", 1.0, False)]


@pytest.mark.parametrize("text", ["a few soldiers", "a total of", "an estimated", "a 24", "Class A."])
def test_a_is_not_one_before_quantity_words(text):
    assert all(m.text.lower() not in ("a", "an") for m in find_numbers(text))


def test_a_total_of_keeps_the_figure():
    assert _mentions("a total of 500 troops") == [("500", 500.0, False)]


def test_vague_words_are_flagged():
    assert _mentions("Dozens were killed and tens of thousands fled; hundreds of homes") == [
        ("Dozens", 12.0, True),
        ("tens of thousands", 10_000.0, True),
        ("hundreds", 100.0, True),
    ]
    assert _mentions("several hundred") == [("hundred", 100.0, True)]


def test_ordinals_are_not_counts():
    assert _mentions("the second day of the third year, on the 24th, the twenty-first attack") == []


def test_hyphenated_digits_and_ranges_are_never_negative():
    assert _mentions("in the past 24-hour period, 2022-2023") == [
        ("24", 24.0, False),
        ("2022", 2022.0, False),
        ("2023", 2023.0, False),
    ]
    assert _mentions("fell by -5") == [("5", 5.0, False)]


def test_two_and_three_are_two_numbers_not_five():
    assert [m.value for m in find_numbers("between two and three children")] == [2, 3]


def test_percent_and_years_still_occur():
    text = "33.7% of the dead since 2022"
    assert value_occurs(33.7, text) and value_occurs(2022, text)
    assert not value_occurs(33, text)


def test_article_values_and_value_occurs():
    text = "Ukraine shot down a drone and twenty-three missiles; dozens were hurt."
    assert article_values(text) == {1.0, 23.0, 12.0}
    assert value_occurs(23, text) and value_occurs(12.0, text)
    assert not value_occurs(24, text) and not value_occurs(True, text)


@pytest.mark.parametrize("value, literal", [(1180.0, "1180"), (33.7, "33.7"), (0, "0"), (1_500_000.0, "1500000")])
def test_format_number_writes_json_literals(value, literal):
    assert format_number(value) == literal


def test_format_number_refuses_nan():
    with pytest.raises(ValueError):
        format_number(float("nan"))


_FILLER = st.lists(
    st.sampled_from(["the", "army", "said", "on", "Monday", "killed", "people", "in", "Kharkiv"]), max_size=6
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**15))
def test_integers_round_trip_as_digits_and_words(n):
    for phrase in (f"{n:,}", str(n), to_words(n)):
        assert parse_number(phrase) == n, phrase


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=10**12),
    before=_FILLER,
    after=_FILLER,
    form=st.sampled_from(["commas", "plain", "words"]),
)
def test_numbers_are_found_inside_surrounding_text(n, before, after, form):
    phrase = {"commas": f"{n:,}", "plain": str(n), "words": to_words(n)}[form]
    text = f"{before} {phrase} {after}".strip()
    mentions = find_numbers(text)
    assert [(m.text, m.value) for m in mentions] == [(phrase, n)]
    assert text[mentions[0].start : mentions[0].end] == phrase


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.integers(min_value=0, max_value=10**15),
        st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False),
    )
)
def test_format_number_round_trips_through_parse_number(value):
    literal = format_number(value)
    assert parse_number(literal) == float(value)
    assert format_number(parse_number(literal)) == literal


def test_a_number_too_large_to_use_is_skipped_with_its_scale_word():
    text = f"Officials said {'9' * 401} million people and 12 soldiers were killed, {10**17} in all."
    assert [m.text for m in find_numbers(text)] == ["12"]
    assert value_occurs(12, text) and not value_occurs(10**400, text)
    assert parse_number("1e400") is None and parse_number("9" * 401) is None


@pytest.mark.parametrize(
    "value, usable",
    [
        (0, True),
        (LARGEST_VALUE, True),
        (1.5, True),
        (LARGEST_VALUE + 1, False),
        (-1, False),
        (10**400, False),
        (float("inf"), False),
        (float("nan"), False),
        (True, False),
        ("5", False),
    ],
)
def test_is_usable_value(value, usable):
    assert is_usable_value(value) is usable
