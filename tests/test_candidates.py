"""Candidate finders of the item strategy: the quotations of an article, verbatim, without their marks."""

from __future__ import annotations

from summarizer.core.candidates import FINDERS, Candidate, quotations

ARTICLE = (
    'The tram line to Oakfield reopens on Friday. "We laid new rails in six weeks," said Ida Brandt, '
    "the works manager. Riders were relieved: “It cuts my commute in half,” one of them said. "
    "A sign read «Mind the gap» at the stop, and the driver's cab was repainted."
)


def test_every_quotation_is_a_candidate_with_its_offsets():
    found = quotations(ARTICLE)
    assert [c.text for c in found] == [
        "We laid new rails in six weeks,",
        "It cuts my commute in half,",
        "Mind the gap",
    ]
    assert all(ARTICLE[c.start : c.end] == c.text for c in found)


def test_an_apostrophe_or_an_empty_pair_of_marks_is_no_quotation():
    assert quotations("The driver's cab and the riders' seats were repainted.") == []
    assert quotations('He said "" and left.') == []
    assert quotations('She said "yes".') == [Candidate("yes", 10, 13)]


def test_the_finders_are_found_by_the_name_task_toml_gives():
    assert FINDERS["quotations"] is quotations
