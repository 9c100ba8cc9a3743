"""Text normalisation and locating evidence in an article.

Evidence must be verbatim, but "verbatim" has to survive copy and paste and model
output: runs of whitespace (newlines included) count as one space, and typographic
quotes, apostrophes and dashes count as their ASCII forms. Everything else, case
included, must match exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["normalize_ws", "canonical", "find_span", "MAX_SENTENCE", "cut_long", "word_mentions", "acronyms"]

# Characters of the longest "sentence" the claims readers take whole. News sentences run to a few
# hundred (evidence is cut at 1,000); a run of thousands without a full stop is a table or a list
# flattened into one line, whose every figure was read against all the others (quadratic: a 5 MB
# line would take days).
MAX_SENTENCE = 4000

# Typographic characters and the ASCII text they stand for ("" drops the character:
# soft hyphens and zero-width characters are invisible in the article).
_FOLD = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "\u0060": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00ad": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}


def normalize_ws(s: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return " ".join(s.split())


def _canonical_with_origins(s: str) -> tuple[str, list[int]]:
    """``canonical(s)`` and, for each of its characters, the index in ``s`` it came from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(s):
        if char.isspace():
            if chars and chars[-1] != " ":  # a run of whitespace becomes one space
                chars.append(" ")
                origins.append(index)
            continue
        for folded in _FOLD.get(char, char):
            chars.append(folded)
            origins.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
    return "".join(chars), origins


def canonical(s: str) -> str:
    """``normalize_ws`` plus typographic quotes, apostrophes and dashes folded to ASCII."""
    return _canonical_with_origins(s)[0]


def find_span(article: str, evidence: str) -> tuple[int, int] | None:
    """Offsets ``(start, end)`` in the original ``article`` of a span equal to ``evidence``
    once both are made ``canonical``; None when there is no such span."""
    exact = article.find(evidence) if evidence.strip() == evidence else -1
    if evidence and exact >= 0:
        return exact, exact + len(evidence)
    wanted = canonical(evidence)
    if not wanted:
        return None
    text, origins = _canonical_with_origins(article)
    at = text.find(wanted)
    if at < 0:
        return None
    return origins[at], origins[at + len(wanted) - 1] + 1


def cut_long(text: str, start: int, end: int, limit: int = MAX_SENTENCE) -> list[tuple[int, int]]:
    """``text[start:end]`` as pieces of at most ``limit`` characters, each cut after its last
    whitespace that fits (anywhere, where none does), the whitespace between them left out."""
    pieces = []
    while end - start > limit:
        cut = start + limit
        while cut > start and not text[cut].isspace():
            cut -= 1
        cut = cut if cut > start else start + limit  # one word longer than the limit: cut inside it
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def word_mentions(name: str, text: str) -> Iterator[re.Match[str]]:
    """Where ``text`` names ``name`` as whole words: "Orla" in "Orla's troops", not in "Orlan"."""
    return re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)


# "Harbour Relief Network (HRN)": capitalised words (and the small words inside names) right
# before a short form in brackets.
_SHORT_FORM = re.compile(r"\(([A-Z][A-Za-z0-9&-]{1,11})\)")
_NAME_WORD = re.compile(r"[A-Z][\w'’.&-]*|of|for|and|the|de|du|des|del|la|le|pour|in|on|et|y")
_LEADING_SMALL = re.compile(r"^(?:(?:of|for|and|the|de|du|des|del|la|le|pour|in|on|et|y)\s+)+")


def acronyms(article: str) -> dict[str, str]:
    """The short forms ``article`` spells out, each with its full name ("HRN" -> "Harbour Relief
    Network"): the most specific name of that body, whichever form a sentence uses."""
    found: dict[str, str] = {}
    for match in _SHORT_FORM.finditer(article):
        words = article[: match.start()].rstrip().split(" ")
        taken: list[str] = []
        while words and _NAME_WORD.fullmatch(words[-1].strip()) and len(taken) < 10:
            taken.insert(0, words.pop().strip())
        full = _LEADING_SMALL.sub("", " ".join(taken))
        if len(full.split()) >= 2 and full[:1].isupper():
            found.setdefault(match.group(1), re.sub(r"^The\s+", "", full))
    return found
