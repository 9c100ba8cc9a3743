"""Short English names of the parties an article mentions: the vocabulary for side fields.

``claimant_side``, ``victim_side`` and ``perpetrator_side`` are short English names
("Ukraine" for "Ukrainian soldiers"), not article spans. Grounded extraction limits
them to the names the article gives reason for:

* the countries and peoples it mentions (:mod:`summarizer.core.countries`: "Gazan" ->
  "Palestinians"), and "<country> military/army/forces..." where it says so;
* the parties of its cast (:mod:`summarizer.tasks.claims.cast`): the armed forces and groups and the
  peoples the model read in this article, as the article names them;
* without a cast, names that the article's own words mark as a force: "... Army", "... Front",
  "... Movement", and a capitalised name or acronym right before "fighters", "rebels",
  "militants" and the like ("KLX rebels").

No table names one conflict's actors: an armed group is a party because the article (or the
model reading it) says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from summarizer.core.countries import country_mentions, is_country
from summarizer.core.text import word_mentions

__all__ = [
    "MADE_IN",
    "home_country",
    "is_people",
    "is_state_force",
    "local_peoples",
    "party_names",
    "sides_in",
    "state_voices",
]

_FORCE_NOUNS = "military|army|government|junta|forces|regime"
# "Rapid Support Forces", "People's Defence Force", "Popular Front": a named armed force.
_NAMED_FORCE = re.compile(
    r"\b((?:[A-Z][\w'’-]+ ){1,3}(?:Army|Forces?|Front|Movement|Militia|Brigades?|Guards?|Alliance|Coalition))\b"
)
# A name right before the word for its fighters: "KLX rebels", "Hill Front militants".
_NAME_BEFORE_FIGHTERS = re.compile(
    r"\b((?:[A-Z][\w'’-]*[\w] ){0,2}[A-Z][\w'’-]*[\w])(?:-led|-backed)? (?:fighters|rebels|militants|militiamen|"
    r"insurgents|gunmen|jihadists|guerrillas|separatists|paramilitaries)\b"
)
# Words that make a named body no party: bodies that count, help or report, and opening words.
_NOT_PARTY_WORD = re.compile(
    r"\b(?:Nations|Observatory|Council|Committee|Commission|Agency|Office|Organi[sz]ation|Society|Cross|"
    r"Crescent|Helmets|Watch|Mission|Ministry|The|A|An|Some|Many|Dozens|Hundreds|Thousands)\b"
)


def sides_in(article: str, parties: Iterable[str] | None = None) -> list[str]:
    """The side names ``article`` gives reason for, in order of first mention. ``parties``: the
    cast's parties (article spans the model read as forces, groups or peoples); without them,
    names the article's own words mark as a force."""
    found: dict[str, None] = {}
    mentions = country_mentions(article)
    elsewhere = _only_elsewhere(article, mentions)
    for _start, end, side in mentions:
        if side in elsewhere:
            continue
        found.setdefault(side, None)
        following = re.match(rf"(?:['’]s)?\s+({_FORCE_NOUNS})\b", article[end:], re.IGNORECASE)
        if following:  # "Myanmar military", "Syrian government forces"
            found.setdefault(f"{side} {following.group(1).lower()}", None)
    if parties is not None:
        for party in parties:
            if party not in elsewhere:  # the cast's "country" named only as a border or a refuge
                found.setdefault(party, None)
        return list(found)
    for pattern in (_NAMED_FORCE, _NAME_BEFORE_FIGHTERS):
        for match in pattern.finditer(article):
            name = re.sub(r"^(?:The|A|An) ", "", match.group(1))
            if not _NOT_PARTY_WORD.fullmatch(name.split()[0]) and not _NOT_PARTY_WORD.search(name):
                found.setdefault(name, None)
    return list(found)


