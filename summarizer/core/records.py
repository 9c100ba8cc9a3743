"""The records a backend takes and gives: the decoding options of one article and what was extracted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.core.stats import Stats
from summarizer.core.status import Status

# Below it, logits / temperature overflows to infinity and sampling yields NaN.
MIN_TEMPERATURE = 1e-6
# The seeds torch's generator takes; past them every article failed ("Overflow when unpacking long long").
SEED_RANGE = (-(2**63), 2**64 - 1)


def sampling_problem(temperature: float, top_p: float, seed: int = 0) -> str | None:
    """Why ``temperature``, ``top_p`` and ``seed`` cannot be used for decoding, or None.

    Checked before any model loads: torch would only fail later, in every article.
    """
    if not math.isfinite(temperature) or temperature < 0:
        return f"--temperature must be a finite number, 0 or more (got {temperature})"
    if 0 < temperature < MIN_TEMPERATURE:
        return f"--temperature must be 0 (greedy) or at least {MIN_TEMPERATURE:g} (got {temperature})"
    if not 0 <= top_p <= 1:  # also refuses NaN
        return f"--top-p must be between 0 and 1 (got {top_p})"
    if temperature > 0 and top_p == 0:
        return "--top-p 0 keeps no token to sample; use a value above 0, or --temperature 0 for greedy decoding"
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_RANGE[0] <= seed <= SEED_RANGE[1]:
        return f"--seed must be a whole number from -2**63 to 2**64-1 (got {seed!r})"
    return None


# How a summary is had, where a strategy writes one: "model" (the model writes it, its numbers
# grounded) or "claims" (built from the items found, no model).
SUMMARY_MODES = ("model", "claims")

# Figures a figure-guided strategy asks per article (claims: the schema's maxItems, as many as one
# document holds): a long article's work stays bounded (tasks/claims/article_limits).
DEFAULT_MAX_FIGURES = 200


@dataclass(frozen=True)
class ExtractOptions:
    """Decoding options. Part of the cache key of a generation, so keep them plain values."""

    grounded: bool = True  # restrict evidence to article substrings and numbers to article numbers
    max_new_tokens: int = 4096  # the densest seed article needs about 3,500 tokens of output
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    seed: int = 0
    fast_forward: bool = True  # append grammar-forced tokens in one forward pass
    speculate: bool = True  # article-lookup drafts verified in one pass (same output, fewer passes)
    # "document" (one generation writes the whole document) or a strategy of the task's kit (claims:
    # "figures"); None: the kit's default, which summarize() fills in before the run store's lookup.
    strategy: str | None = None
    summary: str = "model"  # one of SUMMARY_MODES
    max_figures: int = DEFAULT_MAX_FIGURES  # figures asked per article, at most (figure strategies)

    def __post_init__(self) -> None:
        problem = sampling_problem(self.temperature, self.top_p, self.seed)
        if problem:
            raise ValueError(problem)
        if isinstance(self.max_figures, bool) or not isinstance(self.max_figures, int) or self.max_figures < 1:
            raise ValueError(f"--max-figures must be a whole number, 1 or more (got {self.max_figures!r})")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def key_dict(self) -> dict[str, Any]:
        """What the run store's key holds: :meth:`as_dict` without the options added after runs were
        stored, at their default (those runs are the same requests and are still found)."""
        return {k: v for k, v in self.as_dict().items() if _ADDED_LATER.get(k, _UNSET) != v}


_UNSET = object()
_ADDED_LATER = {"max_figures": DEFAULT_MAX_FIGURES}


@dataclass(init=False)
class Extraction:
    """What a backend produced for one article."""

    raw: str  # the model's raw output (for re-scoring and debugging)
    document: dict[str, Any] | None  # parsed document; None when the output is not a document
    status: Status
    reason: str | None  # why the status is not ok
    stats: Stats

    # Written out (not the dataclass's) so that its types say what it takes: a status as text
    # ("ok", ...) and the stats as a flat dict, made a Status and a Stats.
    def __init__(
        self,
        raw: str,
        document: dict[str, Any] | None,
        status: Status | str = Status.OK,
        reason: str | None = None,
        stats: Stats | Mapping[str, Any] | None = None,
    ) -> None:
        self.raw, self.document, self.reason = raw, document, reason
        self.status = Status(status)  # ValueError for a status that does not exist
        self.stats = Stats.of(stats)
