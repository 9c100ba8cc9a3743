"""The article as the rules read it: paragraphs, sentences, and tokens in which each figure is one token."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from summarizer.core.numbers import NumberMention
from summarizer.core.text import cut_long
from summarizer.tasks.claims.figures import is_day_of_month
from summarizer.tasks.claims.rules.lexicon import ABBREVIATIONS, OUT_OF_SCOPE_AFTER, SENTENCE_END


@dataclass
class Token:
    text: str
    low: str  # lower case, typographic apostrophe folded, possessive dropped
    start: int
    end: int
    kind: str  # word | punct | num (a figure) | art ("a"/"an" as 1) | skip (out-of-scope figure)
    mention: NumberMention | None = None

    @property
    def number(self) -> NumberMention:
        """The figure of a "num" token (one that has a mention)."""
        assert self.mention is not None, f"not a figure: {self.text!r}"
        return self.mention


@dataclass
class Sentence:
    start: int
    end: int
    paragraph: int
    tokens: list[Token] = field(default_factory=list)


WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]*[A-Za-z]|[A-Za-z]|\S")


def low_form(word: str) -> str:
    """A word as the lexicons spell it (``Token.low``): lower case, ’ as ', possessive dropped."""
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def paragraphs(article: str) -> list[tuple[int, int]]:
    """Line spans; a line that stops mid-sentence and runs on in lower case is joined to the next."""
    spans: list[list[int]] = []
    for line in re.finditer(r"[^\n]*\S[^\n]*", article):
        text = line.group()
        if spans and not _ends_a_sentence(article, *spans[-1]) and text.lstrip()[:1].islower():
            spans[-1][1] = line.end()
        else:
            spans.append([line.start(), line.end()])
    return [(a, b) for a, b in spans]


def _ends_a_sentence(article: str, start: int, end: int) -> bool:
    """Whether ``article[start:end]`` ends in a stop, a colon, a quote or a bracket. Its last
    characters only: a search of the whole paragraph, again for each line joined to it, made a
    hard-wrapped article quadratic."""
    while end > start and article[end - 1].isspace():
        end -= 1
    return end > start and article[end - 1] in '.!?:"”’)'


def split_sentences(article: str) -> list[Sentence]:
    sentences = []
    for number, (start, end) in enumerate(paragraphs(article)):
        cut = start
        for boundary in SENTENCE_END.finditer(article, start, end):
            # The word before the stop, from a window: searched from ``cut``, a run of "Gen." and
            # "Dr." grew the text searched with each (quadratic); no abbreviation is that long.
            last_word = re.search(r"(\S+)\.[\"'”’)\]]*$", article[max(cut, boundary.start() - 64) : boundary.start()])
            if last_word and (low_form(last_word.group(1)) in ABBREVIATIONS or len(last_word.group(1)) == 1):
                continue
            sentences.append(Sentence(cut, boundary.start(), number))
            cut = boundary.end()
        sentences.append(Sentence(cut, end, number))
    # A run past MAX_SENTENCE characters (a table on one line) is read in pieces: each of its
    # figures is read against the others of its sentence, so one huge sentence took quadratic time.
    return [
        Sentence(a, b, s.paragraph)
        for s in sentences
        if article[s.start : s.end].strip()
        for a, b in cut_long(article, s.start, s.end)
    ]


def out_of_scope(article: str, mention: NumberMention) -> bool:
    """Money, percentages, dates, years, durations, distances and designations are not victim counts."""
    before, after = article[max(0, mention.start - 12) : mention.start], article[mention.end : mention.end + 12]
    if re.search(r"[$€£]\s*$|[A-Za-z][-/]?$|\d[/.:]$", before) or OUT_OF_SCOPE_AFTER.match(after):
        return True
    if re.fullmatch(r"(1[89]|20)\d\d", mention.text):
        return True  # a year
    return is_day_of_month(article, mention)


def tokenize(article: str, sentence: Sentence, mentions: list[NumberMention]) -> list[Token]:
    """The sentence's words, punctuation and figures; ``mentions`` are the article's, in text order."""
    tokens, cursor = [], sentence.start
    # Bisection, not a scan of every mention: once per sentence, a scan made long articles quadratic.
    first = bisect.bisect_left(mentions, sentence.start, key=_start)
    last = bisect.bisect_left(mentions, sentence.end, lo=first, key=_start)
    inside = mentions[first:last]
    for mention in inside + [None]:
        gap_end = mention.start if mention else sentence.end
        for word in WORD.finditer(article, cursor, gap_end):
            kind = "word" if word.group()[0].isalpha() else "punct"
            tokens.append(Token(word.group(), low_form(word.group()), word.start(), word.end(), kind))
        if mention is None:
            break
        kind = "art" if mention.text.lower() in ("a", "an") else "skip" if out_of_scope(article, mention) else "num"
        tokens.append(Token(mention.text, mention.text.lower(), mention.start, mention.end, kind, mention))
        cursor = mention.end
    return tokens


def _start(mention: NumberMention) -> int:
    return mention.start


def is_title_case(tokens: list[Token]) -> bool:
    words = [t for t in tokens if t.kind == "word" and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) / len(words) > 0.6
