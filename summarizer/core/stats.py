"""What one generation cost: a typed record of the counters every backend reports.

The known counters are typed fields; a backend's own numbers (``figures``, ``labels``,
``n_sentences``, the openai backend's ``grounding`` ...) go in ``extra``. As JSON (the run
store, ``--jsonl``, report.json) it is the flat object it always was, the fields that are
set and then ``extra``, so stores and results written before read back unchanged. It also
reads and writes like that dict (``stats["seconds"]``, ``stats.get(...)``, ``{**stats}``),
for backends written against the dict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

COUNTERS = ("prompt_tokens", "generated_tokens", "forced_tokens", "forward_passes", "seconds", "chunks")


@dataclass(eq=False)
class Stats(MutableMapping[str, Any]):
    prompt_tokens: int | None = None  # the prompt, article included (summed over chunks and batches)
    generated_tokens: int | None = None  # sampled and forced
    forced_tokens: int | None = None  # appended by grammar fast-forward, no sampling
    forward_passes: int | None = None
    seconds: float | None = None  # wall time of the generation
    chunks: int | None = None  # pieces a long article was cut into
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, stats: Mapping[str, Any] | None) -> Stats:
        """A Stats from the flat dict (a Stats is returned as it is)."""
        if isinstance(stats, Stats):
            return stats
        record = cls()
        for key, value in (stats or {}).items():
            record[key] = value
        return record

    def as_dict(self) -> dict[str, Any]:
        """The flat JSON object: counters that are set, then the backend's own numbers."""
        known = {name: getattr(self, name) for name in COUNTERS if getattr(self, name) is not None}
        return {**known, **self.extra}

    # -- the dict it used to be ----------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in COUNTERS:
            setattr(self, key, value)
        else:
            self.extra[key] = value

    def __delitem__(self, key: str) -> None:
        if key in COUNTERS and getattr(self, key) is not None:
            setattr(self, key, None)
        else:
            del self.extra[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __eq__(self, other: object) -> bool:  # equal to the same numbers, as a Stats or as a dict
        return isinstance(other, Mapping) and self.as_dict() == dict(other.items())

    def __repr__(self) -> str:
        return f"Stats({self.as_dict()!r})"

    def copy(self) -> Stats:
        return dataclasses.replace(self, extra=dict(self.extra))
