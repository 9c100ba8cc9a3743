"""Countries and peoples: the one table of side names (``data/countries.tsv``).

A side is written as a short English name ("Ukraine" for "Ukrainian soldiers", "Palestinians"
for Gaza). The table maps the words an article uses (the country, demonyms, adjectives, other
names, the capital) to that name. It is generic geography: it names no armed group, agency or
official, so it favours no conflict. The rule reader, the grounded grammars and the scorer all
read it here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

__all__ = [
    "side_grounded",
    "countries_in",
    "country_mentions",
    "country_names",
    "country_of",
    "country_table",
    "is_country",
]

_TABLE = Path(__file__).parent / "data" / "countries.tsv"
_SHORT = 3  # a word this short counts only in capitals: "US" and "UK", not "us"; "DRC", "UAE"


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Lower-case word or phrase -> side name."""
    words: dict[str, str] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, phrases = line.partition("\t")
        for phrase in (p.strip() for p in phrases.split(",")):
            words.setdefault(phrase, name)
        words.setdefault(name.lower(), name)
    return words


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    phrases = sorted(_table(), key=len, reverse=True)  # longest first: "south sudan" before "sudan"
    alternatives = "|".join(re.escape(p).replace("\\ ", r"\s+").replace("'", "['’]") for p in phrases)
    return re.compile(rf"(?<![\w\-.])({alternatives})(?:['’]s)?(?![\w])", re.IGNORECASE)


def country_table() -> dict[str, str]:
    """Lower-case word or phrase -> side name ("ukrainian" -> "Ukraine"): a copy, for readers
    that look words up one at a time (the rule reader)."""
    return dict(_table())


def country_names() -> frozenset[str]:
    """Every side name of the table ("Ukraine", "Palestinians", ...)."""
    return frozenset(_table().values())


def is_country(name: str) -> bool:
    """Whether ``name`` is a side name of the table: a country or people, not an armed force."""
    return name in country_names()


def _counts(text: str) -> bool:
    """A proper noun: capitalised, and a short word in capitals ("US", not "us")."""
    letters = text.replace(".", "")
    return text[:1].isupper() and (len(letters) > _SHORT or letters.isupper())


def country_of(word: str) -> str | None:
    """The side name a word or phrase stands for ("Ukrainian" -> "Ukraine"), or None."""
    text = " ".join(word.replace("’", "'").split())
    text = re.sub(r"'s$", "", text)
    name = _table().get(text.lower())
    return name if name and _counts(text) else None


def countries_in(text: str) -> list[str]:
    """The side names ``text`` mentions, in order of first mention."""
    found: dict[str, None] = {}
    for match in _pattern().finditer(text):
        if _counts(match.group(1)):
            found.setdefault(_table()[" ".join(match.group(1).lower().replace("’", "'").split())], None)
    return list(found)


def country_mentions(text: str) -> list[tuple[int, int, str]]:
    """Every mention: (start, end, side name), in order."""
    return [
        (m.start(1), m.end(1), _table()[" ".join(m.group(1).lower().replace("’", "'").split())])
        for m in _pattern().finditer(text)
        if _counts(m.group(1))
    ]


def _whole_words(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` neither starts nor ends inside a word."""
    inside = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    return not inside and not (end < len(text) and text[end - 1].isalnum() and text[end].isalnum())


def side_grounded(side: str, article: str) -> bool:
    """Whether the article gives reason for ``side``: every word of it is a word of the article
    (case aside), or names a country or people the article mentions ("Sudanese army" where the
    article says "Sudan's army"; "Hill Front dissidents" where it says "dissidents of the former Hill Front")."""
    from summarizer.core.text import find_span

    span = find_span(article, side)
    if span is not None and _whole_words(article, *span):
        return True  # the article's own words, as the grammar may copy them (not "c" of "COVID-19")
    words = re.findall(r"[\w'’.-]+", side)
    if not words:
        return False
    tokens = re.findall(r"[\w'’.-]+", article)
    article_words = {w.lower().strip(".'’") for t in tokens for w in (t, *t.split("-"))}  # "Kuki-Zo": "Kuki" too
    mentioned = set(countries_in(article))
    return side in mentioned or all(
        w.lower().strip(".'’") in article_words or country_of(w) in mentioned for w in words
    )
