"""Find and parse the figures in a text: digits, number words and vague quantity words.

One parser for the whole project: the scorer asks whether a predicted value occurs in
the article, the grammar limits the numbers a model may write to those that do, and
the rule-based baseline reads the mentions with their offsets.

What counts as a number (see ``docs/ARCHITECTURE.md`` and the claims contract):

* digits, with thousands separators and decimals: "1,180", "33.7", "2022", the "24"
  of "24-hour"; a scale word may follow: "1.5 million", "45 thousand";
* number words: "four", "twenty-three", "forty-five thousand", "one hundred and five",
  "a hundred", "a million", "two dozen";
* "a"/"an" before a noun is 1 ("a submarine"): the mention's text is the article
  itself, so callers that want only real figures can drop ``text.lower() in {"a", "an"}``;
* vague words (``vague=True``): "tens" 10, "dozens" 12, "hundreds" 100, "thousands" 1000,
  "millions" 1e6, "tens of thousands" 10000, "hundreds of thousands" 100000, and a
  bare scale word such as the "hundred" of "several hundred".

Not numbers: ordinals ("second", "3rd"), "several", "a few", "many". Values are never
negative: the "-" of "-5" or "2022-2023" is punctuation, not a sign. A figure above
``LARGEST_VALUE`` (a 401-digit number, say) is skipped: no count is that large, and
beyond it a float no longer holds every integer, so comparing values would be unsound.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TypeGuard

__all__ = [
    "NumberMention",
    "find_numbers",
    "parse_number",
    "article_values",
    "value_occurs",
    "format_number",
    "LARGEST_VALUE",
    "is_usable_value",
]

# 2**53: the largest float below which every integer is exact (2**53 + 1 == 2**53 as floats).
LARGEST_VALUE = 2**53


def is_usable_value(value: object) -> TypeGuard[float]:
    """Whether ``value`` can be a count: a finite number from 0 to LARGEST_VALUE (bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):  # compared as an int: float(10**400) would raise OverflowError
        return 0 <= value <= LARGEST_VALUE
    return math.isfinite(value) and 0 <= value <= LARGEST_VALUE


@dataclass(frozen=True)
class NumberMention:
    value: float  # 1180.0, 1000000.0, 12.0 for "dozens"
    start: int  # character offsets in the text
    end: int
    text: str  # the matched words: "1,180", "one million", "dozens"
    vague: bool  # came from a vague word (tens/dozens/hundreds/thousands/millions)


UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
TEENS = {
    w: i + 10
    for i, w in enumerate("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())
}
TENS = {w: (i + 2) * 10 for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
MULTIPLIERS = {"hundred": 100, **SCALES}  # may follow digits: "1.5 million", "3 hundred"
VAGUE = {"tens": 10, "dozens": 12, "hundreds": 100, "thousands": 10**3, "millions": 10**6, "billions": 10**9}
ARTICLES = {"a", "an"}
ORDINALS = set(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth sixtieth "
    "seventieth eightieth ninetieth hundredth thousandth millionth billionth".split()
)
# "a"/"an" before these words is not the count 1 ("a few", "a total of 500", "an estimated 40").
NOT_COUNTED = set(
    "few lot lots number couple handful total series variety range majority minority half quarter third "
    "bit little great good whole further additional estimated reported possible maximum minimum dozen "
    "hundred thousand million billion trillion".split()
)

_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)"  # 1,180 / 12.5 / 2022
    r"|(?P<word>[A-Za-z]+)"
)
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)(?![A-Za-z])", re.IGNORECASE)
_JSON_NUMBER = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class _Token:
    kind: str  # "num" or "word"
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        if kind == "num" and _ORDINAL_SUFFIX.match(text, match.end()):
            continue  # "3rd", "24th": ordinals are positions, not counts
        tokens.append(_Token(kind, match.start(), match.end(), match.group()))
    return tokens


