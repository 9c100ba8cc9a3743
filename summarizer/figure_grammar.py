"""The grammar of one figure's label, grounded in the article.

Figure-guided extraction asks the model, figure by figure, what the figure counts.
The answer is a small JSON object (keys in a fixed order, compact) whose values are
limited per article so that nothing can come from anywhere but the article:

* ``outcome`` is ``none`` (not a claim: the object ends there) or one of the
  outcomes the figure's sentence has a word for ("wounded" offers injured), all of
  them when it has none;
* ``claimant`` and ``equipment`` are verbatim article spans (or null), so no entity
  of the prompt's example can leak into a document;
* the sides are the short names :func:`summarizer.sides.sides_in` finds in the
  article, or null;
* an unnamed claimant forces ``claimant_type`` "unattributed" and a null side;
  equipment forces ``victim_group`` "military", people force ``equipment`` null.

The count, its qualifier and the evidence are not generated at all: they are read
from the text (:mod:`summarizer.figures`); so are period, location, perpetrator and
verification, by the rule reader (see :mod:`summarizer.figure_extraction`).
"""

from __future__ import annotations

import json

from summarizer.grammar import evidence_chunks
from summarizer.sides import sides_in

PEOPLE_OUTCOMES = ("killed", "injured", "killed_or_injured", "missing", "captured", "displaced")
GROUPS = ("civilians", "children", "women", "men", "military", "medical_workers", "mixed", "unspecified")
NAMED_TYPES = ("state", "international_organization", "ngo", "armed_group", "media", "witness")

# Verbatim spans: no leading or trailing space, bounded length (escaped text is at
# least as long as the decoded text, so the bound holds for the decoded span too).
_SPAN_BOUND = {"NAME_SPAN": "/[^ ](.{0,78}[^ ])?/", "SHORT_SPAN": "/[^ ](.{0,38}[^ ])?/"}


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _choice(values) -> str:
    return " | ".join(_lit(v) for v in values)


def figure_grammar(article: str, grounded: bool = True, outcomes: set[str] | None = None,
                   draft: dict | None = None) -> str:
    """The Lark grammar (llguidance dialect) of a figure label for ``article``.

    ``outcomes``: the outcomes the figure's sentence has words for (``lexicon.outcomes_named``);
    only those (and "none") are offered. None offers all. Ungrounded (``--no-grounding``),
    spans and sides are any short JSON strings: the model's own words, for measuring what
    grounding changes.
    """
    substring = "%regex " + json.dumps({"substring_chunks": evidence_chunks(article)}, ensure_ascii=False)
    free = '/[^"\\\\\\x00-\\x1f]{1,40}/'
    if not grounded:
        substring = '/[^"\\\\\\x00-\\x1f]+/'
    people = [o for o in PEOPLE_OUTCOMES if outcomes is None or o in outcomes]
    equipment = outcomes is None or "equipment_destroyed" in outcomes
    sides = sides_in(article)
    side = '"null" | "\\"" SIDE_NAME "\\""' if sides and grounded else '"null" | "\\"" SIDE_FREE "\\""'
    # Whoever the text says caused the harm is not its victim: the side small models confuse most.
    perpetrator = (draft or {}).get("perpetrator_side")
    victims = [s for s in sides if not perpetrator or s.split()[0] != perpetrator.split()[0]]  # "Israel military" too
    victim = '"null" | "\\"" VICTIM_NAME "\\""' if victims and grounded else side
    starts = ["none", *(["people"] if people else []), *(["equipment"] if equipment else [])]
    start = 'start: "{\\"outcome\\":" (' + " | ".join(starts) + ")"
    if draft is not None:
        start = "start: " + _lit(_draft_head(draft)) + " rest"
        if draft.get("victim_side") and grounded:
            start = "start: " + _lit(_draft_head(draft) + ',"victim_side":' + json.dumps(draft["victim_side"],
                                                                                     ensure_ascii=False)) + ' claimant "}"'
    rules = [
        "%llguidance {}",
        start,
        'none: "\\"none\\"}"',
        'people: "\\"" PEOPLE "\\",\\"victim_group\\":\\"" GROUP "\\",\\"equipment\\":null" rest',
        'equipment: "\\"equipment_destroyed\\",\\"victim_group\\":\\"military\\",\\"equipment\\":\\"" '
        'SHORT_SPAN "\\"" rest',
        'rest: ",\\"victim_side\\":" victim claimant "}"',
        'claimant: ",\\"claimant\\":null,\\"claimant_type\\":\\"unattributed\\",\\"claimant_side\\":null" '
        '| ",\\"claimant\\":\\"" NAME_SPAN "\\",\\"claimant_type\\":\\"" NAMED_TYPE "\\",\\"claimant_side\\":" side',
        f"side: {side}",
        f"victim: {victim}",
        f"PEOPLE: {_choice(people or PEOPLE_OUTCOMES)}",
        f"GROUP: {_choice(GROUPS)}",
        f"NAMED_TYPE: {_choice(NAMED_TYPES)}",
        f"SIDE_NAME: {_choice(sides)}" if sides else f"SIDE_NAME: {_lit('none')}",
        f"VICTIM_NAME: {_choice(victims)}" if victims and grounded else "",
        f"SIDE_FREE: {free}",
        *(f"{name}: {substring} & {bound}" for name, bound in _SPAN_BOUND.items()),
    ]
    return "\n".join(rule for rule in rules if rule) + "\n"


def _draft_head(draft: dict) -> str:
    """The label's first fields as the rule reader's draft has them (outcome, group, equipment)."""
    head = {"outcome": draft["outcome"], "victim_group": draft["victim_group"], "equipment": draft["equipment"]}
    return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
