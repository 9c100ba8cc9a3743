"""Candidates for item-by-item extraction: spans of the article that may each be one item.

A task whose items each hold a span the text marks (a quotation between quotation marks) can name a
finder here in its ``task.toml`` (``[items] candidates = "quotations"``), or bring its own through
its kit (:class:`summarizer.core.kit.TaskKit` ``candidates``). Each candidate is then asked about on
its own, all of an article's in one batch, with the field it fills fixed to its text: the model
writes the rest of the item, or says it is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A span of the article an item may hold: ``text`` is ``article[start:end]``."""

    text: str
    start: int
    end: int


Finder = Callable[[str], list[Candidate]]

# Opening and closing marks of a quotation. Single quotes are left out: an apostrophe is the same mark.
_QUOTATION = re.compile(r'"([^"\n]+)"|“([^“”\n]+)”|«([^«»\n]+)»|„([^„“”\n]+)[“”]')


def quotations(article: str) -> list[Candidate]:
    """The passages between quotation marks, verbatim and without the marks, in the article's order."""
    found = []
    for match in _QUOTATION.finditer(article):
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        if match.group(group).strip():
            found.append(Candidate(match.group(group), match.start(group), match.end(group)))
    return found


FINDERS: dict[str, Finder] = {"quotations": quotations}