class _Scanner:
    """Walks the tokens of one text, turning runs of them into mentions."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)

    def gap(self, i: int) -> str:
        """The characters between token ``i - 1`` and token ``i``."""
        return self.text[self.tokens[i - 1].end : self.tokens[i].start]

    def spaced(self, i: int) -> bool:
        """Token ``i`` follows token ``i - 1`` after whitespace only."""
        return 0 < i < len(self.tokens) and self.gap(i).isspace()

    def joined(self, i: int) -> bool:
        """Token ``i`` continues a number phrase: whitespace or one hyphen ("twenty-three")."""
        return self.spaced(i) or (0 < i < len(self.tokens) and self.gap(i) == "-")

    def word(self, i: int) -> str | None:
        return self.tokens[i].lower if i < len(self.tokens) and self.tokens[i].kind == "word" else None

    def mention(self, first: int, last: int, value: float | int | Decimal, vague: bool = False) -> NumberMention:
        start, end = self.tokens[first].start, self.tokens[last].end
        # A huge Decimal becomes inf here, which scan() then drops.
        return NumberMention(float(value), start, end, self.text[start:end], vague)

    def scan(self) -> list[NumberMention]:
        mentions, i = [], 0
        while i < len(self.tokens):
            found = self.read_at(i)
            if found is None:
                i += 1
                continue
            if is_usable_value(found[0].value):  # all its words are skipped either way
                mentions.append(found[0])
            i = found[1] + 1
        return mentions

    def read_at(self, i: int) -> tuple[NumberMention, int] | None:
        """The mention starting at token ``i`` and the index of its last token, if any."""
        token = self.tokens[i]
        if token.kind == "num":
            return self.read_digits(i)
        word = token.lower
        if word in VAGUE:
            return self.read_vague(i)
        if word in ARTICLES:
            return self.read_article_word(i)
        if word in UNITS or word in TEENS or word in TENS:
            return self.read_words(i)
        if word in MULTIPLIERS:  # "several hundred", "a few thousand": no count, just the order
            return self.mention(i, i, MULTIPLIERS[word], vague=True), i
        return None

    def read_digits(self, i: int) -> tuple[NumberMention, int]:
        value = Decimal(self.tokens[i].text.replace(",", ""))
        following = self.word(i + 1)
        if following in MULTIPLIERS and self.spaced(i + 1):
            return self.mention(i, i + 1, value * MULTIPLIERS[following]), i + 1
        return self.mention(i, i, value), i

    def read_vague(self, i: int) -> tuple[NumberMention, int]:
        value = VAGUE[self.tokens[i].lower]
        larger = self.word(i + 2)
        # "tens of thousands", "hundreds of millions": one vague figure, the product.
        if (
            self.word(i + 1) == "of"
            and self.spaced(i + 1)
            and self.spaced(i + 2)
            and larger in VAGUE
            and VAGUE[larger] > value
            and value in (10, 100)
        ):
            return self.mention(i, i + 2, value * VAGUE[larger], vague=True), i + 2
        return self.mention(i, i, value, vague=True), i

    def read_article_word(self, i: int) -> tuple[NumberMention, int] | None:
        following = self.word(i + 1)
        if following is None or not self.spaced(i + 1):
            return None  # "a 24-hour period", "Class A." : not a count
        if following in MULTIPLIERS or following == "dozen":
            return self.read_words(i, leading_one=True)  # "a hundred", "a million", "a dozen"
        if following in NOT_COUNTED:
            return None
        return self.mention(i, i, 1), i

    def read_words(self, i: int, leading_one: bool = False) -> tuple[NumberMention, int] | None:
        phrase = _WordPhrase(leading_one)
        best, j = None, i + 1 if leading_one else i
        while j < len(self.tokens) and (j == i or self.joined(j)):
            word = self.word(j)
            if word == "and" and phrase.may_take_and() and self.spaced(j + 1) and _is_small(self.word(j + 1)):
                j += 1  # "one hundred and five": "and" only counts when a number follows
                continue
            if word in ORDINALS:
                return None  # "twenty-first", "one hundredth": a position, not a count
            if word is None or not phrase.add(word):
                break
            best = (self.mention(i, j, phrase.value), j)
            if phrase.finished:
                break
            j += 1
        return best


def _is_small(word: str | None) -> bool:
    return word is not None and (word in UNITS or word in TEENS or word in TENS)


class _WordPhrase:
    """The value of a run of number words, refusing sequences no one would write ("one two")."""

    def __init__(self, leading_one: bool = False):
        self.total = 0  # completed scale groups: the "45000" of "forty-five thousand three"
        self.group = 1 if leading_one else 0  # the part below the current scale
        self.last = "unit" if leading_one else None  # kind of the previous word
        self.smallest_scale = math.inf
        self.finished = False

    @property
    def value(self) -> int:
        return self.total + self.group

    def may_take_and(self) -> bool:
        return self.last in ("hundred", "scale")

    def add(self, word: str) -> bool:
        """Extend the phrase with ``word``; False if it cannot be part of it."""
        if word in UNITS:
            return self._add_unit(UNITS[word])
        if word in TEENS or word in TENS:
            return self._add_small(TEENS.get(word) or TENS[word], "teen" if word in TEENS else "tens")
        if word == "hundred":
            return self._add_hundred()
        if word == "dozen":
            return self._add_dozen()
        if word in SCALES:
            return self._add_scale(SCALES[word])
        return False

    def _add_unit(self, value: int) -> bool:
        if value == 0:  # "zero" stands alone
            if self.last is not None:
                return False
            self.last, self.finished = "unit", True
            return True
        if self.last not in (None, "tens", "hundred", "scale"):
            return False
        self.group += value
        self.last = "unit"
        return True

    def _add_small(self, value: int, kind: str) -> bool:
        if self.last not in (None, "hundred", "scale"):
            return False
        self.group += value
        self.last = kind
        return True

    def _add_hundred(self) -> bool:
        if self.last not in ("unit", "teen") or not 0 < self.group < 100:
            return False
        self.group *= 100
        self.last = "hundred"
        return True

    def _add_dozen(self) -> bool:
        if self.last != "unit" or self.total or not 0 < self.group < 10:
            return False
        self.group *= 12
        self.last, self.finished = "dozen", True
        return True

    def _add_scale(self, scale: int) -> bool:
        if self.last not in ("unit", "teen", "tens", "hundred") or not self.group or scale >= self.smallest_scale:
            return False
        self.total += self.group * scale
        self.group = 0
        self.smallest_scale = scale
        self.last = "scale"
        return True


def find_numbers(text: str) -> list[NumberMention]:
    """Every figure in ``text``, in order of appearance."""
    return list(_mentions(text))


@lru_cache(maxsize=4)
def _mentions(text: str) -> tuple[NumberMention, ...]:
    # Cached: the rules baseline reads an article's figures, then its grounding check reads them again.
    return tuple(_Scanner(text).scan())


def parse_number(s: str) -> float | None:
    """The value of ``s`` when the whole of it is one number ("1,180", "twenty-three", "dozens",
    or a JSON literal such as "1e6"); None otherwise."""
    s = s.strip()
    mentions = find_numbers(s)
    if len(mentions) == 1 and mentions[0].start == 0 and mentions[0].end == len(s):
        return mentions[0].value
    if _JSON_NUMBER.fullmatch(s):  # format_number's output always parses back
        value = float(s)
        return value if is_usable_value(value) else None
    return None


@lru_cache(maxsize=256)
def _article_values(text: str) -> frozenset[float]:
    return frozenset(m.value for m in _mentions(text))


def article_values(text: str) -> set[float]:
    """The values of all figures in ``text`` (cached: the scorer asks once per claim)."""
    return set(_article_values(text))


def value_occurs(value: float, text: str) -> bool:
    """Whether ``value`` equals some figure in ``text`` (vague words included)."""
    if not is_usable_value(value):  # no figure of the text is one (find_numbers skips them)
        return False
    values = _article_values(text)
    return float(value) in values or any(math.isclose(value, v, rel_tol=1e-9) for v in values)


def format_number(value: float) -> str:
    """``value`` as a JSON number literal: 1180 not 1180.0, 33.7 as 33.7."""
    if isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