# Words that name a country only as somewhere else: a border, a destination, a base ("near the
# border with Orla", "fled into neighbouring Orla", "the Orla-based monitor").
_ELSEWHERE_BEFORE = re.compile(
    r"(?:\bborders?\s+(?:with|of)|\bneighbou?ring|\binto|\bfled\s+(?:to|across)|\bbased\s+in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _only_elsewhere(article: str, mentions: list[tuple[int, int, str]]) -> set[str]:
    """The countries every mention of which names them only as somewhere else (a border, where
    people fled to, where a body is based): no party to the harm, so never a side."""
    here = {
        side
        for start, end, side in mentions
        if not _ELSEWHERE_BEFORE.search(article[max(0, start - 40) : start]) and not article.startswith("-based", end)
    }
    return {side for _s, _e, side in mentions} - here


def is_people(side: str, peoples: Iterable[str] = ()) -> bool:
    """Whether ``side`` names a country or people (the side civilians are counted under), not an
    armed force: a country of the table, or a people of the article's cast."""
    return is_country(side) or side in set(peoples)


def party_names(side: str) -> frozenset[str]:
    """The names the side vocabulary may give one party: "Israel" is also "Israel military",
    "Israel army"...; "Myanmar military" is "Myanmar army", "Myanmar junta"..., but not "Myanmar":
    a country's forces are not its people (a junta's air strike kills the country's civilians)."""
    base, _, noun = side.rpartition(" ")
    if base and re.fullmatch(_FORCE_NOUNS, noun):
        return frozenset(f"{base} {n}" for n in _FORCE_NOUNS.split("|"))
    return frozenset({side, *(f"{side} {n}" for n in _FORCE_NOUNS.split("|"))})


def is_state_force(side: str) -> bool:
    """A country's force as a side ("Orla military"): a state's, not an armed group's."""
    base, _, noun = side.rpartition(" ")
    return bool(base) and is_country(base) and re.fullmatch(_FORCE_NOUNS, noun) is not None


# Where weapons were made, never whose they are or a party: "French-made jets", "Chad-built drones".
MADE_IN = re.compile(r"-(?:made|built|supplied|designed|manufactured)\b", re.IGNORECASE)

# What makes a country's mention name an attacker, not a place or a people: "Orlan troops",
# "Orlan-backed rebels", "an Orlan drone strike", "Orlan-made drones".
AS_ATTACKER = re.compile(
    r"(?:-backed|-led|-made|-supplied|-armed|(?:['’]s)?\s+(?:-?\w+\s+)?(?:troops|soldiers|forces|army|military|"
    r"militias?|fighters|drones?|missiles?|rockets?|shells?|shelling|artillery|strikes?|airstrikes?|air strikes?|"
    r"jets|warplanes|aircraft|attacks?|bombardment|bombing|raids?|offensive|tanks?|gunboats?|navy|air force)\b)",
    re.IGNORECASE,
)


# What makes a country's mention a destination, not where events happen: "fled into neighbouring
# Chad", "was flown to the United States", "deported to Niger".
_AS_DESTINATION = re.compile(
    r"\b(?:fled|flee|flees|fleeing|flown|flew|crossed|crossing|deported|extradited|returned|sent|moved|"
    r"travell?ed|escaped|evacuated|relocated|transferred)\s+(?:[\w'’-]+\s+){0,3}?(?:to|into|towards?)\s+"
    r"(?:neighbou?ring\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)


def _where_mentions(text: str) -> list[str]:
    """The countries and peoples ``text`` names, less those it names as attackers (see AS_ATTACKER)
    or as where people went (see _AS_DESTINATION)."""
    return [
        side
        for start, end, side in country_mentions(text)
        if not AS_ATTACKER.match(text, end) and not _AS_DESTINATION.search(text[max(0, start - 80) : start])
    ]


# The words before a country's forces that make them the counted or the hit: a number, "a", "an".
_COUNTED_BEFORE = re.compile(
    r"(?:\d|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|thousands))\s+$", re.IGNORECASE
)


@lru_cache(maxsize=4)  # asked once per figure; the article is the same for all of them
def home_country(article: str) -> str | None:
    """The country or people ``article`` mentions most (the first of those mentioned as often),
    not counting the mentions that name an attacker ("Orlan troops"): where its events most likely
    happen, and so whose people its uncounted victims most likely are. A country the article names
    as the attacker more often than otherwise is the force that came from elsewhere ("Orlan
    troops massacred ...", "Orlan soldiers had rounded up ...", then "Orla denied ..."), not
    where its events happen, while another is mentioned at all."""
    mentions = country_mentions(article)
    attacking: dict[str, int] = {}
    for start, end, side in mentions:
        # Not the forces counted or hit: "killed 20 Orlan soldiers", "shot down an Orlan drone".
        if AS_ATTACKER.match(article, end) and not _COUNTED_BEFORE.search(article[max(0, start - 20) : start]):
            attacking[side] = attacking.get(side, 0) + 1
    counts: dict[str, int] = {}
    for side in _where_mentions(article) or [side for _s, _e, side in mentions]:
        counts[side] = counts.get(side, 0) + 1
    home = {side: n for side, n in counts.items() if attacking.get(side, 0) <= n} or counts
    return max(home, key=home.__getitem__) if home else None


def local_peoples(article: str, sentence: str, peoples: Iterable[str] = ()) -> list[str]:
    """The countries and peoples a figure's victims who are not soldiers may belong to: those its
    sentence names (not as attackers: "Orlan-backed rebels killed 9 villagers"), the cast's peoples
    it names, and the article's :func:`home_country`. The
    rest of the article's countries (a neighbour refugees fled to, a foreign backer) are far less
    likely, and small models pick them when they are offered."""
    found = dict.fromkeys(_where_mentions(sentence))
    found.update(dict.fromkeys(p for p in peoples if _named_not_attacking(p, sentence)))
    home = home_country(article)
    if home:
        found.setdefault(home, None)
    return list(found)


def _named_not_attacking(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` as a word ("Orla" is not in "Orlan"), once at least not as
    the attacker ("Orla's troops")."""
    return any(not AS_ATTACKER.match(text, m.end()) for m in word_mentions(name, text))


def state_voices(article: str, sentence: str) -> list[str]:
    """The countries a state body that names none may speak for, in a figure's ``sentence``: the
    countries the sentence names as where things happen ("In Kessa province, Orla's ..."; "the
    ministry in Chad said"), else the article's :func:`home_country`, unless the sentence names it
    as the attacker ("the Indian strikes", reported by the other side's army), then the article's
    other countries, most mentioned first."""
    where = [side for side in dict.fromkeys(_where_mentions(sentence)) if is_country(side)]
    if where:
        return where
    attackers = {side for _s, end, side in country_mentions(sentence) if AS_ATTACKER.match(sentence, end)}
    home = home_country(article)
    if home and is_country(home) and home not in attackers:
        return [home]
    counts: dict[str, int] = {}
    for _s, _e, side in country_mentions(article):
        if is_country(side) and side not in attackers:
            counts[side] = counts.get(side, 0) + 1
    return sorted(counts, key=lambda side: -counts[side])
