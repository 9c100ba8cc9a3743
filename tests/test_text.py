"""Whitespace and typographic folding, and finding evidence in the original article."""

from __future__ import annotations

from summarizer.core.text import MAX_SENTENCE, canonical, cut_long, find_span, normalize_ws

ARTICLE = (
    "Alexander Bastrykin, head of Russia\u2019s Investigative\n"
    "  Committee, said \u201cnearly 3,000\u201d were hurt \u2013 officials."
)


def test_normalize_ws_collapses_runs_and_strips():
    assert normalize_ws("  a\n\tb   c \n") == "a b c"


def test_canonical_folds_quotes_dashes_and_whitespace():
    assert canonical("\u201cRussia\u2019s\u201d \u2013 \u2014  \u2033x\u2033\n") == '"Russia\'s" - - "x"'
    assert canonical("wait\u2026") == "wait..."


def test_find_span_exact():
    start, end = find_span(ARTICLE, "head of Russia\u2019s")
    assert ARTICLE[start:end] == "head of Russia\u2019s"


def test_find_span_with_straight_quotes_and_other_whitespace():
    span = find_span(ARTICLE, 'Russia\'s Investigative Committee, said "nearly 3,000" were hurt - officials.')
    assert span is not None
    start, end = span
    assert (
        ARTICLE[start:end]
        == "Russia\u2019s Investigative\n  Committee, said \u201cnearly 3,000\u201d were hurt \u2013 officials."
    )


def test_find_span_ignores_surrounding_whitespace_of_evidence():
    start, end = find_span(ARTICLE, "  Alexander\nBastrykin  ")
    assert ARTICLE[start:end] == "Alexander Bastrykin"


def test_find_span_refuses_changed_words_and_case():
    assert find_span(ARTICLE, "nearly 3,001") is None
    assert find_span(ARTICLE, "alexander bastrykin") is None
    assert find_span(ARTICLE, "   ") is None


def test_find_span_works_on_every_seed_sentence(seed_articles):
    for article in seed_articles.values():
        for line in article.splitlines():
            if line.strip():
                evidence = canonical(line)  # ASCII quotes, single spaces
                start, end = find_span(article, evidence)
                assert canonical(article[start:end]) == evidence


def test_a_run_longer_than_the_limit_is_cut_between_words():
    text = "one two three four five"
    assert [text[a:b] for a, b in cut_long(text, 0, len(text), 9)] == ["one two", "three", "four five"]
    assert cut_long(text, 4, 13, 9) == [(4, 13)]  # short enough: as it is
    assert [("x" * 20)[a:b] for a, b in cut_long("x" * 20, 0, 20, 8)] == ["x" * 8, "x" * 8, "x" * 4]
    assert MAX_SENTENCE == 4000


def test_word_mentions_are_whole_words():
    from summarizer.core.text import word_mentions

    text = "Orla's troops and Orlan drones; the Orla."
    assert [m.start() for m in word_mentions("Orla", text)] == [0, 36]
    assert list(word_mentions("K-9", "a K-9 missile and K-90")) and not list(word_mentions("K-9", "K-90"))
