"""Prompts of figure-guided extraction: instructions, then the article, then one request.

The chat is a system turn (``prompts/figures/system.md``: what each field of a label
means), a worked example as real turns (``example.json``: an invented article, then
one user turn per figure answered by its label: small models follow turns far better
than examples embedded in the instructions), then the article as a user turn, and
last one request: a figure (``figure.md``, the figure marked [like this] in its
sentence) or the summary (``summary.md``, with the claims found). Three token runs,
each computed once:

* the instructions and the example, the same for every article (the decoder keeps
  their KV cache);
* the article (prefilled once per article on top of them);
* the request, a few dozen tokens per figure.

The example's entities cannot leak into a document: every name a label holds is an
article span or a side name found in the article (:mod:`summarizer.tasks.claims.figure_grammar`).
The chat is rendered with sentinels in place of the article and the request and cut
there, as in :mod:`summarizer.engine.prompting`, so the prefix is exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from summarizer.core.resources import files_hash, prompt_path
from summarizer.engine.request_chat import RequestChat, RequestPrompts
from summarizer.tasks.claims.actors import Candidate
from summarizer.tasks.claims.figures import Figure

PROMPT_FILES = (
    "figures/system.md",
    "figures/article.md",
    "figures/ready.md",
    "figures/actor.md",
    "figures/actor_hint.md",
    "figures/figure.md",
    "figures/summary.md",
    "figures/example.json",
)
_ACTOR_WINDOW = 90  # characters of the sentence kept either side of a candidate actor


@dataclass(frozen=True)
class FigurePromptParts:
    system: str
    article: str  # holds {article}
    ready: str  # the assistant's answer to the article turn
    actor: str  # holds {actor} and {sentence}: what kind of actor a name is
    actor_hint: str  # holds {kind}: the kind the name's words suggest, after the actor request
    figure: str  # holds {figure} and {sentence}
    summary: str  # holds {claims}
    example: dict[str, Any]  # {"article": str, "figures": [{"figure", "sentence", "label"}]}


@lru_cache(maxsize=1)
def figure_prompt_parts() -> FigurePromptParts:
    def read(name: str) -> str:
        return prompt_path(name).read_text(encoding="utf-8").strip()

    system, article, ready, actor, actor_hint, figure, summary, example = (read(name) for name in PROMPT_FILES)
    return FigurePromptParts(system, article, ready, actor, actor_hint, figure, summary, example=json.loads(example))


def format_label(label: Any) -> str:
    """A label as the grammar writes it: compact, keys in order."""
    return json.dumps(label, ensure_ascii=False, separators=(",", ":"))


def example_turns(parts: FigurePromptParts) -> list[dict[str, str]]:
    """The worked example as chat turns: the article, then each figure and its label."""
    turns = [
        {"role": "user", "content": parts.article.replace("{article}", parts.example["article"])},
        {"role": "assistant", "content": parts.ready},
    ]
    for item in parts.example["cast"]:
        request = _actor_text(item["actor"], item["sentence"], parts.example["article"], parts)
        turns += [{"role": "user", "content": request}, {"role": "assistant", "content": format_label(item["kind"])}]
    for item in parts.example["figures"]:
        request = parts.figure.replace("{figure}", item["figure"]).replace("{sentence}", item["sentence"])
        turns += [{"role": "user", "content": request}, {"role": "assistant", "content": format_label(item["label"])}]
    summary = json.dumps(parts.example["summary"], ensure_ascii=False)  # the summary is answered as a JSON string
    turns += [
        {"role": "user", "content": summary_request(parts.example["summary_claims"], parts)},
        {"role": "assistant", "content": summary},
    ]
    return turns


@lru_cache(maxsize=1)
def figure_prompt_hash() -> str:
    """sha256 of the prompt files (names and bytes): part of what identifies a generation."""
    return files_hash((name, prompt_path(name).read_bytes()) for name in PROMPT_FILES)


def figure_request(article: str, figure: Figure, parts: FigurePromptParts | None = None) -> str:
    """The request for one figure: the figure, and its sentence with the figure marked."""
    parts = parts or figure_prompt_parts()
    start, end = figure.sentence
    marked = article[start : figure.start] + "[" + figure.text + "]" + article[figure.end : end]
    return parts.figure.replace("{figure}", figure.text).replace("{sentence}", " ".join(marked.split()))


def actor_request(article: str, candidate: Candidate, parts: FigurePromptParts | None = None) -> str:
    """The request for one candidate actor: the name, and its sentence with the name marked."""
    parts = parts or figure_prompt_parts()
    start, end = candidate.sentence
    # Enough of the sentence to tell a speaker from a place or a victim: its words either side of
    # the name, cut at a word, so that forty names cost a few hundred request tokens, not thousands.
    start = max(start, article.rfind(" ", start, max(start, candidate.start - _ACTOR_WINDOW)) + 1)
    cut = article.find(" ", min(end, candidate.end + _ACTOR_WINDOW), end)
    end = end if cut < 0 else cut
    marked = article[start : candidate.start] + "[" + candidate.text + "]" + article[candidate.end : end]
    return _actor_text(candidate.text, " ".join(marked.split()), article, parts)


def _actor_text(actor: str, sentence: str, article: str, parts: FigurePromptParts) -> str:
    """An actor request, with the kind its name's words suggest where they suggest one: a small
    model left alone reads nearly every name as a country; the suggestion is not binding (the
    worked example overrides it where the sentence says otherwise: police officers who were killed)."""
    from summarizer.tasks.claims.cast import suggested_kind

    request = parts.actor.replace("{actor}", actor).replace("{sentence}", sentence)
    kind = suggested_kind(actor, article)
    return request + (" " + parts.actor_hint.replace("{kind}", kind) if kind else "")


def summary_request(claim_lines: list[str], parts: FigurePromptParts | None = None) -> str:
    parts = parts or figure_prompt_parts()
    return parts.summary.replace("{claims}", "\n".join(claim_lines) or "(none)")


def figure_messages(article: str, request: str, parts: FigurePromptParts | None = None) -> list[dict[str, str]]:
    """The whole chat of one request: instructions, the worked example, the article, the request.
    What a server gets as messages; the in-process backend renders the same chat."""
    parts = parts or figure_prompt_parts()
    return [
        {"role": "system", "content": parts.system},
        *example_turns(parts),
        {"role": "user", "content": parts.article.replace("{article}", article)},
        {"role": "assistant", "content": parts.ready},
        {"role": "user", "content": request},
    ]


class FigurePrompts(RequestPrompts):
    """Token ids of the three runs for one tokenizer (:class:`~summarizer.engine.request_chat.RequestPrompts`
    of the figure chat)."""

    def __init__(self, tokenizer: Any, parts: FigurePromptParts | None = None):
        messages = partial(figure_messages, parts=parts)
        super().__init__(tokenizer, RequestChat("figures", messages, request_tokens=160))
