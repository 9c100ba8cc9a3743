"""The candidate figures of an article: every number that could be a claim's count.

Figure-guided extraction starts here. The shared number parser finds every number;
this module drops the ones that cannot be a count of victims or of destroyed items
(years, dates, durations, money, percentages, distances, the "a" of "a few"), joins
ranges ("between 2,000 and 2,500", "30-40") into one figure, reads the qualifier from
the words just before the figure ("at least", "more than", "about" ...), and gives
each figure the sentence it stands in (its evidence).

The model then only judges what a figure is about (outcome, victims, claimant ...):
the number, its qualifier and its evidence are read from the text, so they cannot
drift apart or be invented.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import Any

from summarizer.core.numbers import NumberMention, find_numbers
from summarizer.core.text import cut_long

__all__ = ["Figure", "find_figures", "is_day_of_month", "split_sentences", "sentence_at", "qualifier_before"]

_MONTHS = (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
).split()
_MONTH = "(?:" + "|".join(_MONTHS) + r")\.?"
# Right after a figure: money, a share, a distance, a duration or age, a time of day.
_NOT_A_COUNT_AFTER = re.compile(
    r"\s*(%|per\s?cent|percent|dollars|euros|pounds|rubles|roubles|hryvnias?|km\b|kilomet|miles?\b|"
    r"met(er|re)s?\b|hectares?|tons?\b|tonnes?|-?\s*(year|month|week|day|hour|minute|second)s?\b|:\d|"
    r"(st|nd|rd|th)\b|a\.m\.|p\.m\.|am\b|pm\b)",
    re.I,
)
_NOT_A_COUNT_BEFORE = re.compile(
    r"([$€£]|US\$|No\.|number|page|article|resolution|brigade|division|battalion|"
    r"regiment|route|highway)\s*$|[A-Za-z][-/]$|\d[/.:]$",
    re.I,
)
QUALIFIERS = {  # the words just before a figure, longest first when matched
    **dict.fromkeys(["at least", "no fewer than", "no less than", "a minimum of"], "at_least"),
    **dict.fromkeys(
        "more than|over|in excess of|upwards of|surpassed|surpassing|surpass|surpasses|exceeded|"
        "exceeding|exceed|exceeds|topped|top|tops|above".split("|"),
        "more_than",
    ),
    **dict.fromkeys(["nearly", "almost", "nearing", "close to", "just under", "just short of"], "nearly"),
    **dict.fromkeys(["up to", "as many as", "as much as"], "up_to"),
    **dict.fromkeys(
        [
            "about",
            "around",
            "approximately",
            "roughly",
            "some",
            "estimated",
            "an estimated",
            "approx.",
            "circa",
            "an approximate",
        ],
        "approximately",
    ),
}
_RANGE_GAP = re.compile(r"\s*(-|–|—|to|and|or)\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_INITIALS = re.compile(r"[A-Z](?:\.[A-Z])+")  # "A.K" of "A.K. Rana": a name goes on after them
_ABBREVIATIONS = set(
    "mr mrs ms dr gen lt col maj capt sgt st jr sr no vs etc e.g i.e u.s u.n u.k jan feb mar apr brig adm cmdr "
    "rev hon pvt cpl ft mt gov "
    "jun jul aug sep sept oct nov dec gov sen rep prof inc co corp ltd".split()
)


@dataclass(frozen=True)
class Figure:
    """One candidate count: its value (the low end of a range), qualifier and place in the article."""

    value: float
    upper: float | None  # the high end of a range, else None
    qualifier: str  # exact, approximately, at_least, more_than, nearly, up_to, range
    start: int  # character offsets of the figure's words ("between 2,000 and 2,500" is one figure)
    end: int
    text: str
    sentence: tuple[int, int]  # offsets of the sentence it stands in

    @property
    def count(self) -> dict[str, Any]:
        return {
            "value": _plain(self.value),
            "qualifier": self.qualifier,
            "upper": _plain(self.upper) if self.upper is not None else None,
        }


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def split_sentences(article: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of ``article``: lines, then ., ! or ? before a capital or digit;
    a longer run than :data:`~summarizer.core.text.MAX_SENTENCE` characters is cut between words."""
    spans = []
    for line in re.finditer(r"[^\n]*\S[^\n]*", article):
        cut = line.start()
        for boundary in _SENTENCE_END.finditer(article, line.start(), line.end()):
            # The word before the stop; a window, not all since ``cut``: after many "Mr." in a row
            # the slice grew with each (quadratic), and no abbreviation is longer than the window.
            last_word = re.search(r"(\S+)\.[\"'”’)\]]*$", article[max(cut, boundary.start() - 64) : boundary.start()])
            if last_word and (
                last_word.group(1).lower().strip("(\"'“") in _ABBREVIATIONS
                or (len(last_word.group(1)) == 1 and last_word.group(1).isalpha())
                or _INITIALS.fullmatch(last_word.group(1).strip("(\"'“"))
            ):
                continue  # "Mr. Smith", "U.S. officials", "I.K. Rana": not a sentence end
            spans.append((cut, boundary.start()))
            cut = boundary.end()
        spans.append((cut, line.end()))
    return [piece for a, b in spans if article[a:b].strip() for piece in cut_long(article, a, b)]


