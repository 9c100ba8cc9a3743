"""Candidate figures: counts found with their qualifier and sentence; dates, money and shares left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.tasks.claims.figures import find_figures, qualifier_before, split_sentences

CASES = json.loads((Path(__file__).parent / "data" / "figures" / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_figures_match_the_hand_written_cases(case):
    found = [
        {"text": f.text, "value": f.value, "qualifier": f.qualifier, "upper": f.upper}
        for f in find_figures(case["text"])
    ]
    assert found == case["figures"]


def test_each_figure_knows_its_sentence_and_offsets():
    article = "Rockets hit the city. Officials said 14 people died.\nA second strike wounded 20."
    figures = find_figures(article)
    assert [article[f.start : f.end] for f in figures] == ["14", "20"]
    assert [article[slice(*f.sentence)] for f in figures] == [
        "Officials said 14 people died.",
        "A second strike wounded 20.",
    ]


def test_the_count_is_a_schema_count():
    [figure] = find_figures("About 1,180 homes were destroyed.")
    assert figure.count == {"value": 1180, "qualifier": "approximately", "upper": None}


def test_sentences_do_not_end_at_abbreviations():
    text = "U.S. officials said Mr. Smith left. Then 12 died."
    assert [text[a:b] for a, b in split_sentences(text)] == ["U.S. officials said Mr. Smith left.", "Then 12 died."]


def test_sentences_do_not_end_at_a_name_s_initials():
    text = "The police chief, A.K. Rana, said 9 died. Rain fell."
    assert [text[a:b] for a, b in split_sentences(text)] == ["The police chief, A.K. Rana, said 9 died.", "Rain fell."]


def test_vague_words_are_at_least():
    assert qualifier_before("Residents said dozens", len("Residents said "), vague=True) == "at_least"


def test_ranks_and_titles_do_not_end_a_sentence():
    from summarizer.tasks.claims.figures import split_sentences

    text = "Brig. Gen. Tomas Varn said 5 died on Feb. 3. Adm. Lee said 3 more. Rev. Ode said none."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Brig. Gen. Tomas Varn said 5 died on Feb. 3.",
        "Adm. Lee said 3 more.",
        "Rev. Ode said none.",
    ]


def test_a_run_without_full_stops_is_read_in_pieces_of_whole_words():
    # A table flattened into one line: its figures were each read against the whole line.
    from summarizer.core.text import MAX_SENTENCE

    row = "Tarsk 12 killed 30 injured | "
    text = row * 400  # 11,600 characters, no full stop
    pieces = split_sentences(text)
    assert [b - a for a, b in pieces] == [3999, 3993, 3606]
    assert all(b - a <= MAX_SENTENCE and not text[a].isspace() and not text[b - 1].isspace() for a, b in pieces[:-1])
    assert " ".join(text[a:b] for a, b in pieces) == text
    figures = find_figures(text)
    assert len(figures) == 800 and {f.sentence for f in figures} == set(pieces)


def test_a_long_run_of_abbreviations_is_one_sentence():
    text = "Gen. Dr. " * 300 + "Marsh said 4 died. Then 2 fled."
    assert [text[a:b] for a, b in split_sentences(text)][-1] == "Then 2 fled."
    assert len(split_sentences(text)) == 2
