"""Words that name an outcome: shared by the rule baseline and figure-guided extraction.

Data, in one place: extend it here. Keys are lower-case words; values are outcomes of
the claims schema.
"""

from __future__ import annotations

import re


def _words(outcome: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), outcome)


OUTCOME_WORDS = {
    **_words("killed", "killed kill kills killing dead deaths death died die dying fatalities fatality "
                       "deceased slain lives toll"),
    **_words("injured", "injured injuring injuries injury wounded wounding wounds hurt"),
    **_words("killed_or_injured", "casualties casualty losses"),
    **_words("missing", "missing unaccounted"),
    **_words("captured", "captured abducted kidnapped hostages hostage captives"),
    **_words("displaced", "displaced displacement fled flee fleeing refugees evacuated uprooted homeless"),
    **_words("equipment_destroyed", "destroyed destroying destroy destroys downed intercepted intercepting "
                                    "intercept jammed jamming neutralised neutralized suppressed eliminated lost"),
}
# Words that name no single outcome but open every outcome to a figure ("losses" of
# equipment, "lost" soldiers, "shot down"): the model decides.
_OPEN_WORDS = {"lost", "losses", "shot", "neutralised", "neutralized", "eliminated"}
_WORD = re.compile(r"[A-Za-z]+")


def outcomes_named(text: str) -> set[str] | None:
    """The outcomes whose words occur in ``text``; None when none do or an open word does
    (then any outcome may apply)."""
    words = {w.lower() for w in _WORD.findall(text)}
    if words & _OPEN_WORDS:
        return None
    named = {OUTCOME_WORDS[w] for w in words if w in OUTCOME_WORDS}
    return named or None
