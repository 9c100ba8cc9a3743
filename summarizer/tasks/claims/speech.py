"""Who speaks in a sentence: the names in the position of the one who reports a figure.

A figure's claimant is whoever the sentence says gave it, and English marks that position with
a handful of constructions: the subject of a reporting verb ("the ministry said", "Amina Yusuf,
a nurse at the clinic, told reporters", "the office has said"), the name after an inverted one
("..., said the ministry"), "according to X", and "figures released by X". Names elsewhere in
the sentence (the attackers, the place, the victims) are not speakers, however close they are.
The words are generic English data (``data/lexicon.toml``, ``[reporting]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from summarizer.tasks.claims.lexicon import LEXICON

__all__ = ["in_speech_position", "is_reporting_word", "pronoun_speaker", "speaking"]

_REPORTING = LEXICON["reporting"]
# The reporting verbs as one regex alternation, longest first (also read by tasks/claims/victims.py).
REPORTING_VERBS = "|".join(sorted(set(str(_REPORTING["verbs"]).split()), key=len, reverse=True))
_VERB = REPORTING_VERBS
_BY = "|".join(sorted(set(str(_REPORTING["by"]).split()), key=len, reverse=True))
# Between a subject and its verb: an apposition in commas or brackets ("X, a spokesman, said";
# "X (ISPR) said"; "X, director of a clinic, which the Y runs, said"; "Ana Kell, 34, told"; "X, a
# 38-year-old driver, said"), and adverbs or auxiliaries ("has also said", "later told").
_AFTER_SUBJECT = re.compile(
    r"(?:['’]s?)?(?:\s*\([^()]{1,80}\))?(?:\s*,(?:[^,.;:]{1,100},){1,2})?"
    # where the body sits: "the ministry in rebel-held Kessa said"
    r"(?:\s+(?:in|at|from)\s+(?:the\s+)?(?:[\w'’]+-[\w'’]+\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})?"
    rf"(?:\s+(?:has|have|had|also|previously|later|earlier|separately|then|now|again|itself|officially|"
    rf"initially|further|on \w+(?: \w+)?)){{0,3}}\s+(?:{_VERB})\b",
    re.IGNORECASE,
)
# A name whose figures speak for it: "HRN figures show", "the ministry's data suggest", "a Tosk
# government security assessment had put the toll at 60" (whoever reported the assessment).
_FIGURES_OF = re.compile(
    r"(?:['’]s?)?\s+(?:[a-z]+\s+){0,2}(?:figures|data|statistics|records|count|counts|tally|estimates?|assessments?)"
    r"\s+(?:has\s+|had\s+|have\s+)?(?:show|shows|showed|shown|suggest|suggests|suggested|indicate|indicates|"
    r"indicated|put|puts)\b"
)
# A name that is itself the apposition: "the region's ombudsman, Tomas Vell, said".
_APPOSITION_SUBJECT = re.compile(
    rf"(?:\s*\([^()]{{1,80}}\))?\s*,(?:\s+(?:has|have|had|also|later|earlier|then)){{0,2}}\s+(?:{_VERB})\b",
    re.IGNORECASE,
)
# A name after a preposition is no subject: "In Kessa, ... said the governor", "the ministry in
# rebel-held Kessa said", "a clinic, which is run by the Hill ministry, said".
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:in|at|from|near|of|to|for|on|into|across|against|with|about|over|toward|towards|by)\s+(?:the\s+)?"
    r"(?:[\w'’]+-[\w'’]+\s+)?$",
    re.IGNORECASE,
)
# The subject of a sentence whose verb a reporting participle follows: "The Hill Front (HF), a
# militia, rejected the count, saying 40 died".
_SAYING_SUBJECT = re.compile(
    r"(?:['’]s?)?(?:\s*\([^()]{1,80}\))?(?:\s*,[^,.;:]{1,120},)?\s+(?:also\s+)?[a-z]+(?:ed|s)\b[^.;]{0,200}?,\s+"
    r"(?:saying|adding|claiming|noting|insisting|stating)\b"
)
_SENTENCE_OPENING = re.compile(r"^\s*(?:(?:the|a|an)\s+)?$", re.IGNORECASE)
# An inverted reporting verb follows the words reported, after a comma, a quote or a dash ("..., said
# the ministry", "“...,” said Ana Kell"); a verb with a subject of its own is not one: in "She said
# Hill Front fighters had torched 12 homes" the Hill Front is what she said, not who.
_BEFORE_INVERTED = re.compile(rf"[,;:\"“”—–-]\s*(?:{_VERB})\s+(?:the\s+|a\s+)?$", re.IGNORECASE)
# Nor is a verb whose comma closes an apposed name: in "The Front's spokesman, Ana Kell, says the
# group's fighters downed 3 drones" Ana Kell says it, and the group is what she says.
_APPOSED_NAME_BEFORE = re.compile(
    rf",\s*(?:[A-Z][\w'’.-]*\s+){{1,5}}?[A-Z][\w'’.-]*\s*,\s*(?i:{_VERB})\s+(?:the\s+|a\s+)?$"
)
# A name after a reporting verb that has a verb of its own is the subject of what was said, not
# the speaker: "the doctor says the hospital has received 57" (against "..., says the hospital").
_CLAUSE_SUBJECT = re.compile(
    r"(?:['’]s\s+\w+\s+)?\s*(?:has|have|had|was|were|is|are|would|will|could|can|may|might|should|did|does|"
    r"do|[a-z]+ed)\b"
)
_BEFORE_ACCORDING = re.compile(
    rf"\b(?:according to|(?:{_BY}) by)\s+(?:the\s+|a\s+)?(?:[\w'’.-]+\s+){{0,3}}$", re.IGNORECASE
)


_REPORTING_WORDS = frozenset(str(_REPORTING["verbs"]).split()) | {"its", "their", "also", "according"}


# A pronoun as the subject of a reporting verb: "He said", "..., she added", "It also reported".
_PRONOUN_SUBJECT = re.compile(
    rf"(?:^|[,;:\"“”—–-]\s*|\band\s+)(he|she|it|they)(?:\s+(?:has|have|had|also|later|earlier|then|now|again)){{0,2}}"
    rf"\s+(?:{_VERB})\b",
    re.IGNORECASE,
)


def pronoun_speaker(sentence: str) -> str | None:
    """Whom a pronoun that reports in ``sentence`` stands for: "person" (he, she), "body" (it),
    "any" (they); None when no pronoun reports."""
    match = _PRONOUN_SUBJECT.search(sentence.strip())
    if match is None:
        return None
    return {"he": "person", "she": "person", "it": "body"}.get(match.group(1).lower(), "any")


def is_reporting_word(word: str) -> bool:
    """A reporting verb or a word that only follows a speaker ("its", "also"): never part of a name."""
    return word.lower().strip(".,;:") in _REPORTING_WORDS


def in_speech_position(name: str, sentence: str) -> bool:
    """Whether some mention of ``name`` in ``sentence`` stands where the reporter of a figure does."""
    for match in re.finditer(re.escape(name), sentence):
        before, after = sentence[: match.start()], sentence[match.end() :]
        subject = (
            _AFTER_SUBJECT.match(after)
            or _FIGURES_OF.match(after)
            or (before.rstrip().endswith(",") and _APPOSITION_SUBJECT.match(after))
        ) and not _PREPOSITION_BEFORE.search(before)
        saying = _SENTENCE_OPENING.match(before) and _SAYING_SUBJECT.match(after)
        inverted = (
            _BEFORE_INVERTED.search(before)
            and not _CLAUSE_SUBJECT.match(after)
            and not _APPOSED_NAME_BEFORE.search(before)
        )
        if subject or saying or inverted or _BEFORE_ACCORDING.search(before):
            return True
    return False


@lru_cache(maxsize=512)
def _speaking(names: tuple[str, ...], sentence: str) -> tuple[str, ...]:
    return tuple(name for name in names if name and in_speech_position(name, sentence))


def speaking(names: Iterable[str], sentence: str) -> set[str]:
    """The ``names`` that ``sentence`` puts in a speaker's position."""
    return set(_speaking(tuple(names), sentence))
