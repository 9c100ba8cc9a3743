"""Words that name an outcome: shared by the rule baseline and figure-guided extraction.

Data, in one place: extend it here. Keys are lower-case words; values are outcomes of
the claims schema.
"""

from __future__ import annotations

import re


def _words(outcome: str, words: str) -> dict[str, str]:
    return dict.fromkeys(words.split(), outcome)


OUTCOME_WORDS = {
    **_words(
        "killed",
        "killed kill kills killing dead deaths death died die dying fatalities fatality deceased slain lives toll "
        "massacred massacre massacres murdered murder murders executed execution executions lynched lynching "
        "beheaded beheading bodies corpses",
    ),
    **_words("injured", "injured injuring injuries injury wounded wounding wounds hurt maimed"),
    **_words("killed_or_injured", "casualties casualty losses"),
    **_words("missing", "missing unaccounted"),
    **_words(
        "captured",
        "captured abducted abduction abductions kidnapped kidnapping kidnappings hostages hostage captives "
        "surrendered detained",
    ),
    **_words("displaced", "displaced displacement fled flee fleeing refugees evacuated uprooted homeless expelled"),
    **_words(
        "equipment_destroyed",
        "destroyed destroying destroy destroys downed intercepted intercepting "
        "intercept jammed jamming neutralised neutralized suppressed eliminated lost torched burned burnt "
        "razed demolished flattened looted",
    ),
}
# Words that name no single outcome but open every outcome to a figure ("losses" of
# equipment, "lost" soldiers, "shot down"): the model decides.
_OPEN_WORDS = {"lost", "losses", "shot", "neutralised", "neutralized", "eliminated"}
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


# Words that make a claimant one kind of body, checked as words of its name (and, in the rule
# reader, of its apposition). First match wins. No match: "state" for the rule reader (ministries,
# armies, officials, countries); figure-guided extraction keeps the model's answer.
# Generic words only: a name is typed by what kind of body it says it is ("militia", "monitor"),
# never by a list of particular bodies.
CLAIMANT_TYPES = [  # first match wins: checked as words of the claimant and its apposition
    (
        "armed_group",
        "militia, militias, rebels, rebel, insurgents, separatists, militants, jihadists, guerrillas, "
        "paramilitary, gang, gangs",
    ),
    (
        "international_organization",
        "united nations, high commissioner, refugee agency, peacekeeping mission, peacekeepers, "
        "international organization, international organisation",
    ),
    (
        "ngo",
        "ngo, monitor, observatory, council, center, centre, institute, watch, organizations, "
        "organization, foundation, charity, think tank, humanitarian, network, association, society, "
        "syndicate, coalition, group, groups",
    ),
    (
        "media",
        "agency, news, times, post, media, outlet, newspaper, channel, tv, television, broadcaster",
    ),
    ("witness", "witness, witnesses, eyewitness, survivor, survivors, locals, residents"),
]
_NAME_WORD = re.compile(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]|[a-z]")  # "al-hill", "u.s"


NON_PARTY_TYPES = {"international_organization", "ngo"}  # claimant_side null, says the contract
# Cue words that name many kinds of body ("the group said" may be an armed group).
WEAK_TYPE_WORDS = frozenset(
    "group groups council center centre network association society coalition "
    "organization organizations institute foundation agency".split()
)


def claimant_type_named(name: str, weak: bool = True) -> str | None:
    """The claimant type that a word of ``name`` settles ("refugee agency" -> international_organization), or None.
    ``weak=False`` ignores :data:`WEAK_TYPE_WORDS`."""
    text = " " + " ".join(_NAME_WORD.findall(name.lower().replace("’", "'").replace("'s", ""))) + " "
    for kind, words in CLAIMANT_TYPES:
        cues = [w.strip() for w in words.split(",") if weak or w.strip() not in WEAK_TYPE_WORDS]
        if any(f" {w} " in text for w in cues) or (kind == "media" and ".com" in name.lower()):
            return kind
    return None


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