# What a figure counts when it counts no victims and nothing destroyed: places, events, units and
# spans of time (the noun right after it), and what was sent, deployed, launched, fired or seized (the verb
# right before it). The contract leaves such counts out; English words, no conflict's.
_OUT_OF_SCOPE_NOUN = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:villages?|towns?|cities|settlements|regions|provinces|districts|areas|positions|"
    r"territories|camps|sites|facilities|attacks|strikes|raids|incidents|clashes|explosions|blasts|bombings|"
    r"wars|battles|operations|"
    r"sorties|rounds|meetings|times|occasions|countries|nations|votes|seats|points|targets|years|months|"
    r"weeks|days|hours|minutes|km|kilomet(?:er|re)s|miles)\b"
)
_OUT_OF_SCOPE_VERB = re.compile(
    r"\b(?:deployed|deploying|deploy|sent|sending|send|stationed|launched|launching|launch|fired|firing|"
    r"mobili[sz]ed|recruited|trained|recovered|seized|confiscated|has|have|had)\s+"
    r"(?:(?:some|about|around|nearly|almost|more than|over|"
    r"at least|up to|another|an additional)\s+)?$"
)


def _is_count(article: str, mention: NumberMention) -> bool:
    """False for numbers that are not counts: years, dates, durations, money, shares, "a"/"an"."""
    before, after = article[max(0, mention.start - 16) : mention.start], article[mention.end : mention.end + 16]
    if mention.text.lower() in ("a", "an") or (mention.text.lower() == "one" and re.match(r"\s+(of|another)\b", after)):
        # "a" is mostly an article ("a strike") and "one of" a pronoun; a single item written
        # "a submarine" is rare enough that the precision lost on the rest is not worth it.
        return False
    if _NOT_A_COUNT_BEFORE.search(before) or _NOT_A_COUNT_AFTER.match(after):
        return False
    if re.search(r"[A-Za-z]-?$", before) and mention.text[:1].isdigit():
        return False  # part of a name: "K23", "Su-35", "T-72"
    noun = article[mention.end : mention.end + 40]  # room for a modifier: "two powerful explosions"
    if _OUT_OF_SCOPE_NOUN.match(noun) or _OUT_OF_SCOPE_VERB.search(article[max(0, mention.start - 40) : mention.start]):
        return False  # the contract's out-of-scope counts: places, events, spans of time, what was deployed or fired
    if re.fullmatch(r"(1[89]|20)\d\d", mention.text):
        return False  # a year
    return not is_day_of_month(article, mention)


def is_day_of_month(article: str, mention: NumberMention) -> bool:
    """Whether ``mention`` is a day of a date: "May 2", "2 May", "Sept. 19", and the second day of
    a span of days ("Sept. 19-20", "19-20 September": one day has no month next to it)."""
    if mention.value > 31 or not float(mention.value).is_integer():
        return False
    before, after = article[max(0, mention.start - 16) : mention.start], article[mention.end : mention.end + 16]
    return bool(
        re.search(rf"\b{_MONTH}\s*(\d{{1,2}}\s*[-–]\s*)?$", before)
        or re.match(rf"\s*([-–]\s*\d{{1,2}}\s*)?{_MONTH}(?![a-z])", after)
    )


def qualifier_before(article: str, start: int, vague: bool = False) -> str:
    """The qualifier the words just before ``start`` give a figure ("at least 31" -> at_least)."""
    words = re.findall(r"[A-Za-z.]+", article[max(0, start - 40) : start].lower())
    preceding = " " + " ".join(words[-3:])
    for phrase in sorted(QUALIFIERS, key=len, reverse=True):
        if preceding.endswith(" " + phrase):
            return QUALIFIERS[phrase]
    return "at_least" if vague else "exact"


def _range_end(article: str, mention: NumberMention, nxt: NumberMention | None) -> NumberMention | None:
    """The high end when ``mention`` starts a range ("30-40", "30 to 40", "between 30 and 40")."""
    if nxt is None or nxt.value <= mention.value:
        return None
    gap = _RANGE_GAP.fullmatch(article[mention.end : nxt.start])
    if not gap:
        return None
    joiner = gap.group(1)
    if joiner in ("and", "or"):
        return nxt if re.search(r"\bbetween\s*$", article[max(0, mention.start - 10) : mention.start], re.I) else None
    # "30 to 40 people" is a range; "from 30 to 40" as a change over time is one too for a count.
    return nxt


def sentence_at(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The sentence of ``sentences`` (:func:`split_sentences`) that holds offset ``start``, else
    ``(start, end)``. By bisection: a scan per figure or name made long articles quadratic."""
    at = bisect.bisect_right(sentences, (start, math.inf)) - 1
    if at >= 0 and sentences[at][0] <= start < sentences[at][1]:
        return sentences[at]
    return start, end


def find_figures(article: str) -> list[Figure]:
    """The article's candidate counts, in order of appearance."""
    mentions = [m for m in find_numbers(article) if _is_count(article, m)]
    sentences = split_sentences(article)
    figures: list[Figure] = []
    i = 0
    while i < len(mentions):
        mention = mentions[i]
        upper = _range_end(article, mention, mentions[i + 1] if i + 1 < len(mentions) else None)
        start = mention.start
        if upper is not None:
            between = re.search(r"\bbetween\s*$", article[max(0, start - 10) : start], re.I)
            start = start - len(between.group()) if between else start
            qualifier, end = "range", upper.end
        else:
            qualifier, end = qualifier_before(article, mention.start, mention.vague), mention.end
        sentence = sentence_at(sentences, mention.start, mention.end)
        figures.append(
            Figure(mention.value, upper.value if upper else None, qualifier, start, end, article[start:end], sentence)
        )
        i += 2 if upper is not None else 1
    return figures
