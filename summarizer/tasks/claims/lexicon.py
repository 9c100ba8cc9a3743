"""Words that name an outcome or a kind of body: shared by the rule baseline and figure-guided extraction.

The words are data (``data/lexicon.toml``): generic English, no particular actor. Keys are
lower-case words; values are outcomes and claimant types of the claims schema.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

LEXICON = tomllib.loads((Path(__file__).parent / "data" / "lexicon.toml").read_text(encoding="utf-8"))

OUTCOME_WORDS: dict[str, str] = {
    word: outcome for outcome, words in LEXICON["outcomes"].items() for word in str(words).split()
}
# Words that name no single outcome but open every outcome to a figure: the model decides.
_OPEN_WORDS = frozenset(str(LEXICON["open"]["words"]).split())
_WORD = re.compile(r"[A-Za-z]+")


def names_harm(text: str) -> bool:
    """Whether ``text`` has a word of any outcome ("killed", "fled", "destroyed", "losses")."""
    return any(w.lower() in OUTCOME_WORDS or w.lower() in _OPEN_WORDS for w in _WORD.findall(text))


def outcomes_named(text: str) -> set[str] | None:
    """The outcomes whose words occur in ``text``; None when none do or an open word does
    (then any outcome may apply)."""
    words = {w.lower() for w in _WORD.findall(text)}
    if words & _OPEN_WORDS:
        return None
    named = {OUTCOME_WORDS[w] for w in words if w in OUTCOME_WORDS}
    return named or None


# Checked as words of the claimant and its apposition, in this order: first match wins. No match:
# "state" for the rule reader (ministries, armies, officials, countries).
CLAIMANT_TYPES: list[tuple[str, str]] = [(kind, str(words)) for kind, words in LEXICON["claimant_types"].items()]
# Titles and roles that stand before a person's name ("Defence Minister", "Lt. Gen."), without dots.
TITLE_WORDS = frozenset(str(LEXICON["titles"]["words"]).split())
# Nouns that count a state's forces ("soldiers", "police") or an armed group's ("fighters", "rebels").
STATE_FORCE_NOUNS = frozenset(str(LEXICON["victim_nouns"]["state"]).split())
FIGHTER_NOUNS = frozenset(str(LEXICON["victim_nouns"]["fighters"]).split())
# Nouns of items that may be destroyed ("tanks", "homes"): the rule reader's equipment, a weapon's model.
EQUIPMENT_NOUNS = frozenset(str(LEXICON["equipment_nouns"]["words"]).split())
# Of those, the places people live, pray, learn or trade in: counted under their country or people.
PROPERTY_NOUNS = frozenset(str(LEXICON["equipment_nouns"]["property"]).split())
# Verbs whose subject (or agent after "by") did the harm: "X killed", "were killed by X".
AGENT_VERBS = frozenset(str(LEXICON["agent_verbs"]["words"]).split()) | {
    phrase.strip() for phrase in str(LEXICON["agent_verbs"]["phrases"]).split(",") if phrase.strip()
}
# The cast kind a word of an actor's name suggests, in this order: a hint shown to the model.
ACTOR_HINTS: list[tuple[str, list[str]]] = [
    (kind, [w.strip() for w in str(words).split(",")]) for kind, words in LEXICON["actor_hints"].items()
]
_NAME_WORD = re.compile(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]|[a-z]")  # "al-hill", "u.s"


NON_PARTY_TYPES = {"international_organization", "ngo"}  # claimant_side null, says the contract
# Cue words that name many kinds of body ("the group said" may be an armed group).
WEAK_TYPE_WORDS = frozenset(str(LEXICON["weak"]["words"]).split())


def claimant_type_named(name: str, weak: bool = True) -> str | None:
    """The claimant type that a word of ``name`` settles ("refugee agency" -> international_organization), or None.
    ``weak=False`` ignores :data:`WEAK_TYPE_WORDS`."""
    text = " " + " ".join(_NAME_WORD.findall(name.lower().replace("’", "'").replace("'s", ""))) + " "
    for kind, words in CLAIMANT_TYPES:
        cues = [w.strip() for w in words.split(",") if weak or w.strip() not in WEAK_TYPE_WORDS]
        if any(f" {w} " in text for w in cues) or (kind == "media" and ".com" in name.lower()):
            return kind
    return None


def kind_hinted(name: str) -> str | None:
    """The cast kind a word of ``name`` suggests ("UN refugee agency" -> international, "state
    police" -> force), or None. Titles keep their dot ("Gen.")."""
    text = " " + " ".join(_HINT_WORD.findall(name.lower().replace("’", "'").replace("'s", ""))) + " "
    for kind, cues in ACTOR_HINTS:
        if any(f" {cue} " in text for cue in cues):
            return kind
    return None


_HINT_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]\.?|[a-z]\.?")


# How a claim's outcome, qualifier and victim group read in a one-line summary of it
# (the rule baseline's summary and the claims-built summary of figure-guided extraction).
OUTCOME_PHRASES = {
    "killed": "killed",
    "injured": "injured",
    "killed_or_injured": "killed or injured",
    "missing": "missing",
    "captured": "captured",
    "displaced": "displaced",
    "equipment_destroyed": "destroyed",
}
GROUP_PHRASES = {
    "military": "military personnel",
    "medical_workers": "medical workers",
    "mixed": "people",
    "unspecified": "people",
}
QUALIFIER_PHRASES = {
    "approximately": "about ",
    "at_least": "at least ",
    "more_than": "more than ",
    "nearly": "nearly ",
    "up_to": "up to ",
    "exact": "",
    "range": "",
}
