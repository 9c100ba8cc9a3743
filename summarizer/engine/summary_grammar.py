"""A grounded summary: free text whose every number is one of the article's numbers.

The summary is the first thing a reader sees, so an invented figure there is as bad
as one in a claim. The grammar alternates

* runs of text with no digits and no number words (``TEXT``), and
* the article's numbers, written as the article writes them ("1.9 million",
  "seven", "dozens") or in digits ("1,900,000", "7"), capitalised too (``NUMBER``).

Number words are handled as whole words: ``TEXT`` may not contain "seven" or
"dozens" as a word (it may contain "someone" or "often"), so a number word can only
come from the article's own numbers. "a"/"an" stay free: they are articles far more
often than counts, and the invented-number metric does not count them either.
A number must be followed by a space or punctuation that cannot continue it (a
comma or full stop only with a space after it), so two allowed numbers can never
run together into a new one ("31" + ",120"). The grammar cannot count characters
across lexemes, so the schema's 600-character bound is applied after generation,
cutting at a sentence end (:func:`clip_text`).
"""

from __future__ import annotations

import json

from summarizer.core.numbers import MULTIPLIERS, TEENS, TENS, UNITS, VAGUE, find_numbers

# Every word the number parser reads as (part of) a number, except "a"/"an".
NUMBER_WORDS = sorted({*UNITS, *TEENS, *TENS, *MULTIPLIERS, *VAGUE, "dozen"})


def number_forms(article: str) -> list[str]:
    """The article's numbers as a summary may write them: as in the article, and in digits."""
    forms: dict[str, None] = {}
    for mention in find_numbers(article):
        if mention.text.lower() in ("a", "an"):
            continue
        text = " ".join(mention.text.split())
        for form in (text, text[:1].upper() + text[1:], text[:1].lower() + text[1:], _digits(mention.value)):
            forms.setdefault(form, None)
    return list(forms)


def _digits(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def summary_rules(article: str) -> list[str]:
    """Lark rules defining ``summary`` (a JSON string, quotes included) for ``article``.

    Text is lexed a word at a time (``WORD``, ``SEP``): the lexer ends a lexeme only
    when the next byte cannot extend it, so a run-on text lexeme would swallow the
    first letters of "seven" and never let the ``NUMBER`` lexeme start.
    """
    words = "|".join(NUMBER_WORDS)
    # Letters: ASCII and the Unicode planes above Latin-1, less U+2000-U+2FFF (punctuation such as
    # dashes, curly quotes and ellipses, and symbols), which separate words as a hyphen does:
    # "eight—and" is the number word "eight" and a word, not one word that the number-word test
    # would let through. The whole block, whose characters share their first UTF-8 byte: a word
    # that one of its bytes could extend would swallow the first byte of a dash after it.
    letters = "A-Za-z\u00c0-\u1fff\u3000-\uffff"
    rules = [
        f"WORD: /[{letters}']{{1,40}}/ & ~/(?i)({words})/",
        f'SEP: /[^{letters}0-9"\\\\\x00-\x1f]{{1,8}}/',
        "AFTER: /[ ;:!?)'’”\\-–—]|[,.] /",
        "END: /[.!?]/",
    ]
    forms = number_forms(article)
    if forms:
        rules.append("NUMBER: " + " | ".join(json.dumps(f, ensure_ascii=False) for f in forms))
        # A word is always followed by a separator: two WORD lexemes side by side could
        # spell a number word ("thr" + "ee") where an engine lexes differently from ours.
        rules.append('summary: "\\"" (summary_piece+ (WORD | NUMBER END?)? | WORD | NUMBER END?) "\\""')
        rules.append("summary_piece: WORD SEP | SEP | NUMBER AFTER")
    else:
        rules.append('summary: "\\"" (WORD SEP | SEP)+ WORD? "\\""')
    return rules


def summary_grammar(article: str, grounded: bool = True) -> str:
    """A whole grammar whose output is one summary as a JSON string: grounded, or any text."""
    rules = summary_rules(article) if grounded else ['summary: "\\"" /[^"\\\\\\x00-\\x1f]{1,600}/ "\\""']
    return "\n".join(["%llguidance {}", "start: summary", *rules]) + "\n"


def invented_numbers(summary: str, article: str) -> list[str]:
    """The numbers of ``summary`` that the article does not state ("a"/"an" aside): what the
    grammar rules out, checked after generation where a server had no grammar."""
    from summarizer.core.numbers import value_occurs

    return [
        m.text
        for m in find_numbers(summary)
        if m.text.lower() not in ("a", "an") and not value_occurs(m.value, article)
    ]


def clip_text(text: str, limit: int | None) -> str:
    """At most ``limit`` characters (None: no limit), cut at a sentence end (or a word) so no number is split."""
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return cut[: end + 1] if end > 0 else (cut.rsplit(" ", 1)[0] or cut)
