"""The rule-based baseline (``--model rules``): claims from word lists and patterns, no weights.

A transparent floor for comparisons, not the product. Each figure the shared number
parser finds is read in its sentence:

1. out-of-scope figures are dropped (money, percentages, dates, years, durations,
   distances, model names such as "Su-25");
2. the outcome comes from the words around the figure: the noun phrase after it
   ("652 civilian deaths"), the word just before it ("killed 1,400"), a verb later in
   the clause ("12 civilians were killed"), a list it continues ("10 tanks, 5 drones"),
   or the clause to its left ("casualties ... surpassed one million");
3. victim group and side, claimant, qualifier, period, location and verification are
   filled from lexicons and a handful of patterns.

Evidence is always the article's own sentence (or the clause holding the figure when
the sentence is too long) and every value is a parsed mention, so the output is
grounded by construction; it is still validated before it is returned.

The package, one concern a module (each imports only those listed before it):

* ``lexicon``: the word lists and patterns (data);
* ``sentences``: paragraphs, sentences and tokens (a figure is one token);
* ``attribution``: who says a figure (claimants, resolved across sentences), the parties
  to the conflict, periods, locations and verification cues;
* ``figures``: what one figure counts (the outcome word governing it, its noun phrase);
* ``claims``: the claim of each figure, the summary and the safety net (``valid_document``);
* this module: the backend, the drafts figure-guided extraction starts from, and the
  rules' revision.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.backends.base import Backend
from summarizer.backends.options import task_field
from summarizer.core.records import Extraction, ExtractOptions
from summarizer.tasks.claims.rules.claims import ArticleExtractor, summary, valid_document

__all__ = ["SOURCES", "ArticleExtractor", "RulesBackend", "RulesOptions", "rule_drafts", "summary", "valid_document"]


@dataclass(frozen=True)
class RulesOptions:
    """No settings: only the task (set by --task), which must be claims."""

    task: Any = task_field()


class RulesBackend(Backend):
    """Deterministic extraction from lexicons and patterns; the baseline every model must beat."""

    name = "rules"
    Options = RulesOptions

    def __init__(self, model: str = "rules", options: RulesOptions | None = None):
        from summarizer.core.errors import ModelError
        from summarizer.core.task import load_task

        # Nothing to load: the lexicons are module data. They read claims and nothing else.
        self.task = load_task((options or RulesOptions()).task)
        if self.task.kit != "claims":
            raise ModelError(
                f"the rules baseline extracts only the built-in claims task, not {self.task.name!r}; "
                "use a model (--model) for your own task"
            )

    @property
    def model_id(self) -> str:
        return "rules"

    def describe(self) -> dict:
        # The rules are code: a hash of this module is their "revision", so editing a lexicon
        # invalidates cached results in the run store.
        return {**super().describe(), "revision": _source_hash()}

    def extract(self, article: str, options: ExtractOptions | None = None) -> Extraction:
        started = time.perf_counter()
        extractor = ArticleExtractor(article)
        document = valid_document(extractor.document(), article)
        stats = {
            "seconds": time.perf_counter() - started,
            "n_sentences": len(extractor.sentences),
            "prompt_tokens": 0,
            "generated_tokens": 0,
            "forced_tokens": 0,
            "forward_passes": 0,
        }
        return Extraction(json.dumps(document, ensure_ascii=False), document, "ok", None, stats)


def rule_drafts(article: str) -> list[dict]:
    """The rule reader's claims: figure-guided extraction takes their set-phrase fields (period,
    location, perpetrator, verification) and, where they read a figure, its outcome and victims."""
    extraction = RulesBackend().extract(article)
    return extraction.document["claims"] if extraction.document else []


# The rules' code and the word lists they read: their revision in the run store's key.
SOURCES = (
    "tasks/claims/rules",
    "tasks/claims/lexicon",
    "tasks/claims/data/lexicon.toml",
    "engine/sides",
    "core/countries",
    "core/data/countries.tsv",
)


@lru_cache(maxsize=1)
def _source_hash() -> str:
    """The rules' revision: every file of :data:`SOURCES`, all of this package's among them."""
    from summarizer.core.resources import source_hash

    return source_hash(SOURCES)
